import { parseArgs } from 'node:util';
import { InvalidKeepAliveError, parseKeepAlive, type KeepAliveMs } from '@nt/runtime';
import { InputFlagError, parseInputFlags, type InputFile } from '../inputFiles.js';
import { WORKER_FLAG_OPTIONS } from '../workerFlags.js';

/** A command line `workflows run` (or `run`) cannot take: exit 2, with this message. */
export class RunUsageError extends Error {}

/** `workflows run`'s command line, parsed; nothing checked yet. */
export function parseRunArgs(argv: string[]) {
  return parseArgs({
    args: joinNegativeValue(argv, '--keep-alive'),
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      events: { type: 'boolean', default: false },
      params: { type: 'string' },
      input: { type: 'string', multiple: true },
      'keep-alive': { type: 'string' },
      'no-download': { type: 'boolean', default: false },
      'output-dir': { type: 'string' },
      server: { type: 'string' },
      group: { type: 'string' },
      ...WORKER_FLAG_OPTIONS,
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

export type RunArgs = ReturnType<typeof parseRunArgs>;

/** What the flags ask for, each checked: one file, params an object, inputs named once, a positive timeout, a keep-alive. */
export interface RunFlags {
  file: string;
  params: Record<string, unknown>;
  inputFiles: InputFile[];
  timeoutSeconds: number | undefined;
  keepAliveMs: KeepAliveMs | undefined;
}

/** The flags checked, or a RunUsageError saying what is wrong (`usage`: the help to show with it). */
export function checkRunFlags({ values, positionals }: RunArgs, mode: 'one' | 'all', usage: string): RunFlags {
  if (positionals.length !== 1) throw new RunUsageError(`nodetool: expected one workflow file, got ${positionals.length}\n\n${usage}`);
  const file = positionals[0] as string;
  if (mode === 'all' && !/\.(ts|mts|tsx)$/i.test(file))
    throw new RunUsageError(`nodetool run takes a .ts DSL file; for ${file} use: nodetool workflows run ${file}`);
  const params = paramsOf(values.params);
  let inputFiles: InputFile[];
  try {
    inputFiles = parseInputFlags(values.input ?? []);
  } catch (error) {
    if (error instanceof InputFlagError) throw new RunUsageError(`nodetool: ${error.message}`);
    throw error;
  }
  const twice = inputFiles.find((input) => Object.hasOwn(params, input.name));
  if (twice) throw new RunUsageError(`nodetool: the input "${twice.name}" is given both in --params and by --input; give it once`);
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0))
    throw new RunUsageError(`nodetool: --timeout must be a positive number of seconds, got ${JSON.stringify(values.timeout)}`);
  let keepAliveMs: KeepAliveMs | undefined;
  try {
    keepAliveMs = values['keep-alive'] === undefined ? undefined : parseKeepAlive(values['keep-alive'], '--keep-alive');
  } catch (error) {
    if (error instanceof InvalidKeepAliveError) throw new RunUsageError(`nodetool: ${error.message}`);
    throw error;
  }
  return { file, params, inputFiles, timeoutSeconds, keepAliveMs };
}

function paramsOf(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const params = JSON.parse(text) as unknown;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new Error('not an object');
    return params as Record<string, unknown>;
  } catch (error) {
    throw new RunUsageError(`nodetool: --params must be a JSON object: ${(error as Error).message}`);
  }
}

/** `--keep-alive -1` would read as an unknown option -1: give parseArgs `--keep-alive=-1` instead. */
function joinNegativeValue(argv: string[], option: string): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === option && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${option}=${next}`);
      i++;
    } else joined.push(argv[i] as string);
  }
  return joined;
}
