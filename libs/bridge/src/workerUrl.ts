import { ConfigError } from './errors.js';
import { knownSchemes, type WorkerLocator } from './workerLocator.js';

/**
 * A worker URL as any setting gives it (NODETOOL_WORKER_URL, --worker-url, a workers file entry):
 * ws://, wss://, or one the locator handles (a cloud instance), else a ConfigError naming the setting;
 * credentials in it are never echoed. `setting` may carry where it came from:
 * "NODETOOL_WORKERS_FILE (workers.yaml, worker 2)".
 */
export function checkWorkerUrl(url: string, setting = 'NODETOOL_WORKER_URL', locator?: WorkerLocator): string {
  const name = setting.split(' ')[0] as string;
  const what = name === 'NODETOOL_WORKER_URL' ? 'the worker URL (NODETOOL_WORKER_URL or --worker-url)' : setting;
  const shown = JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'));
  if (locator?.handles(url)) {
    locator.check(url, name);
    return url;
  }
  if (!/^wss?:\/\//i.test(url)) throw new ConfigError(name, `${what} must start with ${knownSchemes(locator)}, got ${shown}`);
  try {
    new URL(url);
  } catch {
    throw new ConfigError(name, `${what} is not a valid URL: ${shown}`);
  }
  return url;
}

/** Whether a URL is plain ws:// or wss:// (as opposed to an address a locator resolves). */
export function isSocketUrl(url: string): boolean {
  return /^wss?:\/\//i.test(url.trim());
}
