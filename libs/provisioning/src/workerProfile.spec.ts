import { describe, expect, it } from 'vitest';
import { overCeiling } from './priceCeiling.js';
import { parseProfile, profileToRecord, rentableProblem, rentRequestOf } from './workerProfile.js';

const minimal = {
  name: 'a100',
  provider: 'runpod',
  gpu_type: 'NVIDIA A100 80GB PCIe',
  image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
  max_price_per_hour: 2.5,
};

describe('a worker profile', () => {
  it('fills what a rented GPU worker needs by default, per provider from the registry, and round-trips', () => {
    const profile = parseProfile(minimal);
    expect(profile).toMatchObject({
      gpuCount: 1,
      volumeMount: '/workspace',
      cudaMin: '13.0',
      apiKeyEnv: 'RUNPOD_API_KEY',
      port: 7777,
      tls: true,
      maxInstances: 2,
      guard: { idleStopMinutes: 15, maxHours: 8, maxSpend: 0, onStoppedRun: 'restart' },
    });
    expect(parseProfile({ ...minimal, provider: 'vast', gpu_type: 'RTX 4090' })).toMatchObject({ volumeMount: '/data', apiKeyEnv: 'VAST_API_KEY' });
    expect(parseProfile(profileToRecord(profile))).toEqual(profile);
  });

  it('names the field that is wrong, and never takes a secret', () => {
    expect(() => parseProfile({ ...minimal, provider: 'aws' })).toThrow(/"provider" must be runpod or vast, got "aws"/);
    expect(() => parseProfile({ ...minimal, max_price_per_hour: undefined })).toThrow(/"max_price_per_hour" is required/);
    expect(() => parseProfile({ ...minimal, image: 'nodetool-hf' })).toThrow(/"image" must be an image reference with a tag/);
    expect(() => parseProfile({ ...minimal, api_key: 'rpa_123' })).toThrow(/unknown profile field "api_key" \(secrets are never stored/);
    expect(() => parseProfile({ ...minimal, api_key_env: 'rpa_live_123' })).toThrow(/must name an environment variable/);
    expect(() => parseProfile({ ...minimal, guard: { idle_stop_minutes: -1 } })).toThrow(/"guard.idle_stop_minutes" must be a number of at least 0/);
    expect(() => parseProfile({ ...minimal, name: 'Has Spaces' })).toThrow(/"name" must be 1-40 lowercase/);
    expect(() => parseProfile({ ...minimal, max_instances: 0 })).toThrow(/"max_instances" must be a whole number of at least 1/);
  });

  it('takes the provider key only from its own variable or a NODETOOL_*_API_KEY, never another secret of the server', () => {
    expect(parseProfile({ ...minimal, api_key_env: 'NODETOOL_TEAM_RUNPOD_API_KEY' }).apiKeyEnv).toBe('NODETOOL_TEAM_RUNPOD_API_KEY');
    for (const name of ['HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'VAST_API_KEY', 'NODETOOL_WORKER_TOKEN', 'NODETOOL_SERVER_TOKEN']) {
      expect(() => parseProfile({ ...minimal, api_key_env: name }), name).toThrow(
        new RegExp(`"api_key_env" must be RUNPOD_API_KEY or a NODETOOL_<NAME>_API_KEY variable, got ${name}`),
      );
    }
  });

  it('always rents with TLS: a new profile cannot say tls: false, a stored one still loads and renting from it is refused naming the field', () => {
    expect(() => parseProfile({ ...minimal, tls: false })).toThrow(/"tls": false is not allowed/);
    const stored = parseProfile({ ...minimal, tls: false, api_key_env: 'TEAM_RUNPOD_KEY' }, { stored: true });
    expect(stored.tls).toBe(false);
    expect(rentableProblem(stored)).toMatchObject({ field: 'tls' });
    expect(rentableProblem({ ...stored, tls: true })).toMatchObject({ field: 'api_key_env' });
    expect(rentableProblem(parseProfile(minimal))).toBeNull();
  });

  it('rents what it says, and its ceiling is for the whole instance', () => {
    const profile = parseProfile({ ...minimal, gpu_count: 2, volume_gb: 50 });
    expect(rentRequestOf(profile, 'nodetool-a100-abc123', { A: 'b' })).toEqual({
      name: 'nodetool-a100-abc123',
      image: minimal.image,
      gpuType: 'NVIDIA A100 80GB PCIe',
      gpuCount: 2,
      containerDiskGb: 30,
      volumeGb: 50,
      volumeMount: '/workspace',
      cudaMin: '13.0',
      maxPricePerHour: 2.5,
      port: 7777,
      env: { A: 'b' },
    });
    expect(overCeiling(2.5, profile)).toBeNull();
    expect(overCeiling(null, profile)).toBeNull();
    expect(overCeiling(2.51, profile)).toBe("it bills $2.510/h, above the profile's ceiling of $2.5/h");
  });
});

describe('a profile that scales', () => {
  it('takes min, max, start_after, release_after and release, with defaults, and round-trips them', () => {
    const profile = parseProfile({ ...minimal, max_instances: 3, group: 'gpu', namespaces: ['huggingface'], scale: { max: 3, release_after: 120 } });
    expect(profile).toMatchObject({
      group: 'gpu',
      namespaces: ['huggingface'],
      scale: { min: 0, max: 3, startAfterSeconds: 0, releaseAfterSeconds: 120, release: 'destroy' },
    });
    expect(parseProfile(profileToRecord(profile))).toEqual(profile);
    // Without scale nothing changes: rented by hand, its own group.
    expect(parseProfile(minimal)).toMatchObject({ scale: null, group: 'a100', namespaces: [] });
  });

  it('refuses a scale that breaks the caps, naming the field', () => {
    expect(() => parseProfile({ ...minimal, max_instances: 2, scale: { max: 3 } })).toThrow(/"scale.max" \(3\) is above the profile's max_instances \(2\)/);
    expect(() => parseProfile({ ...minimal, scale: { min: 2, max: 1 } })).toThrow(/"scale.min" \(2\) is above "scale.max" \(1\)/);
    expect(() => parseProfile({ ...minimal, scale: { release: 'delete' } })).toThrow(/"scale.release" must be stop or destroy, got "delete"/);
    expect(() => parseProfile({ ...minimal, scale: { idle: 3 } })).toThrow(/unknown scale field "idle"/);
    expect(() => parseProfile({ ...minimal, scale: { start_after: -1 } })).toThrow(/"scale.start_after" must be a number of at least 0/);
    expect(() => parseProfile({ ...minimal, namespaces: 'huggingface' })).toThrow(/"namespaces" must be a list of node namespaces/);
    expect(() => parseProfile({ ...minimal, group: 'GPU pool' })).toThrow(/"group" must be 1-40 lowercase/);
    // Interruptible capacity is the scaler's, destroyed when released: a stopped one could not simply resume.
    expect(() => parseProfile({ ...minimal, interruptible: true })).toThrow(/"interruptible": true needs "scale" with "release": "destroy"/);
    expect(() => parseProfile({ ...minimal, interruptible: true, scale: { release: 'stop' } })).toThrow(/"interruptible": true needs "scale"/);
    expect(parseProfile({ ...minimal, interruptible: true, scale: {} })).toMatchObject({ interruptible: true, scale: { release: 'destroy' } });
  });
});
