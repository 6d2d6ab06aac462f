import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, workerConnected, type ServerProcess } from '@nt/test-fixtures';
import { edge, node } from './testing/testServer.js';

// The server's log as a log shipper reads it: the server run as its own process, as people run it,
// and everything it writes to stdout and stderr read back. JSON lines, each run and node line carrying
// job_id, node_id and worker; and, with every secret this system knows set (a profile's own
// NODETOOL_*_API_KEY among them), none of them in any line, even when a node's error and log text
// carry them, and a presigned URL's signature neither.
const SECRETS = {
  NODETOOL_SERVER_TOKEN: 'logs-suite-server-token-0c8e5d17',
  NODETOOL_WORKER_TOKEN: 'logs-suite-worker-token-77ab90e2',
  RUNPOD_API_KEY: 'rpa_LOGSSUITE0123456789ABCDEF',
  VAST_API_KEY: 'vast-logs-suite-key-a1b2c3d4e5',
  NODETOOL_TEAM_RUNPOD_API_KEY: 'rpa_TEAMPROFILEKEY9876543210',
  HF_TOKEN: 'hf_logsSuiteToken0123456789abcd',
  S3_ACCESS_KEY_ID: 'AKIALOGSSUITE0123456',
  S3_SECRET_ACCESS_KEY: 'logsSuiteSecretAccessKey/0123456789abcdefXY',
};
const SIGNATURE = '5f2a0c9e7d4b1a3f6e8c0d2b4a6f8e1c3d5b7a9f0e2c4d6b8a0f1e3c5d7b9a2f';
const PRESIGNED = `https://bucket.s3.amazonaws.com/assets/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${SECRETS.S3_ACCESS_KEY_ID}%2F20261203%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${SIGNATURE}`;
const bearer = { authorization: `Bearer ${SECRETS.NODETOOL_SERVER_TOKEN}` };

describe('structured logs', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({
      ...SECRETS,
      NODETOOL_LOG_LEVEL: 'debug',
      NODETOOL_LOG_FORMAT: 'json',
      NODETOOL_LOG_REQUESTS: '1',
      NODETOOL_WORKER_SECRETS: 'HF_TOKEN',
      NODETOOL_DB: join(mkdtempSync(join(tmpdir(), 'nt-logs-')), 'server.db'),
    });
    await workerConnected(server.url, 60_000, SECRETS.NODETOOL_SERVER_TOKEN);
  }, 90_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

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
    const run = await fetch(`${server.url}/api/run`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ graph, wait: true }),
    });
    const job = (await run.json()) as { id: string; status: string };
    expect(job.status).toBe('failed');
    const health = (await (await fetch(`${server.url}/health`, { headers: bearer })).json()) as { pool: { workers: Array<{ id: string }> } };
    const worker = health.pool.workers[0]?.id;
    // A login link, whose query holds the token, and a wrong bearer token.
    await fetch(`${server.url}/?token=${SECRETS.NODETOOL_SERVER_TOKEN}`, { redirect: 'manual' });
    await fetch(`${server.url}/api/jobs`, { headers: { authorization: `Bearer ${SECRETS.NODETOOL_SERVER_TOKEN}x` } });
    // The server stops: what it wrote up to its last line is all there is to read.
    server.child.kill('SIGTERM');
    const written = (await server.exited).output;

    const lines = written.split('\n').filter((line) => line.trim());
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`the server wrote a line that is not JSON: ${line}`);
      }
    });
    expect(records.every((record) => typeof record['level'] === 'string' && typeof record['time'] === 'string' && typeof record['msg'] === 'string')).toBe(
      true,
    );
    const ofRun = records.filter((record) => record['job_id'] === job.id);
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

    // The failure was logged, with the secrets taken out where they stood.
    expect(written).toMatch(/an error that quotes \[NODETOOL_SERVER_TOKEN redacted\]/);
    expect(written).toMatch(/\[NODETOOL_TEAM_RUNPOD_API_KEY redacted\]/);
    for (const [name, value] of Object.entries(SECRETS)) expect(written, name).not.toContain(value);
    expect(written).not.toContain(SIGNATURE);
  }, 60_000);
});
