import { describe, expect, it } from 'vitest';
import { ApiError, apiContract, createClient, type Transport } from '../index.js';

/** A transport that records what the client asked and answers as told. */
function recording(answer: { status: number; body: unknown }) {
  const calls: Array<Parameters<Transport>[0]> = [];
  const transport: Transport = async (request) => {
    calls.push(request);
    return answer;
  };
  return { calls, client: createClient(apiContract, transport) };
}

describe('the client derived from the contract', () => {
  it('builds the path from the contract, encoding each param, and sends the body as JSON', async () => {
    const { calls, client } = recording({ status: 200, body: { id: 'x' } });
    await client.rentedWorkers.stop({ params: { id: 'runpod:pod 1/2' } });
    await client.models.delete({ params: { owner: 'sentence-transformers', name: 'all-MiniLM-L6-v2' }, query: { worker: 'ws://gpu-a:8787' } });
    await client.workerProfiles.put({ params: { name: 'cheap' }, body: { provider: 'runpod' } });
    expect(calls).toEqual([
      { method: 'POST', path: '/api/rented-workers/runpod%3Apod%201%2F2/stop', body: undefined },
      { method: 'DELETE', path: '/api/models/sentence-transformers/all-MiniLM-L6-v2?worker=ws%3A%2F%2Fgpu-a%3A8787', body: undefined },
      { method: 'PUT', path: '/api/worker-profiles/cheap', body: '{"provider":"runpod"}' },
    ]);
  });

  it('answers with the status and body of a declared success, and throws the server’s message otherwise', async () => {
    const started = recording({ status: 202, body: { job_id: 'j1', status: 'queued' } });
    expect(await started.client.jobs.run({ body: { workflow_id: 'echo' } })).toEqual({ status: 202, body: { job_id: 'j1', status: 'queued' } });

    const refused = recording({ status: 409, body: { error: 'a job with id "j1" already exists' } });
    const error = await refused.client.jobs.run({ body: { workflow_id: 'echo', job_id: 'j1' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, message: 'a job with id "j1" already exists' });

    const bare = recording({ status: 502, body: null });
    await expect(bare.client.nodes.list()).rejects.toThrow('GET /api/nodes answered 502');
  });

  it('makes a wrong route, path param or body a compile error (checked by the typecheck target)', () => {
    const { client } = recording({ status: 200, body: {} });
    const calls = [
      // @ts-expect-error: there is no such route
      () => client.workflows.fetch(),
      // @ts-expect-error: the route needs its :id
      () => client.workflows.get(),
      // @ts-expect-error: the param is "id", not "name"
      () => client.workflows.get({ params: { name: 'x' } }),
      // @ts-expect-error: "profile" is a string
      () => client.rentedWorkers.create({ body: { profile: 1 } }),
      // @ts-expect-error: a GET takes no body
      () => client.jobs.list({ body: {} }),
    ];
    expect(calls).toHaveLength(5);
  });
});
