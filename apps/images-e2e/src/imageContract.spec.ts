import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DockerfileParser, type Dockerfile, type Healthcheck } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { at } from './repoPaths.js';

const dockerfile = (path: string): Dockerfile => DockerfileParser.parse(readFileSync(at(path), 'utf8'));
const instructions = (file: Dockerfile, keyword: string) => file.getInstructions().filter((i) => i.getKeyword() === keyword);
const args = (file: Dockerfile) =>
  file
    .getInstructions()
    .filter((i) => i.getKeyword() === 'ARG')
    .map((i) => i.getArgumentsContent()?.split('=')[0]);
const env = (file: Dockerfile) =>
  instructions(file, 'ENV')
    .map((i) => i.getArgumentsContent() ?? '')
    .join(' ');
/** The instructions of the last stage: what the final image is made of. */
const finalStage = (file: Dockerfile) => {
  const lastFrom = file.getFROMs().at(-1)!;
  return file.getInstructions().filter((i) => i.getRange().start.line >= lastFrom.getRange().start.line);
};
const copiesInto = (file: Dockerfile) => file.getInstructions().filter((i) => i.getKeyword() === 'COPY');

/** Every COPY source of the build context (apps/worker) is in git, so a fresh clone has it. */
function expectCopiesFromTrackedPaths(file: Dockerfile): void {
  for (const copy of copiesInto(file).filter((i) => !/--from=/.test(i.getTextContent()))) {
    const sources = copy.getArgumentsContent()!.split(/\s+/).slice(0, -1);
    for (const source of sources) {
      const tracked = execFileSync('git', ['ls-files', '--', `apps/worker/${source}`], { cwd: at('.'), encoding: 'utf8' });
      expect(tracked, `${copy.getTextContent()}: ${source} is tracked`).not.toBe('');
    }
  }
}

describe('docker/core/Dockerfile', () => {
  const core = dockerfile('docker/core/Dockerfile');

  it('takes the base image and the nodetool-core version as build arguments', () => {
    expect(args(core)).toEqual(expect.arrayContaining(['BASE_IMAGE', 'NODETOOL_VERSION']));
    expect(core.getFROMs()[0]?.getImageName()).toBe('${BASE_IMAGE}');
  });

  it('copies only tracked paths, so a plain docker build works from a clean clone', () => {
    expectCopiesFromTrackedPaths(core);
  });

  it('keeps the optional CA bundle in a build stage: the final stage never copies build-extras', () => {
    const final = finalStage(core)
      .filter((i) => i.getKeyword() === 'COPY')
      .map((i) => i.getTextContent());
    expect(final.join('\n')).not.toMatch(/build-extras|build-ca/);
    expect(final).toContain('COPY --from=venv /opt/nodetool/venv /opt/nodetool/venv');
  });

  it('installs into the virtual environment named by VIRTUAL_ENV and puts it first on PATH', () => {
    expect(env(core)).toMatch(/VIRTUAL_ENV=\/opt\/nodetool\/venv/);
    expect(env(core)).toMatch(/PATH=\/opt\/nodetool\/venv\/bin:\$PATH/);
  });

  it('lets NODETOOL_WORKER_HOST and NODETOOL_WORKER_PORT decide where the worker listens', () => {
    expect(env(core)).toMatch(/NODETOOL_WORKER_HOST=0\.0\.0\.0/);
    expect(env(core)).toMatch(/NODETOOL_WORKER_PORT=7777/);
    const cmd = instructions(core, 'CMD')[0]?.getArgumentsContent() ?? '';
    expect(cmd).toBe('["python", "-m", "nodetool.worker"]');
    expect(cmd).not.toMatch(/--port|--host/);
  });

  it('exposes 7777 and probes health with a real handshake', () => {
    expect(instructions(core, 'EXPOSE').map((i) => i.getArgumentsContent())).toEqual(['7777']);
    const health = instructions(core, 'HEALTHCHECK')[0] as Healthcheck;
    expect(health.getArgumentsContent()).toMatch(/CMD \["python", "\/opt\/nodetool\/healthcheck\.py"\]/);
    expect(health.getFlags().map((flag) => flag.getName())).toEqual(expect.arrayContaining(['interval', 'timeout', 'start-period', 'retries']));
  });

  it('starts as root only to own its mounts, and drops to uid 10001 for good before anything reads a setting or a secret', () => {
    // No USER in the final stage: providers' hosts start it as root, with their volume root-owned.
    expect(finalStage(core).filter((i) => i.getKeyword() === 'USER')).toEqual([]);
    const entrypoint = readFileSync(at('apps/worker/scripts/entrypoint.sh'), 'utf8');
    const drop = entrypoint.indexOf('exec setpriv --reuid=10001 --regid=10001 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$0" "$@"');
    expect(drop).toBeGreaterThan(0);
    expect(entrypoint.indexOf('prepare_mounts')).toBeLessThan(drop);
    for (const later of ['file="$NODETOOL_WORKER_TOKEN_FILE"', 'join_env_parts', 'start_tls_terminator', 'exec "$@"'])
      expect(entrypoint.indexOf(later), later).toBeGreaterThan(drop);
    expect(readFileSync(at('docker/core/Dockerfile'), 'utf8')).toMatch(/useradd --uid 10001/);
  });

  it('sends the bearer token in its health probe when one is set, from the environment or the token file', () => {
    const probe = readFileSync(at('apps/worker/scripts/healthcheck.py'), 'utf8');
    expect(probe).toMatch(/NODETOOL_WORKER_TOKEN_FILE/);
    expect(probe).toMatch(/"Authorization": f"Bearer \{token\}"/);
  });

  it('reads NODETOOL_WORKER_TOKEN_FILE in an entrypoint that then runs the command unchanged', () => {
    expect(instructions(core, 'ENTRYPOINT')[0]?.getArgumentsContent()).toBe('["/opt/nodetool/entrypoint.sh"]');
    expect(readFileSync(at('apps/worker/scripts/entrypoint.sh'), 'utf8')).toMatch(/exec "\$@"\s*$/);
  });

  it('removes apt lists in the layer that creates them and installs without a pip cache', () => {
    const apt =
      instructions(core, 'RUN')
        .find((i) => /apt-get install/.test(i.getArgumentsContent() ?? ''))
        ?.getArgumentsContent() ?? '';
    expect(apt).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
    const pip =
      instructions(core, 'RUN')
        .find((i) => /pip install/.test(i.getArgumentsContent() ?? ''))
        ?.getArgumentsContent() ?? '';
    expect(pip).toMatch(/--no-cache-dir/);
  });
});

describe('docker/hf/Dockerfile', () => {
  const hf = dockerfile('docker/hf/Dockerfile');

  it('builds FROM the core image with HF_VERSION as a build argument', () => {
    expect(hf.getFROMs().map((from) => from.getImageName())).toEqual(['${CORE_IMAGE}', '${CORE_IMAGE}']);
    expect(args(hf)).toEqual(expect.arrayContaining(['CORE_IMAGE', 'HF_VERSION', 'HF_PROFILE', 'TORCH_INDEX_URL']));
    expect(instructions(hf, 'RUN')[0]?.getArgumentsContent()).toMatch(/nodetool-huggingface==\$\{HF_VERSION\}/);
  });

  it('inherits EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD (the drop to uid 10001 with them): its final stage only adds the finished environment', () => {
    for (const keyword of ['EXPOSE', 'HEALTHCHECK', 'CMD', 'ENTRYPOINT', 'USER']) expect(instructions(hf, keyword)).toHaveLength(0);
    const final = finalStage(hf).map((i) => i.getTextContent());
    expect(final).toEqual(['FROM ${CORE_IMAGE}', 'COPY --from=packages /opt/nodetool/venv /opt/nodetool/venv']);
  });

  it('copies only tracked paths, so a plain docker build works from a clean clone', () => {
    expectCopiesFromTrackedPaths(hf);
  });

  it('chooses the CPU torch inside the build through scripts/cpu-torch.sh, from an index when no local wheel fits', () => {
    const run = instructions(hf, 'RUN')[0]?.getArgumentsContent() ?? '';
    expect(run).toMatch(/cpu-torch\.sh install \/tmp\/build-extras\/wheels "\$TORCH_INDEX_URL"/);
    expect(readFileSync(at('docker/hf/Dockerfile'), 'utf8')).toMatch(/^ARG TORCH_INDEX_URL=https:\/\/download\.pytorch\.org\/whl\/cpu$/m);
  });

  it('installs the full dependency set in the default (gpu) profile', () => {
    const run = instructions(hf, 'RUN')[0]?.getArgumentsContent() ?? '';
    expect(run).toMatch(/else\s*\\?\s*pip install --no-cache-dir "nodetool-huggingface==\$\{HF_VERSION\}"/);
    expect(args(hf)).toContain('HF_PROFILE');
    expect(readFileSync(at('docker/hf/Dockerfile'), 'utf8')).toMatch(/ARG HF_PROFILE=gpu/);
  });
});

describe('docker/compose.yaml', () => {
  // merge: the services share their settings through a YAML anchor and `<<` merge key.
  const compose = parse(readFileSync(at('docker/compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const cpu = compose.services['hf-worker'] as Record<string, any>;
  const gpu = compose.services['hf-worker-gpu'] as Record<string, any>;

  it('builds the core image too, before the HF services that are built FROM it (a clean clone needs nothing else)', () => {
    const core = compose.services['worker-core-image'] as Record<string, any>;
    expect(core['build']).toMatchObject({ context: '../apps/worker', dockerfile: '../../docker/core/Dockerfile' });
    expect(core['image']).toBe('${CORE_IMAGE:-nodetool-core:local}');
    expect(core['profiles']).toEqual(['cpu', 'gpu', 'stack', 'postgres']);
    expect(core['entrypoint']).toEqual(['true']);
    for (const service of [cpu, gpu]) {
      expect(service['depends_on']).toEqual({ 'worker-core-image': { condition: 'service_completed_successfully' } });
      expect(service['build'].args).toContain('CORE_IMAGE=${CORE_IMAGE:-nodetool-core:local}');
    }
  });

  it('runs the whole stack under the stack profile: only the server published, on 127.0.0.1:7777, its workers on the compose network alone', () => {
    const server = compose.services['server'] as Record<string, any>;
    const worker = compose.services['stack-worker'] as Record<string, any>;
    expect(server['profiles']).toEqual(['stack']);
    expect(worker['profiles']).toEqual(['stack', 'postgres']);
    expect(server['ports']).toEqual(['${NODETOOL_SERVER_BIND:-127.0.0.1}:${NODETOOL_SERVER_HOST_PORT:-7777}:7777']);
    expect(worker['ports']).toEqual([]);
    expect(server['build']).toMatchObject({ context: '..', dockerfile: 'docker/server/Dockerfile' });
    // The workers by service name, every replica by DNS, with the token the workers use; the server's own from a file.
    expect(server['environment']).toMatchObject({
      NODETOOL_WORKER_URL: 'ws://stack-worker:7777',
      NODETOOL_WORKER_DISCOVERY: 'dns',
      NODETOOL_WORKER_TOKEN_FILE: '/run/secrets/worker_token',
      NODETOOL_SERVER_TOKEN_FILE: '/run/secrets/server_token',
    });
    expect(server['secrets']).toEqual(['server_token', 'worker_token']);
    expect(JSON.stringify(server['environment'])).not.toMatch(/NODETOOL_(SERVER|WORKER)_TOKEN"/);
    expect(server['volumes']).toEqual(['server-data:/data']);
    for (const service of [server, worker]) {
      expect(service['user']).toBe('10001:10001');
      expect(service['cap_drop']).toEqual(['ALL']);
      expect(service['security_opt']).toEqual(['no-new-privileges:true']);
    }
  });

  it('runs the stack on Postgres under the postgres profile: replicas sharing the database, one password file, assets on one volume, Postgres unpublished', () => {
    const replicas = compose.services['server-postgres'] as Record<string, any>;
    const postgres = compose.services['postgres'] as Record<string, any>;
    expect(replicas['profiles']).toEqual(['postgres']);
    expect(postgres['profiles']).toEqual(['postgres']);
    // A port each for several replicas; the database on the compose network alone.
    expect(replicas['ports']).toEqual(['${NODETOOL_SERVER_BIND:-127.0.0.1}:${NODETOOL_SERVER_HOST_PORTS:-7777-7780}:7777']);
    expect(postgres['ports']).toBeUndefined();
    // The URL holds no password: both read the one secret file, under the official image's names.
    expect(replicas['environment']).toMatchObject({
      DATABASE_URL: 'postgres://nodetool@postgres:5432/nodetool',
      DATABASE_PASSWORD_FILE: '/run/secrets/postgres_password',
      NODETOOL_ASSETS_SHARED: '1',
      NODETOOL_WORKER_URL: 'ws://stack-worker:7777',
    });
    expect(postgres['environment']).toEqual({ POSTGRES_USER: 'nodetool', POSTGRES_DB: 'nodetool', POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password' });
    expect(replicas['secrets']).toContain('postgres_password');
    expect(postgres['secrets']).toEqual(['postgres_password']);
    expect(postgres['volumes']).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(replicas['volumes']).toEqual(['server-shared:/data']);
    expect(replicas['depends_on']).toMatchObject({ postgres: { condition: 'service_healthy' } });
    expect(postgres['build']).toMatchObject({ context: 'postgres' });
    expect(postgres['image']).toBe('${POSTGRES_IMAGE:-nodetool-postgres:local}');
    for (const service of [replicas, postgres]) {
      expect(service['cap_drop']).toEqual(['ALL']);
      expect(service['security_opt']).toEqual(['no-new-privileges:true']);
    }
    expect(replicas['user']).toBe('10001:10001');
  });

  it('builds the hf-worker service with CORE_IMAGE, and HF_VERSION defaulting to the pin (never an empty build arg)', () => {
    const hfPin = /^nodetool-huggingface==(\S+)$/m.exec(readFileSync(at('apps/worker/requirements/hf-nodeps.txt'), 'utf8'))?.[1];
    expect(cpu['build'].args).toEqual(
      expect.arrayContaining(['CORE_IMAGE=${CORE_IMAGE:-nodetool-core:local}', `HF_VERSION=\${HF_VERSION:-${hfPin}}`, 'HF_PROFILE=cpu']),
    );
    expect(cpu['build'].dockerfile).toBe('../../docker/hf/Dockerfile');
  });

  it('publishes a port of 8787-8790 (one per replica) on 127.0.0.1 only unless NODETOOL_WORKER_BIND says otherwise, and mounts the hf-cache volume where HF_HOME points', () => {
    expect(cpu['ports']).toEqual(['${NODETOOL_WORKER_BIND:-127.0.0.1}:${NODETOOL_WORKER_HOST_PORT:-8787-8790}:7777']);
    // Scaling needs replicas that differ: no fixed container name.
    expect(cpu['container_name']).toBeUndefined();
    expect(cpu['volumes']).toEqual(['hf-cache:/app/huggingface']);
    expect(cpu['environment'].HF_HOME).toBe('/app/huggingface');
    expect(Object.keys(compose.volumes)).toContain('hf-cache');
  });

  it('takes the token from a secret file, never from an environment value docker inspect would show', () => {
    for (const service of [cpu, gpu]) {
      expect(service['environment']).not.toHaveProperty('NODETOOL_WORKER_TOKEN');
      expect(service['environment'].NODETOOL_WORKER_TOKEN_FILE).toBe('/run/secrets/worker_token');
      expect(service['secrets']).toEqual(['worker_token']);
    }
    expect((compose as any).secrets.worker_token).toEqual({ file: '${NODETOOL_WORKER_TOKEN_FILE:-./worker-token}' });
  });

  it('runs the worker as uid 10001 from the start, with an init, no capabilities, no privilege gain and a memory cap the user can set', () => {
    for (const service of [cpu, gpu]) {
      expect(service['user']).toBe('10001:10001');
      expect(service['init']).toBe(true);
      expect(service['cap_drop']).toEqual(['ALL']);
      expect(service['security_opt']).toEqual(['no-new-privileges:true']);
      expect(service['mem_limit']).toBe('${NODETOOL_WORKER_MEMORY:-16g}');
    }
  });

  it('has a healthcheck with a warm-up start period and a restart policy', () => {
    expect(cpu['healthcheck'].test).toEqual(['CMD', 'python', '/opt/nodetool/healthcheck.py']);
    expect(cpu['healthcheck'].start_period).toBe('60s');
    expect(cpu['restart']).toBe('unless-stopped');
  });

  it('puts the GPU service in the gpu profile with an NVIDIA reservation, never alongside the CPU one by default', () => {
    expect(gpu['profiles']).toEqual(['gpu']);
    expect(gpu['deploy'].resources.reservations.devices).toEqual([{ driver: 'nvidia', count: 'all', capabilities: ['gpu'] }]);
    expect(cpu['profiles']).toEqual(['cpu']);
    expect(readFileSync(at('docker/.env'), 'utf8')).toMatch(/^COMPOSE_PROFILES=cpu$/m);
    expect(gpu['ports']).toEqual(cpu['ports']);
  });
});
