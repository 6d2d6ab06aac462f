import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureProviderApi, type FixtureProviderApi } from './fixtureProviderApi.js';

// The fixtures stand in for the providers only if they refuse what the real APIs refuse: these are the
// refusals, with the reason each request gets back.
const keys = { runpod: 'rpa_fixture_self_test', vast: 'vast-fixture-self-test' };
let api: FixtureProviderApi;
beforeEach(async () => {
  api = await startFixtureProviderApi(keys, { vastOffers: [{ id: 7, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: 0.35 }] });
});
afterEach(() => api.close());

async function post(url: string, body: unknown, method = 'POST', key: string | null = keys.runpod) {
  const response = await fetch(url, {
    method,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("the RunPod fixture, executing against RunPod's schema", () => {
  it('refuses an unknown field, a wrong argument, a nullable variable where Int! is wanted, a missing argument', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ query: '{ pod(input: { podId: "x" }) { id gpuName } }' }, /Cannot query field "gpuName" on type "Pod"/],
      [
        { query: 'mutation { podFindAndDeployOnDemand(input: { gpuType: "x" }) { id } }' },
        /Field "gpuType" is not defined by type "PodFindAndDeployOnDemandInput"/,
      ],
      [
        { query: 'mutation ($id: String!, $n: Int) { podResume(input: { podId: $id, gpuCount: $n }) { id } }', variables: { id: 'a', n: 1 } },
        /of type "Int" used in position expecting type "Int!"/,
      ],
      [{ query: '{ pod { id } }' }, /argument "input" of type "PodFilter!" is required/],
      [{ query: 'query ($id: String!) { pod(input: { podId: $id }) { id } }', variables: {} }, /Variable "\$id" of required type "String!" was not provided/],
      [{ query: 'mutation { podFindAndDeployOnDemand(input: { cloudType: "ALL" }) { id } }' }, /Enum "CloudTypeEnum" cannot represent non-enum value: "ALL"/],
    ];
    for (const [request, reason] of cases) {
      const answer = await post(api.runpodUrl, request);
      expect(answer.status, JSON.stringify(request)).toBe(400);
      expect((answer.body.errors as Array<{ message: string }>).map((error) => error.message).join('\n')).toMatch(reason);
    }
    expect(api.refusals).toHaveLength(cases.length);
  });

  it('takes the key as a Bearer header or as ?api_key= (RunPod accepts both), and nothing else', async () => {
    const query = { query: '{ myself { id } }' };
    expect((await post(api.runpodUrl, query)).status).toBe(200);
    expect((await post(`${api.runpodUrl}?api_key=${keys.runpod}`, query, 'POST', null)).status).toBe(200);
    expect((await post(api.runpodUrl, query, 'POST', 'wrong')).status).toBe(401);
  });
});

describe("the Vast.ai fixture, checking bodies against Vast's published schema", () => {
  it('refuses an unknown field, a wrong type, a missing image, a value Vast cannot carry in env', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/api/v0/bundles/', { gpu_name: { eq: 'RTX 4090' }, gpu_model: { eq: 'x' } }, /Unrecognized key: "gpu_model"/],
      ['POST', '/api/v0/bundles/', { num_gpus: { atleast: 1 } }, /num_gpus: Unrecognized key: "atleast"/],
      ['POST', '/api/v0/bundles/', { type: 'spot' }, /type: Invalid option/],
      ['PUT', '/api/v0/asks/7/', { disk: 30 }, /image: image is required/],
      ['PUT', '/api/v0/asks/7/', { image: 'a:b', disk: 4 }, /disk: Too small/],
      ['PUT', '/api/v0/asks/7/', { image: 'a:b', env: { PEM: 'x'.repeat(257) } }, /env.PEM: an env value is at most 256 characters, got 257/],
      ['PUT', '/api/v0/asks/7/', { image: 'a:b', runtype: 'docker' }, /runtype/],
      ['PUT', '/api/v0/asks/7/', { image: 'a:b', gpu_count: 1 }, /Unrecognized key: "gpu_count"/],
      ['PUT', '/api/v0/instances/5/', { state: 'paused' }, /state/],
      ['GET', '/api/v1/instances/?limit=%22ten%22', undefined, /limit/],
    ];
    for (const [method, path, body, reason] of cases) {
      const answer = await post(`${api.vastUrl}${path}`, body, method, keys.vast);
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.body.msg).toMatch(reason);
    }
  });

  it('answers 200 {"instances": null} for an instance that does not exist, as Vast does', async () => {
    const answer = await fetch(`${api.vastUrl}/api/v0/instances/424242/?owner=me`, { headers: { authorization: `Bearer ${keys.vast}` } });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ instances: null });
  });
});
