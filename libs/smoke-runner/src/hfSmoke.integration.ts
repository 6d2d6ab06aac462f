import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectWorkerPython } from '@nt/test-fixtures';
import { checkSmokeResult } from './checkSmokeResult.js';
import { SMOKE_DSL_PATH, SMOKE_SENTENCES, SMOKE_WORKFLOW_PATH } from './smokeWorkflow.js';

const CLI = fileURLToPath(new URL('../../../apps/cli/bin/nodetool.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../../apps/worker/scripts/reference-embedding.py', import.meta.url));

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env['NODETOOL_WORKER_URL'];
  // The HF environment is found by the CLI itself (apps/worker/.venv-hf), as a user's run would.
  delete env['NODETOOL_PYTHON'];
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type JsonOutputs = Record<string, { data?: number[] } | number>;

describe('the HF smoke workflow on the real worker (local, offline model)', () => {
  let fromJson: { status: string; outputs: JsonOutputs };

  beforeAll(async () => {
    const cli = await run(process.execPath, [CLI, 'workflows', 'run', SMOKE_WORKFLOW_PATH, '--json']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    fromJson = JSON.parse(cli.stdout);
  }, 180_000);

  it('returns two real 384-dimension embeddings whose similarity is above 0.5', () => {
    expect(fromJson.status).toBe('completed');
    const check = checkSmokeResult(fromJson.outputs);
    expect(check.failures).toEqual([]);
  });

  it('matches embeddings and a similarity computed directly with transformers and torch, outside our code', async () => {
    const reference = await run(projectWorkerPython('hf'), [REFERENCE, SMOKE_SENTENCES.embedding_a, SMOKE_SENTENCES.embedding_b]);
    expect(reference.code).toBe(0);
    const expected = JSON.parse(reference.stdout) as { embeddings: number[][]; similarity: number };
    ['embedding_a', 'embedding_b'].forEach((name, index) => {
      const actual = (fromJson.outputs[name] as { data: number[] }).data;
      const reference = expected.embeddings[index] as number[];
      expect(actual).toHaveLength(reference.length);
      // Element by element: no similarity function of ours stands between the two.
      const worst = Math.max(...actual.map((value, i) => Math.abs(value - (reference[i] as number))));
      expect(worst, `${name}: largest difference from the reference`).toBeLessThan(1e-4);
    });
    expect(fromJson.outputs['similarity'] as number).toBeCloseTo(expected.similarity, 5);
  }, 120_000);

  it('gives the same outputs from the .ts DSL file through nodetool run', async () => {
    const cli = await run(process.execPath, [CLI, 'run', SMOKE_DSL_PATH, '--json']);
    expect(cli.code).toBe(0);
    const fromDsl = JSON.parse(cli.stdout) as { hfWorkerSmoke: { outputs: JsonOutputs } };
    const dsl = fromDsl.hfWorkerSmoke.outputs;
    expect(Object.keys(dsl).sort()).toEqual(Object.keys(fromJson.outputs).sort());
    expect(dsl['similarity']).toBeCloseTo(fromJson.outputs['similarity'] as number, 9);
    for (const name of ['embedding_a', 'embedding_b']) {
      const fromTs = (dsl[name] as { data: number[] }).data;
      const fromFile = (fromJson.outputs[name] as { data: number[] }).data;
      expect(Math.max(...fromTs.map((value, i) => Math.abs(value - (fromFile[i] as number))))).toBeLessThan(1e-6);
    }
  }, 180_000);
});
