import type { AssetStore } from '../assets/assetStore.js';
import type { ServerConfig } from '../config.js';
import type { Db } from '@nt/data';
import { Retention } from '../store/retention.js';

/** NODETOOL_RETENTION at work: a sweep now and every interval, never two at once; nothing without the setting. */
export function startRetention(db: Db, assets: AssetStore, config: ServerConfig, log: (line: string) => void): { stop(): Promise<void> } {
  const retention = config.assets.retention ? new Retention(db, assets, config.assets.retention) : null;
  if (!retention) return { stop: async () => undefined };
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    if (sweeping) return;
    sweeping = retention
      .sweep()
      .then(({ runs, uploads, assets: removed }) => {
        if (runs || uploads || removed)
          log(`retention (${retention.policy.text}): removed ${runs} run(s), ${uploads} upload(s), ${removed} asset(s) nothing held`);
      })
      // A locked database or an unreachable bucket: logged, tried again at the next sweep.
      .catch((error: Error) => log(`retention: ${error.message}`))
      .finally(() => (sweeping = null));
  };
  sweep();
  const timer = setInterval(sweep, config.assets.retentionIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
