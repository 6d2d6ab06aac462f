import { parseArgs } from 'node:util';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { withWorker } from '../withWorker.js';
import { bridgeOptionsFromFlags, WORKER_FLAG_OPTIONS, WORKER_FLAGS_HELP } from '../workerFlags.js';

export const WORKER_STATUS_HELP = `Usage: nodetool worker status [--worker-url URL] [--token-file FILE] [--json] [--timeout SECONDS]

Connects to the worker (NODETOOL_WORKER_URL, else a local stdio worker) and prints
its protocol version, node count, namespaces, load errors and round-trip time.
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
  return withWorker({ ...bridgeOptionsFromFlags(values, io), openTimeoutMs: timeoutMs, rpcTimeoutMs: timeoutMs }, io, async (bridge) => {
    const started = performance.now();
    await bridge.connect();
    const connectMs = performance.now() - started;
    const status = await bridge.status();
    const report = {
      target: bridge.target,
      transport: bridge.transport,
      protocol_version: status.protocol_version,
      node_count: status.node_count,
      namespaces: status.namespaces,
      load_errors: status.load_errors,
      round_trip_ms: round(bridge.lastRoundTripMs ?? 0),
      connect_ms: round(connectMs),
    };
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      io.out(`Worker ${report.target} (${report.transport})`);
      io.out(`  protocol     ${report.protocol_version}`);
      io.out(`  nodes        ${report.node_count}`);
      io.out(`  namespaces   ${report.namespaces.join(', ') || '(none)'}`);
      io.out(`  load errors  ${report.load_errors.length === 0 ? 'none' : report.load_errors.map((e) => e.error).join('; ')}`);
      io.out(`  round trip   ${report.round_trip_ms} ms (connect ${report.connect_ms} ms)`);
    }
    return EXIT.ok;
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
