import type { RentRequest } from '../providerClient.js';

/** A rental as a profile would ask for it (one RTX 4090, our image, a token in the environment), with `over` on top. */
export function sampleRentRequest(over: Partial<RentRequest> = {}): RentRequest {
  return {
    name: 'nodetool-spec-1',
    image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
    gpuType: 'NVIDIA GeForce RTX 4090',
    gpuCount: 1,
    containerDiskGb: 30,
    volumeGb: 100,
    volumeMount: '/workspace',
    cudaMin: '12.8',
    maxPricePerHour: 1,
    port: 7777,
    env: { NODETOOL_WORKER_TOKEN: 'a'.repeat(64), HF_HOME: '/workspace/huggingface' },
    ...over,
  };
}
