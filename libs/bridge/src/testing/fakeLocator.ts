import { ConfigError } from '../errors.js';
import type { WorkerLocator } from '../workerLocator.js';

/**
 * TEST FIXTURE: a locator for `cloud://<id>?tls=1` URLs, resolving each id through a map the test
 * fills: the bridge's side of the seam @nt/providers plugs into, without any provider.
 */
export function fakeLocator(addresses: Record<string, string> = {}): WorkerLocator & { addresses: Record<string, string> } {
  return {
    addresses,
    schemes: ['cloud'],
    handles: (url) => url.startsWith('cloud://'),
    check: (url, setting) => {
      if (!/^cloud:\/\/[a-z0-9]+(\?tls=1)?$/.test(url)) throw new ConfigError(setting, `${setting}: ${JSON.stringify(url)} is no cloud://<id> URL`);
    },
    resolver: (url) => async () => {
      const id = new URL(url).hostname;
      const found = addresses[id];
      if (!found) throw new ConfigError('NODETOOL_WORKER_URL', `no cloud instance ${id}`);
      return found;
    },
  };
}
