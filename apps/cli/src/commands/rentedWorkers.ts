import { parseArgs } from 'node:util';
import type { RentedWorkerInfo } from '@nt/api-contract';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { SERVER_FLAGS_HELP, serverApi, serverCallFailure, type ServerApi } from '../serverClient.js';

export const RENTED_WORKERS_HELP = `Usage: nodetool worker create <profile> [--attach] [--json]
       nodetool worker list [--json]
       nodetool worker stop <id> | start <id>
       nodetool worker destroy <id> [--yes]

Rent and release GPU workers through the server (profiles: nodetool worker profile):
  create   rents an instance from a profile (a fresh worker token, a certificate the server pins),
           follows it (provisioning, starting, healthy) until the worker answers its handshake;
           --attach adds it to the server's pool. A failure destroys it again: nothing left billing.
  list     provider, id, state, GPU, price per hour, uptime, cost so far, attached or not
  stop, start   stopping keeps the disk and ends GPU billing; the cost guard does it on its own
           (idle, time to live, spend ceiling) and starts it again for a run (guard.on_stopped_run)
  destroy  deletes the instance and its disk; asks on a terminal, --yes for scripts
${SERVER_FLAGS_HELP}
Exit codes: 0 done, 1 failed, 2 usage or refused (unknown profile, price over the ceiling), 3 server unreachable, 4 token rejected.`;

export async function rentedWorkers(command: string, argv: string[], io: Io, confirm?: (question: string) => Promise<boolean>): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      attach: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(RENTED_WORKERS_HELP);
    return EXIT.ok;
  }
  const usage = (problem: string) => {
    io.err(`nodetool: ${problem}\n\n${RENTED_WORKERS_HELP}`);
    return EXIT.usage;
  };
  const wants = command === 'list' ? 0 : 1;
  if (positionals.length !== wants)
    return usage(`worker ${command} takes ${wants ? `one ${command === 'create' ? 'profile name' : 'worker id'}` : 'no arguments'}`);
  try {
    const { api } = serverApi(values.server);
    const target = positionals[0] as string;
    if (command === 'list') {
      const { body } = await api.rentedWorkers.list();
      if (values.json) io.out(JSON.stringify(body.workers, null, 2));
      else printTable(body.workers, io);
      return EXIT.ok;
    }
    if (command === 'create') return await create(api, target, values.attach, values.json, io);
    if (command === 'stop' || command === 'start') {
      const { body } = await api.rentedWorkers[command]({ params: { id: target } });
      io.out(values.json ? JSON.stringify(body, null, 2) : `${body.id}: ${body.stage}`);
      return EXIT.ok;
    }
    if (command === 'destroy') {
      if (!values.yes) {
        if (!confirm) return usage(`destroying ${target} deletes the instance and its disk: pass --yes to do it without a question`);
        if (!(await confirm(`Destroy ${target}? Its instance and disk are deleted. [y/N] `))) {
          io.err('nodetool: nothing destroyed');
          return EXIT.failed;
        }
      }
      const { body } = await api.rentedWorkers.destroy({ params: { id: target }, body: { confirm: target } });
      io.out(values.json ? JSON.stringify(body, null, 2) : `${body.id}: destroyed (cost $${body.cost_so_far.toFixed(2)} in all)`);
      return EXIT.ok;
    }
    return usage(`unknown worker command "${command}"`);
  } catch (error) {
    const failure = serverCallFailure(error);
    if (!failure) throw error;
    io.err(`nodetool: ${failure.message}`);
    return failure.exitCode;
  }
}

/** Rents, then follows the worker until it is healthy or failed, printing each stage once. */
async function create(api: ServerApi, profile: string, attach: boolean, json: boolean, io: Io): Promise<ExitCode> {
  let { body: worker } = await api.rentedWorkers.create({ body: { profile, attach } });
  const say = (info: RentedWorkerInfo) =>
    json ? io.err(JSON.stringify({ id: info.id, state: info.state, stage: info.stage })) : io.err(`${info.id}: ${info.stage}`);
  say(worker);
  let shown = worker.stage;
  for (;;) {
    if (worker.state === 'failed') {
      io.err(`nodetool: ${worker.error ?? 'the worker failed to start'}`);
      if (json) io.out(JSON.stringify(worker, null, 2));
      return EXIT.failed;
    }
    if (worker.stage.startsWith('healthy') && (!attach || worker.attached)) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    worker = (await api.rentedWorkers.get({ params: { id: worker.id } })).body;
    if (worker.stage !== shown) {
      say(worker);
      shown = worker.stage;
    }
  }
  if (json) io.out(JSON.stringify(worker, null, 2));
  else io.out(`${worker.id} is ready at ${worker.url} ($${worker.price_per_hour ?? '?'}/h)${worker.attached ? ", in the server's pool" : ''}`);
  return EXIT.ok;
}

function printTable(workers: RentedWorkerInfo[], io: Io): void {
  if (!workers.length) {
    io.out('no rented workers (nodetool worker create <profile>)');
    return;
  }
  const rows = workers.map((worker) => [
    worker.id,
    worker.state,
    worker.gpu ?? '?',
    worker.price_per_hour === null ? '?' : `$${worker.price_per_hour.toFixed(3)}`,
    uptime(worker.uptime_seconds),
    `$${worker.cost_so_far.toFixed(2)}`,
    worker.attached ? 'yes' : 'no',
    worker.profile,
  ]);
  const header = ['ID', 'STATE', 'GPU', '$/H', 'UPTIME', 'COST', 'ATTACHED', 'PROFILE'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  for (const row of [header, ...rows])
    io.out(
      row
        .map((cell, column) => cell.padEnd(widths[column] as number))
        .join('  ')
        .trimEnd(),
    );
}

function uptime(seconds: number): string {
  if (!seconds) return '-';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours ? `${hours}h${String(minutes).padStart(2, '0')}m` : `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}
