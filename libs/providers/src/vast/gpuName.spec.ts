import { describe, expect, it } from 'vitest';
import { vastGpuName } from './gpuName.js';

describe('a Vast.ai GPU name', () => {
  it('is spelt as Vast offers carry it, however the user wrote it (the vastai CLI turns _ into a space)', () => {
    expect(vastGpuName('RTX_4090')).toBe('RTX 4090');
    expect(vastGpuName('RTX 4090')).toBe('RTX 4090');
    expect(vastGpuName('  H100_SXM ')).toBe('H100 SXM');
    expect(vastGpuName('RTX_A6000__Ada')).toBe('RTX A6000 Ada');
  });
});
