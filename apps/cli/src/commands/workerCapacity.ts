import { parseArgs } from 'node:util';
import type { CapacityReport } from '@nt/api-contract';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { SERVER_FLAGS_HELP, serverApi, serverCallFailure } from '../serverClient.js';

export const WORKER_CAPACITY_HELP = `Usage: nodetool worker capacity [--json]

Elastic capacity on the server: what rentals cost today against NODETOOL_RENT_MAX_SPEND_PER_DAY, each
profile with its scale (by hand, or min-max), its instances (booting, running, stopped) and what it
billed today, and the runs waiting for each group with what they wait for.
${SERVER_FLAGS_HELP}
Exit codes: 0 done, 1 failed, 3 server unreachable, 4 token rejected.`;

export async function workerCapacity(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, server: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(WORKER_CAPACITY_HELP);
    return EXIT.ok;
  }
  try {
    const { body } = await serverApi(values.server).api.capacity.get();
    io.out(values.json ? JSON.stringify(body, null, 2) : capacityText(body));
    return EXIT.ok;
  } catch (error) {
    const failure = serverCallFailure(error);
    if (!failure) throw error;
    io.err(`nodetool: ${failure.message}`);
    return failure.exitCode;
  }
}

/** The report as a person reads it: the day's spend, a line per profile, a line per group with runs waiting. */
export function capacityText(report: CapacityReport): string {
  const lines = [`spent today (UTC): $${report.spent_today.toFixed(2)} of $${report.max_spend_per_day} (NODETOOL_RENT_MAX_SPEND_PER_DAY)`];
  if (report.capped) lines.push(`  ${report.capped}`);
  for (const { profile, instances, spent_today: spent, braked } of report.profiles) {
    const scale = profile.scale
      ? `scale ${profile.scale.min}-${profile.scale.max} in ${profile.group}${profile.interruptible ? ', interruptible' : ''}`
      : 'by hand';
    lines.push(
      `${profile.name.padEnd(20)} ${scale.padEnd(32)} booting ${instances.booting}, running ${instances.running}, stopped ${instances.stopped}  $${spent.toFixed(2)} today`,
    );
    if (braked) lines.push(`  not rented from now: ${braked}`);
  }
  for (const group of report.groups.filter((entry) => entry.waiting_runs > 0))
    lines.push(`group ${group.group}: ${group.waiting_runs} run(s) ${group.waiting ? group.waiting.text : 'waiting'}`);
  return lines.join('\n');
}
