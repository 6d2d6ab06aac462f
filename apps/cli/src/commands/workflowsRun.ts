import type { RunWaiting } from '@nt/api-contract';
import { readSetting, readSettingIfSet } from '@nt/settings';
import { checkBridgeOptions, type PythonBridgeOptions } from '@nt/bridge';
import { GraphValidationError, ModelKeepAlive, runWorkflow, toJsonValue, WorkflowFormatError, type RunEvent, type RunResult, type Workflow } from '@nt/runtime';
import { exitCodeFor } from '../bridgeErrors.js';
import { EXIT, type ExitCode } from '../exitCodes.js';
import { formatValue } from '../formatValue.js';
import type { Io } from '../io.js';
import { DownloadLines, LiveProgress } from '../liveProgress.js';
import { StreamedText } from '../streamedText.js';
import { InputFlagError, readInputFiles, uploadInputFiles } from '../inputFiles.js';
import { outputDirAssets } from '../outputFiles.js';
import { serverCallFailure } from '../serverClient.js';
import { runOnServer, type ServerRunResult } from '../serverRun.js';
import { readWorkflows } from '../workflowSource.js';
import { reportRentedActivity } from '../rentedActivity.js';
import { bridgeOptionsFromFlags, WORKER_FLAGS_HELP } from '../workerFlags.js';
import { checkRunFlags, parseRunArgs, RunUsageError, type RunArgs, type RunFlags } from './runFlags.js';

export const WORKFLOWS_RUN_HELP = `Usage: nodetool workflows run <file.json|file.ts> [--json] [--events] [--params JSON]
                              [--input NAME=FILE ...] [--keep-alive DURATION] [--no-download] [--output-dir DIR]
                              [--worker-url URL] [--token-file FILE] [--timeout SECONDS]
                              [--server URL [--group G]]
       nodetool run <file.ts> [--json] [--keep-alive DURATION] [--no-download] [--worker-url URL] [--token-file FILE]

Runs a workflow; Python nodes go to the worker at NODETOOL_WORKER_URL, or to a local
worker when none is set. Models the nodes name that the worker's cache lacks are downloaded
first, with progress.
  --params JSON   values for the workflow's inputs by name ({"prompt": "a cat", "steps": 4}); each
                  is checked against its input's type before the run. A media input takes an http(s)
                  URL, which the runner fetches (public addresses only; NODETOOL_FETCH_ALLOW_HOSTS)
  --input N=FILE  a file for the media input N (an image, a sound, a video, a document); repeat for
                  several. With --server it is uploaded as an asset first; otherwise its bytes go to
                  the worker with the run
  --json          print only the result object on stdout
  --events        print run events as NDJSON on stdout, each with its seq (1, 2, 3, …), every item
                  of a stream included
                  On a terminal, text a streaming node sends to a Preview or Output (an LLM's tokens)
                  is printed as it arrives.
  --no-download   fail instead of downloading a missing model (the error says how to fetch it)
  --output-dir D  write binary results (images, audio, video) to files in D, streamed as they
                  arrive, named <node>-<output>.<ext>; the summary and --json name the files
  --server URL    run on that server instead of in this process (also NODETOOL_SERVER_URL), with
                  its workers and asset store; with --output-dir its asset results are downloaded.
                  The token comes from NODETOOL_SERVER_TOKEN or NODETOOL_SERVER_TOKEN_FILE. A run that
                  waits for a worker a scaled profile rents says what it waits for, on stderr
  --group G       with --server: run on the workers of the group G (a scaled group rents one when
                  none is connected); default: the workflow's settings.worker_group, or any worker
  --keep-alive D  against a remote worker (NODETOOL_WORKER_URL), leave the run's models loaded
                  there (5m, 30s, 1h, -1 until evicted; 0 releases them at run end, and also
                  models an earlier --keep-alive run left). This process exits after the run, so
                  it cannot release them when D passes: the next run that uses the same model
                  finds it loaded and takes it over, \`nodetool models evict\` releases it, and
                  otherwise the worker's job TTL does (NODETOOL_WORKER_JOB_TTL_SECONDS, 30 min of
                  no activity by default). Without --keep-alive, models are released at run end.
                  A local worker process exits with this command, so there it has no effect.
${WORKER_FLAGS_HELP}
Exit codes: 0 completed, 1 a node failed (or cancelled), 2 invalid workflow, usage or setting,
3 worker unreachable, 4 token rejected.`;

/** `workflows run` runs the one workflow in a file; `run` runs every workflow a .ts file exports. */
export async function workflowsRun(argv: string[], io: Io, mode: 'one' | 'all'): Promise<ExitCode> {
  const args = parseRunArgs(argv);
  const { values } = args;
  if (values.help) {
    io.out(WORKFLOWS_RUN_HELP);
    return EXIT.ok;
  }
  let flags: RunFlags;
  try {
    flags = checkRunFlags(args, mode, WORKFLOWS_RUN_HELP);
  } catch (error) {
    if (!(error instanceof RunUsageError)) throw error;
    io.err(error.message);
    return EXIT.usage;
  }
  const server = values.server ?? readSettingIfSet(process.env, 'NODETOOL_SERVER_URL');
  if (values.group !== undefined && !server) {
    io.err(`nodetool: --group names the server's worker group: it needs --server (or NODETOOL_SERVER_URL)\n\n${WORKFLOWS_RUN_HELP}`);
    return EXIT.usage;
  }
  const bridgeOptions = bridgeOptionsFromFlags(values, io);
  const envWorker = readSetting(process.env, 'NODETOOL_WORKER_URL')[0];
  if (flags.keepAliveMs !== undefined && !(server ?? bridgeOptions.wsUrl ?? envWorker)) {
    io.err(
      'nodetool: note: --keep-alive has no effect with a local worker process, which exits with this command; set NODETOOL_WORKER_URL to keep models loaded on a worker',
    );
    flags.keepAliveMs = undefined;
  }
  try {
    checkBridgeOptions(bridgeOptions);
  } catch (error) {
    io.err(`nodetool: ${(error as Error).message}`);
    return exitCodeFor(error);
  }
  await reportRentedActivity(bridgeOptions.wsUrl ?? envWorker);

  let workflows: Array<{ exportName: string; workflow: Workflow }>;
  try {
    workflows = await readWorkflows(flags.file);
  } catch (error) {
    io.err(`nodetool: ${(error as Error).message}`);
    return error instanceof WorkflowFormatError || error instanceof GraphValidationError ? EXIT.usage : EXIT.failed;
  }
  if (mode === 'one' && workflows.length > 1) {
    io.err(
      `nodetool: ${flags.file} exports ${workflows.length} workflows (${workflows.map((w) => w.exportName).join(', ')}); use nodetool run to run them all`,
    );
    return EXIT.usage;
  }
  return runAll(workflows, { flags, values, server, bridgeOptions, mode }, io);
}

interface RunSetting {
  flags: RunFlags;
  values: RunArgs['values'];
  server: string | undefined;
  bridgeOptions: PythonBridgeOptions;
  mode: 'one' | 'all';
}

/** Runs each workflow in turn (on the server, or here), under Ctrl-C and --timeout; the exit code says how they ended. */
async function runAll(workflows: Array<{ exportName: string; workflow: Workflow }>, setting: RunSetting, io: Io): Promise<ExitCode> {
  const { flags, values, server, mode } = setting;
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  const { timeoutSeconds } = flags;
  const timer = timeoutSeconds ? setTimeout(() => controller.abort(new Error(`timed out after ${timeoutSeconds} s`)), timeoutSeconds * 1000) : undefined;
  const results: Record<string, RunResult | ServerRunResult> = {};
  let code: ExitCode = EXIT.ok;
  try {
    // Files for media inputs: uploaded once to a server, or read once for runs in this process.
    const files = flags.inputFiles;
    const params = files.length ? { ...flags.params, ...(server ? await uploadInputFiles(files, server) : await readInputFiles(files)) } : flags.params;
    for (const { exportName, workflow } of workflows) {
      const result = await runOne(workflow, params, setting, controller.signal, io);
      results[exportName] = result;
      if (result.status === 'interrupted' && code === EXIT.ok) code = EXIT.interrupted;
      else if (result.status !== 'completed' && result.status !== 'interrupted') code = EXIT.failed;
      if (!values.json && !values.events) printSummary(result, mode === 'all' ? exportName : null, io);
    }
  } catch (error) {
    const failure = serverCallFailure(error);
    if (failure) {
      io.err(`nodetool: ${failure.message}`);
      return failure.exitCode;
    }
    io.err(`nodetool: ${(error as Error).message}`);
    return error instanceof GraphValidationError || error instanceof WorkflowFormatError || error instanceof InputFlagError ? EXIT.usage : exitCodeFor(error);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
  }
  if (values.json) {
    const payload = mode === 'all' ? results : Object.values(results)[0];
    io.out(JSON.stringify(toJsonValue(payload), null, 2));
  }
  return code;
}

/** One workflow's run, its events shown as the flags ask: live on a terminal, as JSON lines, or quiet until the summary. */
async function runOne(
  workflow: Workflow,
  params: Record<string, unknown>,
  setting: RunSetting,
  signal: AbortSignal,
  io: Io,
): Promise<RunResult | ServerRunResult> {
  const { values, server, bridgeOptions, flags } = setting;
  const quiet = values.json || values.events;
  const labels = new Map(workflow.graph.nodes.map((node) => [node.id, `${node.id} (${node.type.split('.').pop()})`]));
  const live = !quiet && process.stderr.isTTY ? new LiveProgress(process.stderr, labels) : null;
  // An LLM's tokens (text chunks reaching a sink) are printed as they arrive, on a terminal.
  const streamed = !quiet && process.stdout.isTTY ? new StreamedText((text) => process.stdout.write(text), live) : null;
  const downloads = new DownloadLines();
  if (!quiet) io.err(`Running ${workflow.name}…`);
  // A server numbers its events; a run in this process is numbered here the same way (1, 2, 3, …).
  let seq = 0;
  const onEvent = (event: RunEvent) => {
    streamed?.handle(event);
    live?.handle(event);
    if (values.events) io.out(JSON.stringify(toJsonValue('seq' in event ? event : { ...event, seq: ++seq })));
    else if (event.type === 'model_download' && !live && event.status !== 'progress') io.err(downloads.line(event));
    else if (event.type === 'secret_withheld')
      io.err(`nodetool: warning: node ${event.node_id} asked for ${event.setting}, which was not sent: ${event.reason}`);
  };
  const outputDir = values['output-dir'];
  const downloadMissing = !values['no-download'];
  if (server) {
    // What it waits for, once per stage: "waiting for a worker: renting 1× RTX 4090 on Vast.ai at $0.41/h (…), booting".
    let said = '';
    const onWaiting = (waiting: RunWaiting) => {
      const line = waiting.text.replace(/, \d+ s$/, '');
      if (!quiet && line !== said) io.err(line);
      said = line;
    };
    return runOnServer(workflow, {
      server,
      params,
      keepAlive: values['keep-alive'],
      downloadMissing,
      signal,
      onEvent,
      onWaiting,
      ...(values.group ? { group: values.group } : {}),
      ...(outputDir ? { outputDir } : {}),
    });
  }
  const { keepAliveMs } = flags;
  return runWorkflow(workflow, {
    params,
    signal,
    bridgeOptions,
    downloadMissing,
    ...(outputDir ? { assets: outputDirAssets(outputDir) } : {}),
    ...(keepAliveMs === undefined ? {} : { keepAliveMs, keepAliveFor: (bridge) => new ModelKeepAlive(bridge, { detached: true }) }),
    onWarning: (message) => io.err(`nodetool: warning: ${message}`),
    onEvent,
  });
}

function printSummary(result: RunResult | ServerRunResult, exportName: string | null, io: Io): void {
  if (exportName) io.out(`${exportName}:`);
  const indent = exportName ? '  ' : '';
  io.out(`${indent}Status: ${result.status} in ${result.duration_ms} ms`);
  if (result.error) io.err(`${indent}Error: ${result.error}`);
  for (const [name, value] of Object.entries(result.outputs)) io.out(`${indent}${name}: ${formatValue(value)}`);
  for (const [nodeId, record] of Object.entries(result.nodes)) {
    for (const [slot, { items, left_out }] of Object.entries(record.streamed ?? {})) {
      if (left_out > 0)
        io.out(`${indent}(${nodeId}.${slot} streamed ${items} items; the record keeps the last ${items - left_out}: NODETOOL_MAX_RECORDED_ITEMS)`);
    }
  }
}
