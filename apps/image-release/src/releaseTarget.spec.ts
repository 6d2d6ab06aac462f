import { describe, expect, it } from 'vitest';
import { imageTags, pinnedVersions } from './imageTags.js';
import { releaseTargetFromEnv, repositoryOf } from './releaseTarget.js';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the release target', () => {
  it('goes to GHCR by default, under the namespace given, with latest only on request', () => {
    const target = releaseTargetFromEnv({ NODETOOL_REGISTRY_NAMESPACE: 'acme' });
    expect(target).toEqual({ registry: 'ghcr.io', namespace: 'acme', profile: 'gpu', latest: false });
    expect(repositoryOf(target, 'nodetool-hf')).toBe('ghcr.io/acme/nodetool-hf');
    expect(
      releaseTargetFromEnv({ NODETOOL_REGISTRY: '127.0.0.1:5000', NODETOOL_REGISTRY_NAMESPACE: 'team/gpu', HF_PROFILE: 'cpu', NODETOOL_RELEASE_LATEST: '1' }),
    ).toEqual({
      registry: '127.0.0.1:5000',
      namespace: 'team/gpu',
      profile: 'cpu',
      latest: true,
    });
  });

  it('names the setting that cannot work', () => {
    expect(() => releaseTargetFromEnv({})).toThrow(/NODETOOL_REGISTRY_NAMESPACE is not set/);
    expect(() => releaseTargetFromEnv({ NODETOOL_REGISTRY_NAMESPACE: 'Acme' })).toThrow(/NODETOOL_REGISTRY_NAMESPACE must be lowercase/);
    expect(() => releaseTargetFromEnv({ NODETOOL_REGISTRY_NAMESPACE: 'acme', NODETOOL_REGISTRY: 'https://ghcr.io' })).toThrow(
      /NODETOOL_REGISTRY must be a registry host/,
    );
    expect(() => releaseTargetFromEnv({ NODETOOL_REGISTRY_NAMESPACE: 'acme', HF_PROFILE: 'tpu' })).toThrow(/HF_PROFILE must be gpu or cpu/);
    expect(() => releaseTargetFromEnv({ NODETOOL_REGISTRY_NAMESPACE: 'acme', NODETOOL_RELEASE_LATEST: 'yes' })).toThrow(
      /NODETOOL_RELEASE_LATEST must be 1 or 0/,
    );
  });
});

describe('the image tags', () => {
  it('say which nodetool-core, which nodetool-huggingface, which profile and which of our builds (the server: our build)', () => {
    expect(imageTags({ coreVersion: '0.8.2', hfVersion: '0.8.3', profile: 'gpu', build: '1a2b3c4' })).toEqual({
      core: 'core0.8.2-1a2b3c4',
      hf: 'hf0.8.3-core0.8.2-gpu-1a2b3c4',
      server: 'server-1a2b3c4',
    });
  });

  it('read the versions the images are built with', () => {
    const pins = pinnedVersions(root);
    expect(pins.coreVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(pins.hfVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
});
