import { describe, expect, it } from 'vitest';
import { parseProfile } from '@nt/provisioning';
import type { NodeMetadata } from '@nt/protocol';
import { matchGroup } from './scaledGroups.js';

const profile = (name: string, extra: Record<string, unknown>) =>
  parseProfile({
    name,
    provider: 'vast',
    gpu_type: 'RTX 4090',
    image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
    max_price_per_hour: 1,
    ...extra,
  });
const node = (type: string): NodeMetadata => ({ node_type: type, outputs: [] });

describe('which scaled group serves a run', () => {
  const profiles = [
    profile('hf-a', { group: 'gpu', namespaces: ['huggingface'], scale: {} }),
    profile('hf-b', { group: 'gpu', namespaces: ['huggingface'], scale: {} }),
    profile('cheap', { group: 'cpu', namespaces: ['fixtures'], scale: {} }),
    profile('manual', { namespaces: ['huggingface', 'fixtures'] }),
  ];
  const catalogs: Record<string, NodeMetadata[]> = { 'hf-a': [node('huggingface.text.Generate'), node('huggingface.image.Detect')] };
  const catalogOf = (name: string) => catalogs[name] ?? null;

  it('matches by the catalog a profile’s workers announced, else by its declared namespaces; a profile without scale never', () => {
    expect(matchGroup(['huggingface.text.Generate'], profiles, catalogOf)).toEqual({ group: 'gpu', catalog: catalogs['hf-a'] });
    // hf-a's catalog lacks it, but hf-b never ran: its namespace still covers it (nothing to check against yet).
    expect(matchGroup(['huggingface.audio.Speak'], profiles, catalogOf)).toEqual({ group: 'gpu', catalog: null });
    expect(matchGroup(['fixtures.Sleep'], profiles, catalogOf)).toEqual({ group: 'cpu', catalog: null });
    expect(matchGroup(['comfy.KSampler'], profiles, catalogOf)).toBeNull();
  });

  it('keeps to the group a run names, and finds nothing for a group no scaled profile serves', () => {
    expect(matchGroup(['fixtures.Sleep'], profiles, catalogOf, 'gpu')).toBeNull();
    expect(matchGroup(['fixtures.Sleep'], profiles, catalogOf, 'cpu')).toMatchObject({ group: 'cpu' });
    expect(matchGroup(['fixtures.Sleep'], profiles, catalogOf, 'manual')).toBeNull();
  });
});
