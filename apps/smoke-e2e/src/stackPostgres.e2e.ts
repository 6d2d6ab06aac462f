import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@nt/test-fixtures';
import { compose, docker, engineHost, freePortRange, healthOf, seedHfCache, waitFor } from '@nt/smoke-runner';
import { readWorkerChoice } from './hfWorker.js';
import { secretFile } from './secretFile.js';

// `docker compose --profile postgres up --scale server-postgres=2`: the stack on the Postgres image built
// from Debian's package, the server as two replicas sharing it. A run asked of one replica is seen done by
// the other; one replica leads; the database publishes nothing and its password shows in no log.
const SERVER_IMAGE = process.env['SERVER_IMAGE'] ?? 'nodetool-server:local';
const HF_IMAGE = process.env['HF_IMAGE'] ?? 'nodetool-hf:local';
const POSTGRES_IMAGE = process.env['POSTGRES_IMAGE'] ?? 'nodetool-postgres:local';
const SMOKE = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'hf-worker-smoke.json'), 'utf8')) as Record<string, unknown>;
const random = () => Math.random().toString(36).slice(2);
const SERVER_TOKEN = `pgstack-server-${random()}${random()}`;
const WORKER_TOKEN = `pgstack-worker-${random()}${random()}`;
const DB_PASSWORD = `pgstack-db-${random()}${random()}`;

const engine = readWorkerChoice().worker === 'container';
if (!engine && process.env['CI'] === 'true')
  throw new Error(`CI=true and no container engine: the Postgres stack suite cannot run (${readWorkerChoice().reason})`);
if (!engine) console.log('smoke-e2e: no container engine could be started, so the Postgres stack suite does not run (see worker-choice.json)');

describe.runIf(engine)('the stack on Postgres in compose: two server replicas, one database, one worker', () => {
  const project = `ntpg${random().slice(0, 6)}`;
  let env: Record<string, string>;
  let first: number;
  const bearer = { authorization: `Bearer ${SERVER_TOKEN}` };
  const urls = () => [`http://127.0.0.1:${first}`, `http://127.0.0.1:${first + 1}`];
  const containers = async (service: string) =>
    (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]))
      .split('\n')
      .filter(Boolean);
  const api = async (url: string, path: string, body?: unknown) => {
    const response = await fetch(url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...bearer, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(body === undefined ? 10_000 : 240_000),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    process.env['DOCKER_HOST'] ??= engineHost();
    first = await freePortRange(2);
    env = {
      SERVER_IMAGE,
      HF_IMAGE,
      POSTGRES_IMAGE,
      NODETOOL_SERVER_HOST_PORTS: `${first}-${first + 1}`,
      NODETOOL_SERVER_TOKEN_FILE: secretFile(`${SERVER_TOKEN}\n`),
      NODETOOL_WORKER_TOKEN_FILE: secretFile(`${WORKER_TOKEN}\n`),
      NODETOOL_POSTGRES_PASSWORD_FILE: secretFile(`${DB_PASSWORD}\n`),
      NODETOOL_WORKER_MEMORY: '4g',
      HF_HUB_OFFLINE: '1',
    };
    await seedHfCache(`${project}_hf-cache`, HF_IMAGE);
    const up = await compose(
      ['-p', project, '--profile', 'postgres', 'up', '-d', '--no-build', '--scale', 'server-postgres=2', 'postgres', 'server-postgres', 'stack-worker'],
      env,
    );
    expect(up.code, up.output).toBe(0);
  }, 600_000);

  afterAll(async () => {
    if (!env) return;
    const logs = await compose(['-p', project, '--profile', 'postgres', 'logs', '--no-color', 'server-postgres', 'postgres'], env);
    await compose(['-p', project, '--profile', 'postgres', 'down', '-v'], env);
    for (const secret of [SERVER_TOKEN, WORKER_TOKEN, DB_PASSWORD]) if (logs.output.includes(secret)) throw new Error('a secret appeared in a container’s log');
  }, 120_000);

  it('starts both replicas ready on their own ports over the one database, which publishes nothing; one of them leads', async () => {
    const [database] = await containers('postgres');
    expect(await docker(['port', database as string])).toBe('');
    await waitFor(async () => (await healthOf(database as string)) === 'healthy', 120_000, 'Postgres to report healthy');
    const replicas = await containers('server-postgres');
    expect(replicas).toHaveLength(2);
    expect((await Promise.all(replicas.map((id) => docker(['port', id, '7777/tcp'])))).sort()).toEqual(urls().map((url) => url.replace('http://', '')));
    // Each probe bounded: a connection the port's proxy accepts before the replica listens may never answer.
    const ready = async (url: string) => (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => null))?.status === 200;
    for (const url of urls()) await waitFor(() => ready(url), 240_000, `${url} to be ready`);
    const reports = async () => Promise.all(urls().map(async (url) => (await api(url, '/health')).body as { replica: { id: string; leader: boolean } }));
    await waitFor(async () => (await reports()).some((report) => report.replica.leader), 60_000, 'a leader');
    const replicasSeen = await reports();
    expect(new Set(replicasSeen.map((report) => report.replica.id)).size).toBe(2);
    expect(replicasSeen.filter((report) => report.replica.leader)).toHaveLength(1);
  }, 600_000);

  it('runs the smoke workflow asked of one replica on the shared worker; the other answers for it, done', async () => {
    const [one, other] = urls() as [string, string];
    await waitFor(async () => (await api(one, '/health')).body.pool.connected === 1, 120_000, 'the replica to reach the worker');
    const run = await api(one, '/api/run', { workflow: SMOKE, wait: true, job_id: `pgstack-${random()}` });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.status).toBe('completed');
    const seen = await api(other, `/api/jobs/${run.body.id}`);
    expect(seen.body).toMatchObject({ id: run.body.id, status: 'completed' });
    expect(Number(seen.body.result.outputs.similarity)).toBeGreaterThan(0.5);
    expect((await api(other, '/api/jobs?limit=5')).body.jobs.map((job: { id: string }) => job.id)).toContain(run.body.id);
  }, 300_000);
});
