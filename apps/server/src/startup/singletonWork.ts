import type { AssetStore } from '../assets/assetStore.js';
import type { ServerConfig } from '../config.js';
import type { Db } from '@nt/data';
import type { Leadership } from '../replicas/leadership.js';
import type { CostGuardLoop } from '../rented/costGuardLoop.js';
import type { RentedWorkers } from '../rented/rentedWorkers.js';
import type { CapacityScaler } from '../scaling/capacityScaler.js';
import { startRetention } from './retentionLoop.js';

/**
 * What exactly one replica does, for as long as it leads (Leadership): the cost guard, retention,
 * following rented workers' unfinished bring-ups, and the elastic scaler. Started when leadership is
 * gained, stopped when it is lost; on SQLite the one server leads from the start.
 */
/** What the leader runs: the guard, the scaler, the rented workers' bring-ups, under its leadership. */
export interface SingletonDeps {
  guard: Pick<CostGuardLoop, 'start' | 'stop'>;
  scaler: Pick<CapacityScaler, 'start' | 'stop' | 'settled'>;
  rented: Pick<RentedWorkers, 'followUnfinished'>;
  leadership: Leadership;
}

export function leadSingletonWork(
  app: SingletonDeps,
  db: Db,
  assets: AssetStore,
  config: ServerConfig,
  log: (line: string) => void,
): { stop(): Promise<void> } {
  let retention: { stop(): Promise<void> } | null = null;
  const gained = () => {
    app.guard.start();
    retention = startRetention(db, assets, config, log);
    // The scaler starts once unfinished bring-ups are followed again: it must not rent again what is only booting.
    void app.rented
      .followUnfinished()
      .then(() => app.leadership.leader && app.scaler.start())
      .catch((error: Error) => log(`the rented workers could not be followed again: ${error.message}`));
  };
  const lost = async () => {
    app.guard.stop();
    app.scaler.stop();
    await app.scaler.settled();
    await retention?.stop();
    retention = null;
  };
  const onLost = () => void lost();
  app.leadership.on('gained', gained);
  app.leadership.on('lost', onLost);
  return {
    async stop() {
      app.leadership.off('gained', gained);
      app.leadership.off('lost', onLost);
      await lost();
      await app.leadership.stop();
    },
  };
}
