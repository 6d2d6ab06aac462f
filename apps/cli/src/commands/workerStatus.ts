import { parseArgs } from 'node:util';
import type { PythonBridge } from '@nt/bridge';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { withWorker } from '../withWorker.js';
import { bridgeOptionsFromFlags, workersFromFlags, WORKER_FLAG_OPTIONS, WORKER_FLAGS_HELP } from '../workerFlags.js';

export const WORKER_STATUS_HELP = `Usage: nodetool worker status [--worker-url URL] [--token-file FILE] [--json] [--timeout SECONDS]

Connects to the worker (NODETOOL_WORKER_URL, else a local stdio worker) and prints
its protocol version, node count, namespaces, load errors and round-trip time. With a pool
(several URLs in NODETOOL_WORKER_URL, NODETOOL_WORKERS_FILE, or NODETOOL_WORKER_DISCOVERY=dns)
it checks every worker and exits non-zero when any is unreachable (3) or rejects its token (4),
naming which.
--url and --token are older names of --worker-url and --worker-token.
${WORKER_FLAGS_HELP}`;

export async function workerStatus(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...WORKER_FLAG_OPTIONS,
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.out(WORKER_STATUS_HELP);
    return EXIT.ok;
  }
  const timeoutMs = Number(values.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    io.err(`--timeout must be a positive number of seconds, got ${JSON.stringify(values.timeout)}`);
    return EXIT.usage;
  }
  const workers = await workersFromFlags(values, io);
  if (workers === null || workers.length === 1) {
    // One worker (a URL, or a local process): its report, as always.
    const options = workers?.[0]?.options ?? bridgeOptionsFromFlags(values, io);
    return withWorker({ ...options, openTimeoutMs: timeoutMs, rpcTimeoutMs: timeoutMs }, io, async (bridge) => {
      const report = await check(bridge);
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else printReport(report, io);
      return EXIT.ok;
    });
  }
  // A pool: every worker is checked (at once); the exit code says the worst of them.
  const results = await Promise.all(
    workers.map(async ({ id, options }) => {
      const lines: string[] = [];
      const quiet: Io = { out: (line) => lines.push(line), err: (line) => lines.push(line) };
      let report: StatusReport | null = null;
      const code = await withWorker({ ...options, openTimeoutMs: timeoutMs, rpcTimeoutMs: timeoutMs }, quiet, async (bridge) => {
        report = await check(bridge);
        return EXIT.ok;
      });
      return { id, code, report: report as StatusReport | null, problem: lines.join(' ').replace(/^nodetool: /, '') };
    }),
  );
  const failed = results.filter((result) => result.code !== EXIT.ok);
  if (values.json) {
    io.out(
      JSON.stringify(
        results.map(({ id, report, problem, code }) =>
          report ? { id, ok: true, ...(report as StatusReport) } : { id, ok: false, exit_code: code, error: problem },
        ),
        null,
        2,
      ),
    );
  } else {
    for (const result of results) {
      if (result.report) printReport(result.report, io);
      else io.out(`Worker ${result.id}: ${result.code === EXIT.tokenRejected ? 'TOKEN REJECTED' : 'UNREACHABLE'}\n  ${result.problem}`);
    }
    io.err(
      `${results.length - failed.length} of ${results.length} workers OK${failed.length ? `; failing: ${failed.map((result) => result.id).join(', ')}` : ''}`,
    );
  }
  if (failed.some((result) => result.code === EXIT.tokenRejected)) return EXIT.tokenRejected;
  if (failed.some((result) => result.code === EXIT.unreachable)) return EXIT.unreachable;
  return failed.length ? EXIT.failed : EXIT.ok;
}

interface StatusReport {
  target: string;
  transport: string;
  protocol_version: number;
  node_count: number;
  namespaces: string[];
  load_errors: Array<{ error: string }>;
  round_trip_ms: number;
  connect_ms: number;
}

async function check(bridge: PythonBridge): Promise<StatusReport> {
  const started = performance.now();
  await bridge.connect();
  const connectMs = performance.now() - started;
  const status = await bridge.status();
  return {
    target: bridge.target,
    transport: bridge.transport,
    protocol_version: status.protocol_version,
    node_count: status.node_count,
    namespaces: status.namespaces,
    load_errors: status.load_errors,
    round_trip_ms: round(bridge.lastRoundTripMs ?? 0),
    connect_ms: round(connectMs),
  };
}

function printReport(report: StatusReport, io: Io): void {
  io.out(`Worker ${report.target} (${report.transport})`);
  io.out(`  protocol     ${report.protocol_version}`);
  io.out(`  nodes        ${report.node_count}`);
  io.out(`  namespaces   ${report.namespaces.join(', ') || '(none)'}`);
  io.out(`  load errors  ${report.load_errors.length === 0 ? 'none' : report.load_errors.map((e) => e.error).join('; ')}`);
  io.out(`  round trip   ${report.round_trip_ms} ms (connect ${report.connect_ms} ms)`);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
