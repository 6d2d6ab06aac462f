import { readSetting } from '@nt/settings';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `nx run worker:setup` puts the project's own worker environment. */
export const PROJECT_WORKER_VENV = join('apps', 'worker', '.venv');
/** Where `nx run worker:setup:hf` puts the HuggingFace one; preferred once its setup has finished. */
export const PROJECT_HF_WORKER_VENV = join('apps', 'worker', '.venv-hf');

export interface InterpreterChoice {
  path: string;
  source: 'option' | 'NODETOOL_PYTHON' | 'project worker environment' | 'PATH';
}

/**
 * Picks the stdio worker's interpreter: the explicit option, then
 * NODETOOL_PYTHON, then the project's worker environment (searched upward from
 * the working directory and from this module; the HF one when its setup has
 * completed, else the core one), then `python3` on PATH.
 */
export function resolvePythonInterpreter(
  pythonPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  searchFrom: string[] = [process.cwd(), dirname(fileURLToPath(import.meta.url))],
): InterpreterChoice {
  if (pythonPath) return { path: pythonPath, source: 'option' };
  const fromEnv = readSetting(env, 'NODETOOL_PYTHON');
  if (fromEnv) return { path: fromEnv, source: 'NODETOOL_PYTHON' };
  const venv = readSetting(env, 'NODETOOL_WORKER_VENV');
  if (venv && existsSync(join(venv, 'bin', 'python'))) {
    return { path: join(venv, 'bin', 'python'), source: 'project worker environment' };
  }
  for (const start of searchFrom) {
    // The stamp is written last by setup.sh, so a half-installed HF environment is never picked.
    const hfStamp = findUpward(start, join(PROJECT_HF_WORKER_VENV, '.nodetool-setup-hf'));
    if (hfStamp) return { path: join(dirname(hfStamp), 'bin', 'python'), source: 'project worker environment' };
    const found = findUpward(start, join(PROJECT_WORKER_VENV, 'bin', 'python'));
    if (found) return { path: found, source: 'project worker environment' };
  }
  return { path: 'python3', source: 'PATH' };
}

function findUpward(start: string, relative: string): string | null {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
