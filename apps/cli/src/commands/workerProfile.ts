import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { WorkerProfileRecord } from '@nt/api-contract';
import { PROVIDERS } from '@nt/providers';
import { EXIT, type ExitCode } from '../exitCodes.js';
import type { Io } from '../io.js';
import { SERVER_FLAGS_HELP, serverApi, serverCallFailure } from '../serverClient.js';

const each = (describe: (provider: (typeof PROVIDERS)[number]) => string) => PROVIDERS.map(describe).join(', ');

export const WORKER_PROFILE_HELP = `Usage: nodetool worker profile add (<file.yaml|file.json> | --name N --provider ${PROVIDERS.map((provider) => provider.name).join('|')} --gpu-type T --image REF --max-price USD [...])
       nodetool worker profile list [--json]
       nodetool worker profile show <name> [--json]
       nodetool worker profile rm <name>

A profile says what to rent and how the cost guard treats it; the server keeps it (SQLite). Fields
(YAML/JSON, snake_case): name, provider, gpu_type (as the provider names it), gpu_count (1), image, volume_gb
(100), volume_mount (${each((provider) => `${provider.defaultVolumeMount} on ${provider.displayName}`)}), container_disk_gb (30),
cuda_min (13.0), max_price_per_hour (the whole instance, every GPU), api_key_env (${each((provider) => provider.keyVariable)}, or a
NODETOOL_<NAME>_API_KEY: the variable's name, never a key), port (7777), max_instances (2), tls (always true),
guard: {idle_stop_minutes (15), max_hours (8), max_spend (0: none), on_stopped_run (restart | fail)},
group (the profile's name: profiles serving the same runs share one; the cheapest offer among them is rented),
namespaces (node namespaces its workers offer, e.g. [huggingface]: which runs it serves before one ever ran),
scale: {min (0), max (1), start_after (0 s), release_after (30 s), release (destroy | stop), runs_per_worker (1)}:
workers are rented for runs that wait and released when idle; interruptible (false; needs scale, release: destroy).
Flags for add: --gpu-count --volume-gb --max-price --idle-stop-minutes --max-hours --max-spend --api-key-env
--group --namespaces a,b --scale-min --scale-max --scale-start-after --scale-release-after --scale-release
--runs-per-worker --interruptible.
${SERVER_FLAGS_HELP}
Exit codes: 0 done, 1 failed, 2 usage or a profile the server refuses, 3 server unreachable, 4 token rejected.`;

export async function workerProfile(argv: string[], io: Io): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
      name: { type: 'string' },
      provider: { type: 'string' },
      'gpu-type': { type: 'string' },
      'gpu-count': { type: 'string' },
      image: { type: 'string' },
      'volume-gb': { type: 'string' },
      'max-price': { type: 'string' },
      'api-key-env': { type: 'string' },
      'idle-stop-minutes': { type: 'string' },
      'max-hours': { type: 'string' },
      'max-spend': { type: 'string' },
      group: { type: 'string' },
      namespaces: { type: 'string' },
      'scale-min': { type: 'string' },
      'scale-max': { type: 'string' },
      'scale-start-after': { type: 'string' },
      'scale-release-after': { type: 'string' },
      'scale-release': { type: 'string' },
      'runs-per-worker': { type: 'string' },
      interruptible: { type: 'boolean' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || sub === undefined || sub === '--help' || sub === '-h') {
    io.out(WORKER_PROFILE_HELP);
    return EXIT.ok;
  }
  const usage = (problem: string) => {
    io.err(`nodetool: ${problem}\n\n${WORKER_PROFILE_HELP}`);
    return EXIT.usage;
  };
  try {
    const { api } = serverApi(values.server);
    if (sub === 'list') {
      const { body } = await api.workerProfiles.list();
      if (values.json) io.out(JSON.stringify(body.profiles, null, 2));
      else if (!body.profiles.length) io.out('no worker profiles (nodetool worker profile add)');
      else
        for (const profile of body.profiles)
          io.out(
            `${profile.name.padEnd(20)} ${profile.provider}  ${profile.gpu_count}× ${profile.gpu_type}  ≤ $${profile.max_price_per_hour}/h  ${scaleOf(profile)}  ${profile.image}`,
          );
      return EXIT.ok;
    }
    if (sub === 'show' || sub === 'rm') {
      if (positionals.length !== 1) return usage(`worker profile ${sub} takes one profile name`);
      const name = positionals[0] as string;
      if (sub === 'rm') {
        await api.workerProfiles.delete({ params: { name } });
        io.out(`removed the profile ${positionals[0]}`);
        return EXIT.ok;
      }
      const { body } = await api.workerProfiles.get({ params: { name } });
      io.out(values.json ? JSON.stringify(body, null, 2) : toYaml(body).trimEnd());
      return EXIT.ok;
    }
    if (sub !== 'add') return usage(`unknown worker profile command "${sub}"`);
    const read = profileToAdd(positionals, values);
    if ('problem' in read) return usage(read.problem);
    const { profile } = read;
    const name = typeof profile?.['name'] === 'string' ? profile['name'] : '';
    if (!name) return usage('the profile needs a "name" (or --name)');
    const { status } = await api.workerProfiles.put({ params: { name }, body: profile });
    io.out(`${status === 201 ? 'added' : 'updated'} the profile ${name}`);
    return EXIT.ok;
  } catch (error) {
    const failure = serverCallFailure(error);
    if (!failure) throw error;
    io.err(`nodetool: ${failure.message}`);
    return failure.exitCode;
  }
}

/** The profile `add` was given: a YAML or JSON file, or flags; or what is wrong with it. */
function profileToAdd(positionals: string[], values: Record<string, string | boolean | undefined>): { profile: Record<string, unknown> } | { problem: string } {
  if (positionals.length === 0) return { profile: fromFlags(values) };
  if (positionals.length > 1) return { problem: 'worker profile add takes one file, or flags' };
  const file = positionals[0] as string;
  const json = /\.json$/i.test(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  try {
    return { profile: (json ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown> };
  } catch (error) {
    return { problem: `${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}` };
  }
}

function fromFlags(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const num = (key: string) => (values[key] === undefined ? undefined : Number(values[key]));
  const guard = Object.fromEntries(
    [
      ['idle_stop_minutes', num('idle-stop-minutes')],
      ['max_hours', num('max-hours')],
      ['max_spend', num('max-spend')],
    ].filter(([, value]) => value !== undefined),
  );
  const scale = Object.fromEntries(
    [
      ['min', num('scale-min')],
      ['max', num('scale-max')],
      ['start_after', num('scale-start-after')],
      ['release_after', num('scale-release-after')],
      ['release', values['scale-release']],
      ['runs_per_worker', num('runs-per-worker')],
    ].filter(([, value]) => value !== undefined),
  );
  const namespaces =
    typeof values['namespaces'] === 'string'
      ? values['namespaces']
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : undefined;
  const profile: Record<string, unknown> = {
    name: values['name'],
    provider: values['provider'],
    gpu_type: values['gpu-type'],
    gpu_count: num('gpu-count'),
    image: values['image'],
    volume_gb: num('volume-gb'),
    max_price_per_hour: num('max-price'),
    api_key_env: values['api-key-env'],
    ...(Object.keys(guard).length ? { guard } : {}),
    group: values['group'],
    namespaces,
    ...(Object.keys(scale).length ? { scale } : {}),
    interruptible: values['interruptible'],
  };
  return Object.fromEntries(Object.entries(profile).filter(([, value]) => value !== undefined));
}

/** A profile's scale in a few words: "scale 0-2, release 300 s" or "by hand". */
function scaleOf(profile: WorkerProfileRecord): string {
  if (!profile.scale) return 'by hand';
  const { min, max, release_after: after, release } = profile.scale;
  return `scale ${min}-${max} (${profile.group})${profile.interruptible ? ' interruptible' : ''}, ${release} after ${after} s idle`;
}
