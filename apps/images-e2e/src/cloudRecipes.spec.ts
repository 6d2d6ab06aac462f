import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imageTags } from '@nt/image-release';
import { at } from './repoPaths.js';

// deploy/runpod and deploy/vast are files users copy into a provider's console or API. What can be
// checked offline is checked here: they parse, they expose the worker's port the direct way, keep the
// model cache on the provider's volume, filter on the CUDA driver the GPU image needs, and name only
// settings the image reads.
const pod = JSON.parse(readFileSync(at('deploy/runpod/pod.json'), 'utf8')) as {
  imageName: string;
  ports: string[];
  env: Record<string, string>;
  volumeMountPath: string;
  allowedCudaVersions: string[];
  supportPublicIp: boolean;
};
const vast = JSON.parse(readFileSync(at('deploy/vast/create-instance.json'), 'utf8')) as { image: string; runtype: string; env: Record<string, string> };
const imageScripts = ['entrypoint.sh', 'prepare-mounts.sh', 'env-parts.sh', 'worker-port.sh', 'tls-setup.sh', 'healthcheck.py']
  .map((file) => readFileSync(at(`apps/worker/scripts/${file}`), 'utf8'))
  .join('\n');
// Read by the worker itself or by the libraries in the image, not by our scripts.
const READ_ELSEWHERE = new Set(['HF_HOME', 'NODETOOL_WORKER_TOKEN']);

function settingsOf(env: Record<string, string>): string[] {
  return Object.keys(env).filter((key) => !key.startsWith('-'));
}

describe('deploy/runpod/pod.json', () => {
  it('exposes the worker port as direct TCP on a public IP, never through the HTTP proxy', () => {
    expect(pod.ports).toContain('7777/tcp');
    expect(pod.ports.filter((port) => port.endsWith('/http'))).toEqual([]);
    expect(pod.supportPublicIp).toBe(true);
  });

  it('takes the token from a RunPod secret, never a value in the template', () => {
    expect(pod.env['NODETOOL_WORKER_TOKEN']).toMatch(/^\{\{ RUNPOD_SECRET_[a-z0-9_]+ \}\}$/);
  });

  it('keeps the model cache and the TLS certificate on the /workspace volume, and filters on the CUDA 13 driver', () => {
    expect(pod.volumeMountPath).toBe('/workspace');
    expect(pod.env['HF_HOME']).toMatch(/^\/workspace\//);
    expect(pod.env['NODETOOL_WORKER_TLS_DIR']).toMatch(/^\/workspace\//);
    expect(pod.allowedCudaVersions.every((version) => Number(version) >= 13)).toBe(true);
  });

  it('names only settings the image reads', () => {
    for (const name of settingsOf(pod.env)) expect(READ_ELSEWHERE.has(name) || imageScripts.includes(name), name).toBe(true);
  });
});

describe('deploy/vast', () => {
  it('maps the worker port directly, keeps the image entrypoint, and puts the cache on /data', () => {
    expect(vast.env['-p 7777:7777']).toBe('1');
    expect(vast.runtype).toBe('args');
    expect(vast.env['HF_HOME']).toMatch(/^\/data\//);
    expect(vast.env['NODETOOL_WORKER_TLS_DIR']).toMatch(/^\/data\//);
    for (const name of settingsOf(vast.env)) expect(READ_ELSEWHERE.has(name) || imageScripts.includes(name), name).toBe(true);
  });

  it('filters offers on the CUDA driver and a direct port', () => {
    const filter = readFileSync(at('deploy/vast/search-offers.txt'), 'utf8');
    expect(filter).toMatch(/cuda_vers>=13/);
    expect(filter).toMatch(/driver_version>=580/);
    expect(filter).toMatch(/direct_port_count>=1/);
  });

  it('has an onstart script for the SSH and Jupyter modes that is valid sh and starts the worker through the image entrypoint', () => {
    execFileSync('sh', ['-n', at('deploy/vast/onstart.sh')]);
    const onstart = readFileSync(at('deploy/vast/onstart.sh'), 'utf8');
    expect(onstart).toMatch(/\/opt\/nodetool\/entrypoint\.sh python -m nodetool\.worker/);
    expect(readFileSync(at('docker/core/Dockerfile'), 'utf8')).toMatch(/COPY scripts\/healthcheck\.py scripts\/entrypoint\.sh/);
  });
});

describe('the recipes and the release', () => {
  it('reference the HF GPU image as the release tags it, for the pinned nodetool versions', () => {
    const pin = (file: string, name: string) => new RegExp(`^${name}==([\\d.]+)$`, 'm').exec(readFileSync(at(`apps/worker/requirements/${file}`), 'utf8'))?.[1];
    const tag = imageTags({
      coreVersion: pin('core.txt', 'nodetool-core') as string,
      hfVersion: pin('hf-nodeps.txt', 'nodetool-huggingface') as string,
      profile: 'gpu',
      build: 'BUILD',
    }).hf;
    for (const image of [pod.imageName, vast.image]) expect(image).toBe(`ghcr.io/YOUR-NAMESPACE/nodetool-hf:${tag}`);
  });
});
