import type { PythonBridgeOptions, WorkerSpec } from '@nt/bridge';

/** A configured worker's bridge options: its own token or token file replaces the environment's, never adds to it. */
export function bridgeOptionsFor(spec: WorkerSpec, base: PythonBridgeOptions): PythonBridgeOptions {
  if (!spec.url) return base;
  const own = spec.token !== undefined || spec.tokenFile !== undefined;
  return {
    ...base,
    wsUrl: spec.url,
    ...(own ? { workerToken: spec.token ?? '', workerTokenFile: spec.tokenFile ?? '' } : {}),
    ...(spec.tlsServername ? { tlsServername: spec.tlsServername } : {}),
    ...(spec.tlsFingerprint ? { tlsFingerprint: spec.tlsFingerprint } : {}),
  };
}
