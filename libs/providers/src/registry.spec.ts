import { describe, expect, it } from 'vitest';
import { findProvider, isSystemCredential, mayHoldProviderKey, providerNamed, providerNames, PROVIDERS } from './registry.js';

describe('the provider registry', () => {
  it('has one entry per provider, found by name (its URL scheme) in any case', () => {
    expect(providerNames()).toEqual(['runpod', 'vast']);
    expect(findProvider('RunPod')?.displayName).toBe('RunPod');
    expect(findProvider('lambda')).toBeUndefined();
    expect(() => providerNamed('lambda')).toThrow(/unknown provider "lambda"; known: runpod, vast/);
    for (const provider of PROVIDERS) {
      expect(provider.keyVariable).toMatch(/^[A-Z][A-Z0-9_]*_API_KEY$/);
      expect(provider.api.urlVariable).toMatch(/^NODETOOL_[A-Z]+_API_URL$/);
      expect(provider.defaultVolumeMount).toMatch(/^\//);
    }
  });

  it("names this system's credentials, which are never sent to a worker: tokens, every provider's key, NODETOOL_*_API_KEY, the bucket's keys", () => {
    for (const name of [
      'NODETOOL_WORKER_TOKEN',
      'NODETOOL_SERVER_TOKEN',
      'RUNPOD_API_KEY',
      'VAST_API_KEY',
      'NODETOOL_TEAM_RUNPOD_API_KEY',
      'S3_SECRET_ACCESS_KEY',
      'S3_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ACCESS_KEY_ID',
      'AWS_SESSION_TOKEN',
    ])
      expect(isSystemCredential(name), name).toBe(true);
    for (const name of ['HF_TOKEN', 'OPENAI_API_KEY', 'AWS_REGION']) expect(isSystemCredential(name), name).toBe(false);
  });

  it("lets a profile's key come only from the provider's own variable or a NODETOOL_*_API_KEY, never another secret", () => {
    const runpod = providerNamed('runpod');
    expect(mayHoldProviderKey(runpod, 'RUNPOD_API_KEY')).toBe(true);
    expect(mayHoldProviderKey(runpod, 'NODETOOL_TEAM_RUNPOD_API_KEY')).toBe(true);
    for (const name of [
      'VAST_API_KEY',
      'HF_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'NODETOOL_WORKER_TOKEN',
      'NODETOOL_SERVER_TOKEN',
      'NODETOOL_TOKEN_API_KEY',
      'TEAM_RUNPOD_KEY',
    ])
      expect(mayHoldProviderKey(runpod, name), name).toBe(false);
  });
});
