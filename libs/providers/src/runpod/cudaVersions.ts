import { ConfigError } from '@nt/bridge';

/**
 * The CUDA versions RunPod's hosts report, oldest first: the values its create input's
 * `allowedCudaVersions` takes (RunPod's REST schema for pods; the same list as the Rust `runpod-sdk`'s
 * CudaVersion). Extend it when RunPod adds a version: a floor at or below every entry keeps working,
 * and the spec beside this file fails for a floor above the last one.
 */
export const RUNPOD_CUDA_VERSIONS = ['11.8', '12.0', '12.1', '12.2', '12.3', '12.4', '12.5', '12.6', '12.7', '12.8', '12.9', '13.0'] as const;

/**
 * `allowedCudaVersions` for a floor: every known version at or above it. The field is a list of allowed
 * versions, not a floor, so `[floor]` alone would exclude every newer host.
 */
export function cudaVersionsFrom(floor: string): string[] {
  const allowed = RUNPOD_CUDA_VERSIONS.filter((version) => compareVersions(version, floor) >= 0);
  if (!allowed.length) {
    throw new ConfigError('cuda_min', `"cuda_min" ${floor} is above every CUDA version RunPod lists (${RUNPOD_CUDA_VERSIONS.at(-1)} is the newest known here)`);
  }
  return allowed;
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
