import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './observability/logger.js';
import type { RunningServer } from './server.js';
import { api, edge, node, startTestServer, waitForWorker } from './testing/testServer.js';

// The server's log as a log shipper reads it: JSON lines, each run and node line carrying job_id,
// node_id and worker; and, with every secret this system knows set, none of them in any line, even
// when a node's error and log text carry them, and a presigned URL's signature neither.
const SECRETS = {
  NODETOOL_SERVER_TOKEN: 'logs-suite-server-token-0c8e5d17',
  NODETOOL_WORKER_TOKEN: 'logs-suite-worker-token-77ab90e2',
  RUNPOD_API_KEY: 'rpa_LOGSSUITE0123456789ABCDEF',
  VAST_API_KEY: 'vast-logs-suite-key-a1b2c3d4e5',
  HF_TOKEN: 'hf_logsSuiteToken0123456789abcd',
  S3_ACCESS_KEY_ID: 'AKIALOGSSUITE0123456',
  S3_SECRET_ACCESS_KEY: 'logsSuiteSecretAccessKey/0123456789abcdefXY',
};
const SIGNATURE = '5f2a0c9e7d4b1a3f6e8c0d2b4a6f8e1c3d5b7a9f0e2c4d6b8a0f1e3c5d7b9a2f';
const PRESIGNED = `https://bucket.s3.amazonaws.com/assets/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${SECRETS.S3_ACCESS_KEY_ID}%2F20261203%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${SIGNATURE}`;
const bearer = { authorization: `Bearer ${SECRETS.NODETOOL_SERVER_TOKEN}` };

describe('structured logs', () => {
  const lines: string[] = [];
  let server: RunningServer;

  beforeAll(async () => {
    const env = { ...SECRETS, NODETOOL_LOG_REQUESTS: '1', NODETOOL_WORKER_SECRETS: 'HF_TOKEN' };
    const logger = createLogger({ level: 'debug', format: 'json', env, destination: { write: (line: string) => lines.push(line) } });
    server = await startTestServer({ env, logger });
    await waitForWorker(server);
  }, 60_000);
  afterAll(() => server?.close());

  it('writes a JSON line per run and node with job_id, node_id and worker, and none with a secret in it', async () => {
    const leak = `${Object.values(SECRETS).join(' ')} ${PRESIGNED}`;
    const graph = {
      nodes: [
        node('say', 'fixtures.Log', { message: `a node's log line: ${leak}` }),
        node('shown', 'nodetool.workflows.base_node.Preview', { name: 'out' }),
        node('boom', 'fixtures.Fail', { message: `an error that quotes ${leak}` }),
      ],
      edges: [edge('say', 'shown')],
    };
    const run = await api(server, 'POST', '/api/run', { graph, wait: true }, bearer);
    expect(run.body.status).toBe('failed');
    const jobId = run.body.id as string;
    // A login link, whose query holds the token, and a wrong bearer token.
    await fetch(`${server.url}/?token=${SECRETS.NODETOOL_SERVER_TOKEN}`, { redirect: 'manual' });
    await fetch(`${server.url}/api/jobs`, { headers: { authorization: `Bearer ${SECRETS.NODETOOL_SERVER_TOKEN}x` } });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.every((record) => typeof record['level'] === 'string' && typeof record['time'] === 'string' && typeof record['msg'] === 'string')).toBe(
      true,
    );
    const ofRun = records.filter((record) => record['job_id'] === jobId);
    const worker = server.app.workers.members()[0]?.id;
    expect(ofRun.find((record) => record['node_id'] === 'say' && 'status' in record)).toMatchObject({
      level: 'debug',
      worker,
      node_type: 'fixtures.Log',
      status: 'completed',
    });
    expect(ofRun.find((record) => record['node_id'] === 'boom' && 'status' in record)).toMatchObject({
      level: 'warn',
      worker,
      node_type: 'fixtures.Fail',
      status: 'failed',
    });
    expect(ofRun.find((record) => record['node_id'] === null && record['status'] === 'failed')).toMatchObject({ level: 'warn', worker });
    expect(records.some((record) => record['msg'] === 'request' && record['path'] === '/api/run' && record['status'] === 200)).toBe(true);

    const all = lines.join('\n');
    // The failure was logged, with the secrets taken out where they stood.
    expect(all).toMatch(/an error that quotes \[NODETOOL_SERVER_TOKEN redacted\]/);
    for (const [name, value] of Object.entries(SECRETS)) expect(all, name).not.toContain(value);
    expect(all).not.toContain(SIGNATURE);
  }, 60_000);
});
