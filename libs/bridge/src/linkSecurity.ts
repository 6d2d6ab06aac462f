import { isIP } from 'node:net';

/** Host names and addresses that never leave this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
  return false;
}

/**
 * Whether what travels over a worker URL is private: TLS (`wss://`), or plain `ws://` that stays on this
 * machine. A token, a secret or a result sent over plain ws:// to another host can be read, and
 * changed, by anyone on the path.
 */
export function isConfidentialWorkerUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // A cloud instance is another host: private only with tls=1.
    if (parsed.protocol === 'runpod:' || parsed.protocol === 'vast:') return ['1', 'true'].includes(parsed.searchParams.get('tls') ?? '');
    return parsed.protocol === 'wss:' || isLoopbackHost(parsed.hostname);
  } catch {
    return false;
  }
}
