import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorkflowJson, type Workflow } from '@nt/runtime';

/** examples/hf-worker-smoke.json, found from this file. */
export const SMOKE_WORKFLOW_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'hf-worker-smoke.json');
export const SMOKE_DSL_PATH = join(dirname(SMOKE_WORKFLOW_PATH), 'hf-worker-smoke.ts');

export const SMOKE_SENTENCES = { embedding_a: 'The cat sits on the mat.', embedding_b: 'A feline rests on the rug.' } as const;

export async function loadSmokeWorkflow(path = SMOKE_WORKFLOW_PATH): Promise<Workflow> {
  return parseWorkflowJson(await readFile(path, 'utf8'), path);
}
