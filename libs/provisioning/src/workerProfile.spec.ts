import { describe, expect, it } from 'vitest';
import { parseProfile, profileToRecord } from './workerProfile.js';

const minimal = {
  name: 'a100',
  provider: 'runpod',
  gpu_type: 'NVIDIA A100 80GB PCIe',
  image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
  max_price_per_hour: 2.5,
};

describe('a worker profile', () => {
  it('fills what a rented GPU worker needs by default, per provider, and round-trips', () => {
    const profile = parseProfile(minimal);
    expect(profile).toMatchObject({
      gpuCount: 1,
      volumeMount: '/workspace',
      cudaMin: '13.0',
      apiKeyEnv: 'RUNPOD_API_KEY',
      port: 7777,
      tls: true,
      guard: { idleStopMinutes: 15, maxHours: 8, maxSpend: 0, onStoppedRun: 'restart' },
    });
    expect(parseProfile({ ...minimal, provider: 'vast', gpu_type: 'RTX_4090' })).toMatchObject({ volumeMount: '/data', apiKeyEnv: 'VAST_API_KEY' });
    expect(parseProfile(profileToRecord(profile))).toEqual(profile);
  });

  it('names the field that is wrong, and never takes a secret', () => {
    expect(() => parseProfile({ ...minimal, provider: 'aws' })).toThrow(/"provider" must be runpod or vast/);
    expect(() => parseProfile({ ...minimal, max_price_per_hour: undefined })).toThrow(/"max_price_per_hour" is required/);
    expect(() => parseProfile({ ...minimal, image: 'nodetool-hf' })).toThrow(/"image" must be an image reference with a tag/);
    expect(() => parseProfile({ ...minimal, api_key: 'rpa_123' })).toThrow(/unknown profile field "api_key" \(secrets are never stored/);
    expect(() => parseProfile({ ...minimal, api_key_env: 'rpa_live_123' })).toThrow(/must name an environment variable/);
    expect(() => parseProfile({ ...minimal, guard: { idle_stop_minutes: -1 } })).toThrow(/"guard.idle_stop_minutes" must be a number of at least 0/);
    expect(() => parseProfile({ ...minimal, name: 'Has Spaces' })).toThrow(/"name" must be 1-40 lowercase/);
  });
});
