import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectWorkerPython } from './realWorker.js';

/** One of the example workflows a released nodetool package ships, as its file has it. */
export interface UpstreamExample {
  /** The file's name without .json: "Object Detection". */
  name: string;
  file: string;
  document: Record<string, unknown>;
}

/**
 * The example workflows the pinned nodetool-huggingface wheel installed into the HF environment
 * (`nx run worker:setup-hf`) ships under nodetool/examples/nodetool-huggingface: read from there, never
 * copied, so a new pin brings its own examples to the suites.
 */
export function upstreamExamples(packageName = 'nodetool-huggingface'): UpstreamExample[] {
  const sitePackages = execFileSync(projectWorkerPython('hf'), ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {
    encoding: 'utf8',
  }).trim();
  const dir = join(sitePackages, 'nodetool', 'examples', packageName);
  if (!existsSync(dir)) throw new Error(`${dir} is missing: the HF environment has no ${packageName} examples (npx nx run worker:setup-hf)`);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: file.slice(0, -'.json'.length),
      file: join(dir, file),
      document: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>,
    }));
}
