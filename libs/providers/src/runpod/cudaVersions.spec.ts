import { describe, expect, it } from 'vitest';
import { cudaVersionsFrom, RUNPOD_CUDA_VERSIONS } from './cudaVersions.js';

describe('allowedCudaVersions for a floor', () => {
  it('lists every known version at or above it, so newer hosts stay allowed', () => {
    expect(cudaVersionsFrom('12.8')).toEqual(['12.8', '12.9', '13.0']);
    expect(cudaVersionsFrom('13.0')).toEqual(['13.0']);
    expect(cudaVersionsFrom('11.0')).toEqual([...RUNPOD_CUDA_VERSIONS]);
    expect(cudaVersionsFrom('12.10')).toEqual(['13.0']);
  });

  it('refuses a floor above every version RunPod lists, naming the field', () => {
    expect(() => cudaVersionsFrom('13.1')).toThrow(/"cuda_min" 13.1 is above every CUDA version RunPod lists \(13.0 is the newest known here\)/);
  });
});
