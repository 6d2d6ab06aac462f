import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PINNED_NODETOOL_CORE_VERSION } from '@nt/protocol';
import { at } from './repoPaths.js';

// The released worker we pin lives in apps/worker/requirements (core.txt, hf-nodeps.txt). The few places
// that must repeat it (a Dockerfile default for plain `docker build`, the protocol's constant) must agree,
// and no other tracked file may name another version: bumping the pin then fails here, not in production.
const pin = (file: string, name: string) => new RegExp(`^${name}==(\\S+)$`, 'm').exec(readFileSync(at(file), 'utf8'))?.[1];
const core = pin('apps/worker/requirements/core.txt', 'nodetool-core');
const hf = pin('apps/worker/requirements/hf-nodeps.txt', 'nodetool-huggingface');

describe('the pinned nodetool versions', () => {
  it('are read from the requirements files', () => {
    expect(core).toMatch(/^\d+\.\d+\.\d+$/);
    expect(hf).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('agree with the copies that cannot read those files', () => {
    expect(/^ARG NODETOOL_VERSION=(\S+)$/m.exec(readFileSync(at('docker/core/Dockerfile'), 'utf8'))?.[1]).toBe(core);
    expect(/^ARG HF_VERSION=(\S+)$/m.exec(readFileSync(at('docker/hf/Dockerfile'), 'utf8'))?.[1]).toBe(hf);
    expect(PINNED_NODETOOL_CORE_VERSION).toBe(core);
  });

  it('are not written anywhere else with another value', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: at('.'), encoding: 'utf8' })
      .split('\0')
      .filter((file) => file && !file.endsWith('package-lock.json'));
    const stray: string[] = [];
    for (const file of tracked) {
      let text: string;
      try {
        text = readFileSync(at(file), 'utf8');
      } catch {
        continue;
      }
      for (const match of text.matchAll(/nodetool-(core|huggingface)[= ]=?\s*(\d+\.\d+\.\d+)|(NODETOOL|HF)_VERSION[:=-]+(\d+\.\d+\.\d+)/g)) {
        const version = match[2] ?? match[4];
        const expected = (match[1] ?? (match[3] === 'HF' ? 'huggingface' : 'core')) === 'huggingface' ? hf : core;
        if (version !== expected) stray.push(`${file}: ${match[0]}`);
      }
    }
    expect(stray).toEqual([]);
  });
});
