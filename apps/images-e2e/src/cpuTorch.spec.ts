import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { at } from './repoPaths.js';

// apps/worker/scripts/cpu-torch.sh picks the CPU torch wheel for the engine's architecture: the host
// fetches it for `docker info`'s architecture, the image build for its own `uname -m`.
const script = at('apps/worker/scripts/cpu-torch.sh');
const run = (...args: string[]) => spawnSync('bash', [script, ...args], { encoding: 'utf8' });
const pinned = /^torch==([^+\s]+)\+cpu$/m.exec(readFileSync(at('apps/worker/requirements/hf.txt'), 'utf8'))?.[1];

describe('the CPU torch wheel for the engine architecture', () => {
  it('reads the version from the one pin in requirements/hf.txt', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(['x86_64', 'amd64'])('%s (Linux PCs, x86 Docker Desktop): the +cpu build of the pin, manylinux x86_64 wheels only', (arch) => {
    expect(run('arch', arch).stdout.trim()).toBe('x86_64');
    expect(run('spec', arch).stdout.trim()).toBe(`torch==${pinned}+cpu`);
    const platforms = run('platforms', arch).stdout.trim().split('\n');
    expect(platforms).toEqual(['manylinux_2_28_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'linux_x86_64']);
  });

  it.each(['aarch64', 'arm64'])('%s (Apple Silicon Docker Desktop, Graviton): the pin without a label, manylinux aarch64 wheels only', (arch) => {
    expect(run('arch', arch).stdout.trim()).toBe('aarch64');
    expect(run('spec', arch).stdout.trim()).toBe(`torch==${pinned}`);
    const platforms = run('platforms', arch).stdout.trim().split('\n');
    expect(platforms).toEqual(['manylinux_2_28_aarch64', 'manylinux_2_17_aarch64', 'manylinux2014_aarch64', 'linux_aarch64']);
    expect(platforms.join(' ')).not.toMatch(/x86_64/);
  });

  it('refuses an architecture it has no wheel for, naming it, instead of fetching a wheel the image cannot install', () => {
    for (const command of ['arch', 'spec', 'platforms']) {
      const result = run(command, 'ppc64le');
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/unsupported architecture 'ppc64le'/);
    }
  });
});
