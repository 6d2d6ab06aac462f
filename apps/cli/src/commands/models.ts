import { parseArgs } from 'node:util';
import { CancelledError, type PythonBridge } from '@nt/bridge';
import { downloadModelOnce, ModelKeepAlive, pickSecrets, secretPolicyFromEnv, toJsonValue, type ModelDownloadProgress } from '@nt/runtime';
import { DownloadMeter } from '../downloadMeter.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { formatBytes } from '@nt/display';
import { withWorker } from '../withWorker.js';
import { bridgeOptionsFromFlags, WORKER_FLAG_OPTIONS, WORKER_FLAGS_HELP } from '../workerFlags.js';

export const MODELS_HELP = `Usage: nodetool models list [--json]
       nodetool models download <repo_id> [--allow PATTERN]... [--ignore PATTERN]... [--path FILE] [--json]
       nodetool models evict (--all | <repo_id>) [--json]
       nodetool models delete <repo_id> [--json]

The HuggingFace models of the worker (NODETOOL_WORKER_URL, else a local worker process):
  list      the models in its cache: repo, size on disk, the one file when only that is cached
  download  fetches a repo (or the files --allow/--ignore select, or one --path) into its cache;
            a progress bar on a terminal, NDJSON progress lines with --json; Ctrl-C cancels
  evict     frees loaded models: <repo_id> ends the keep-alive that holds it (see \`workflows
            run --keep-alive\`); --all evicts every loaded model that no run is using
  delete    removes a repo from its cache (its files on disk)
${WORKER_FLAGS_HELP}
Exit codes: 0 done, 1 failed (or nothing to delete), 2 usage, 3 worker unreachable, 4 token rejected.`;

export async function models(argv: string[], io: Io, isTerminal = process.stderr.isTTY === true): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      allow: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      path: { type: 'string' },
      ...WORKER_FLAG_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || sub === undefined || sub === '--help' || sub === '-h') {
    io.out(MODELS_HELP);
    return EXIT.ok;
  }
  const usage = (problem: string) => {
    io.err(`nodetool: ${problem}\n\n${MODELS_HELP}`);
    return EXIT.usage;
  };
  const repoId = positionals[0];
  if (sub === 'list') {
    if (positionals.length) return usage('models list takes no arguments');
  } else if (sub === 'download' || sub === 'delete') {
    if (positionals.length !== 1) return usage(`models ${sub} takes one repo id, got ${positionals.length}`);
  } else if (sub === 'evict') {
    if (values.all === (positionals.length === 1) || positionals.length > 1) return usage('models evict takes either --all or one repo id');
  } else {
    return usage(`unknown models command "${sub}"`);
  }

  return withWorker(bridgeOptionsFromFlags(values, io), io, async (bridge) => {
    await bridge.connect();
    if (!bridge.capabilities().modelManagement) {
      io.err(`nodetool: this worker (protocol ${bridge.protocolVersion}) has no model management; it needs protocol 2 or later`);
      return EXIT.failed;
    }
    if (sub === 'list') return list(bridge, io, values.json);
    if (sub === 'download')
      return download(bridge, io, { repo_id: repoId as string, allow: values.allow, ignore: values.ignore, path: values.path }, values.json, isTerminal);
    if (sub === 'evict') return evict(bridge, io, values.all ? null : (repoId as string), values.json);
    return remove(bridge, io, repoId as string, values.json);
  });
}

async function list(bridge: PythonBridge, io: Io, json: boolean): Promise<ExitCode> {
  const cached = await bridge.listCachedModels();
  if (json) {
    io.out(JSON.stringify(toJsonValue(cached), null, 2));
    return EXIT.ok;
  }
  const rows = cached
    .map((model) => ({
      repo: model.repo_id ?? model.id,
      size: typeof model.size_on_disk === 'number' ? formatBytes(model.size_on_disk) : '?',
      file: model.path ?? '',
    }))
    .sort((a, b) => a.repo.localeCompare(b.repo));
  const width = Math.max(4, ...rows.map((row) => row.repo.length));
  if (rows.length) io.out(`${'REPO'.padEnd(width)}  ${'SIZE'.padStart(8)}  FILE`);
  for (const row of rows) io.out(`${row.repo.padEnd(width)}  ${row.size.padStart(8)}  ${row.file}`.trimEnd());
  io.err(`${rows.length} model${rows.length === 1 ? '' : 's'} in the worker's cache (${bridge.target})`);
  return EXIT.ok;
}

async function download(
  bridge: PythonBridge,
  io: Io,
  request: { repo_id: string; allow?: string[]; ignore?: string[]; path?: string },
  json: boolean,
  isTerminal: boolean,
): Promise<ExitCode> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const meter = new DownloadMeter();
  let drawn = false;
  const show = (progress: ModelDownloadProgress) => {
    if (json) return io.out(JSON.stringify(progress));
    const line = meter.line(progress);
    if (isTerminal) {
      process.stderr.write(`\r\x1b[K${line}${progress.status === 'progress' || progress.status === 'start' ? '' : '\n'}`);
      drawn = progress.status === 'progress' || progress.status === 'start';
    } else if (progress.status !== 'progress') {
      io.err(line);
    }
  };
  try {
    const reply = await downloadModelOnce(
      bridge,
      {
        repo_id: request.repo_id,
        ...(request.path ? { path: request.path } : {}),
        ...(request.allow?.length ? { allow_patterns: request.allow } : {}),
        ...(request.ignore?.length ? { ignore_patterns: request.ignore } : {}),
      },
      { signal: controller.signal, onProgress: show, token: pickSecrets(['HF_TOKEN'], secretPolicyFromEnv(), bridge.confidential).secrets['HF_TOKEN'] },
    );
    if (reply.status !== 'completed') {
      io.err(`nodetool: the download of ${request.repo_id} ended "${reply.status}"`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (error) {
    if (drawn) process.stderr.write('\n');
    if (error instanceof CancelledError) {
      io.err(`nodetool: download of ${request.repo_id} cancelled; the files already fetched stay in the cache and a new download resumes`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

async function evict(bridge: PythonBridge, io: Io, repoId: string | null, json: boolean): Promise<ExitCode> {
  // Detached: this process only ends what it is asked to; it holds nothing itself.
  const keepAlive = new ModelKeepAlive(bridge, { detached: true });
  if (repoId === null) {
    const { evicted } = await keepAlive.evictAll();
    if (json) io.out(JSON.stringify({ evicted }, null, 2));
    else
      io.out(evicted.length ? `Evicted ${evicted.length} loaded model${evicted.length === 1 ? '' : 's'}: ${evicted.join(', ')}` : 'No loaded model to evict.');
    return EXIT.ok;
  }
  const result = await keepAlive.evict(repoId);
  if (json) io.out(JSON.stringify(result, null, 2));
  else if (result.leases.length)
    io.out(`Released ${repoId}: ${result.released_nodes.length} node${result.released_nodes.length === 1 ? '' : 's'} freed its models.`);
  else io.out(`No keep-alive on this worker holds ${repoId}; nothing was evicted. \`nodetool models evict --all\` evicts every loaded model.`);
  return EXIT.ok;
}

async function remove(bridge: PythonBridge, io: Io, repoId: string, json: boolean): Promise<ExitCode> {
  const { deleted } = await bridge.deleteModel(repoId);
  if (json) io.out(JSON.stringify({ repo_id: repoId, deleted }, null, 2));
  else if (deleted) io.out(`Deleted ${repoId} from the worker's cache.`);
  else io.err(`nodetool: ${repoId} is not in the worker's cache; nothing was deleted`);
  return deleted ? EXIT.ok : EXIT.failed;
}
