import { readSetting } from '@nt/settings';
import { spawnRealWorker, startTlsFront, type RealWorker, type TlsFront } from '@nt/test-fixtures';
import type { BootedWorker, FixtureBoot } from './bootLifecycle.js';
import { joinEnvParts } from './envParts.js';

export interface RealInstances {
  /** The fixture's boot hook: a real worker process with the instance's token, behind TLS with its certificate. */
  onBoot(boot: FixtureBoot): Promise<BootedWorker | 'crash'>;
  onHalt(boot: FixtureBoot): Promise<void>;
  /** The workers up now, by `<provider>:<id>`. */
  readonly booted: Map<string, { worker: RealWorker; front: TlsFront | null }>;
  /** Every environment an instance booted with (after the image would have joined its parts). */
  readonly environments: Array<Record<string, string>>;
  /** Set to make the next boots crash, as an image that fails to start. */
  crash: boolean;
  stopAll(): Promise<void>;
}

/**
 * TEST FIXTURE: rented instances that boot into real worker processes, as the image would start them:
 * the token the server generated, and wss:// with the certificate and key it passed (a TLS front stands
 * in for the image's stunnel). An instance given no certificate serves plain ws://.
 */
export function realInstances(): RealInstances {
  const booted = new Map<string, { worker: RealWorker; front: TlsFront | null }>();
  const environments: Array<Record<string, string>> = [];
  const instances: RealInstances = {
    booted,
    environments,
    crash: false,
    async onBoot(boot) {
      if (instances.crash) return 'crash';
      const env = joinEnvParts(boot.env);
      environments.push(env);
      const worker = await spawnRealWorker({ token: readSetting(env, 'NODETOOL_WORKER_TOKEN') });
      const certPem = readSetting(env, 'NODETOOL_WORKER_TLS_CERT_PEM');
      const keyPem = readSetting(env, 'NODETOOL_WORKER_TLS_KEY_PEM');
      const front = certPem && keyPem ? await startTlsFront({ certPem, keyPem, target: { host: '127.0.0.1', port: worker.port } }) : null;
      booted.set(`${boot.provider}:${boot.id}`, { worker, front });
      return { host: '127.0.0.1', port: front?.port ?? worker.port };
    },
    async onHalt(boot) {
      const up = booted.get(`${boot.provider}:${boot.id}`);
      booted.delete(`${boot.provider}:${boot.id}`);
      await up?.front?.close();
      await up?.worker.kill();
    },
    async stopAll() {
      for (const [key, up] of [...booted]) {
        booted.delete(key);
        await up.front?.close();
        await up.worker.kill();
      }
    },
  };
  return instances;
}
