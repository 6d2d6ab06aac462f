import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '@nt/certificates';
import { composeCommand, docker } from '@nt/smoke-runner';
import { at } from './repoPaths.js';

// `docker compose --profile cpu build` from a clean clone, with no wrapper script run first: the path
// the seed's users take. Only what this machine itself needs is added, each for a stated reason.
const suffix = Math.random().toString(36).slice(2, 8);
const CORE = `nt-clean-core:${suffix}`;
const HF = `nt-clean-hf:${suffix}`;

function run(command: string[], cwd: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command[0]!, command.slice(1), { cwd, env: { ...process.env, ...env }, maxBuffer: 256 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command.join(' ')} failed:\n${(stdout + stderr).slice(-4000)}`)) : resolve(stdout + stderr),
    ),
  );
}

/** What `git clone` would give: tracked files plus new ones git does not ignore, nothing generated. */
function cleanCopy(): string {
  const target = mkdtempSync(join(tmpdir(), 'nt-clean-clone-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: at('.'), encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  execFileSync('bash', ['-c', 'tar -c --null -T - -f - | tar -x -C "$1"', '_', target], { cwd: at('.'), input: files.join('\0') });
  return target;
}

/** A throwaway CA certificate: its body is what must never show up in an image layer. */
async function markerCa(dir: string): Promise<{ path: string; body: string }> {
  const path = join(dir, 'marker.crt');
  const { certPem } = await selfSignedCertificate({ commonName: `nodetool-marker-${suffix}`, days: 1 });
  writeFileSync(path, certPem);
  const lines = certPem.split('\n').filter((line) => line && !line.startsWith('-----'));
  return { path, body: lines[Math.floor(lines.length / 2)]! };
}

describe('docker compose --profile cpu build from a clean clone', () => {
  let clone: string;
  let marker: { path: string; body: string };

  beforeAll(async () => {
    clone = cleanCopy();
    const extras = join(clone, 'apps', 'worker', 'build-extras');
    expect(readdirSync(join(extras, 'ca'))).toEqual(['README.md']);
    expect(readdirSync(join(extras, 'wheels'))).toEqual(['README.md']);

    marker = await markerCa(join(extras, 'ca'));
    // This machine reaches PyPI through a TLS-inspecting proxy: pip in the build must trust its CA,
    // as a user behind such a proxy would drop theirs in build-extras/ca/ (docs/worker-deployment.md).
    if (existsSync('/etc/ssl/certs/ca-certificates.crt')) copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(extras, 'ca', 'this-network.crt'));
    // This machine cannot reach PyTorch's CPU index: hand the build the wheel the wrapper fetched for the
    // engine's architecture, as an offline user would. Without it the build installs from TORCH_INDEX_URL.
    const arch = execFileSync('bash', [at('apps/worker/scripts/cpu-torch.sh'), 'arch', await docker(['info', '--format', '{{.Architecture}}'])], {
      encoding: 'utf8',
    }).trim();
    const wheels = at('apps/worker/build-extras/wheels');
    for (const wheel of existsSync(wheels) ? readdirSync(wheels).filter((name) => name.startsWith('torch-') && name.endsWith(`${arch}.whl`)) : []) {
      copyFileSync(join(wheels, wheel), join(extras, 'wheels', wheel));
    }
    // No registry here: the base is the one tools/engine/ensure-base-image.sh provides (a pull elsewhere).
    const base = execFileSync('bash', [at('tools/engine/ensure-base-image.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop()!;

    await run([...composeCommand(), '-f', 'docker/compose.yaml', '--profile', 'cpu', 'build'], clone, {
      BASE_IMAGE: base,
      CORE_IMAGE: CORE,
      HF_IMAGE: HF,
      ...(process.env['NODETOOL_TORCH_INDEX_URL'] ? { TORCH_INDEX_URL: process.env['NODETOOL_TORCH_INDEX_URL'] } : {}),
    });
  }, 1_200_000);

  afterAll(async () => {
    await docker(['rmi', '-f', HF, CORE]).catch(() => '');
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('builds the core image and then the HF image on it', async () => {
    // The HF image's layers start with every layer of the core image compose just built: FROM it, after it.
    const layers = async (image: string) => JSON.parse(await docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', image])) as string[];
    const core = await layers(CORE);
    const hf = await layers(HF);
    expect(hf.slice(0, core.length)).toEqual(core);
    expect(hf.length).toBe(core.length + 1);
  });

  it('gives an HF image whose commands run as the non-root user (its entrypoint drops root) with the CPU torch of the pin', async () => {
    const facts = await docker([
      'run',
      '--rm',
      HF,
      'sh',
      '-c',
      'id -u; python -c "import torch, nodetool; print(torch.__version__, torch.cuda.is_available())"',
    ]);
    const pinned = /^torch==([^+\s]+)/m.exec(readFileSync(at('apps/worker/requirements/hf.txt'), 'utf8'))?.[1];
    expect(facts.split('\n')).toEqual(['10001', expect.stringMatching(new RegExp(`^${pinned!.replace(/\./g, '\\.')}(\\+cpu)? False$`))]);
  });

  it('keeps the build CA out of every layer and out of the history of both images', async () => {
    const saved = mkdtempSync(join(tmpdir(), 'nt-saved-'));
    try {
      for (const image of [CORE, HF]) {
        const tar = join(saved, 'image.tar');
        await docker(['save', '-o', tar, image]);
        // Layers are stored uncompressed inside the saved tar: a byte search finds any copied file.
        for (const needle of [marker.body, 'build-extras/', `nodetool-marker-${suffix}`]) {
          const hits = execFileSync('bash', ['-c', 'grep -a -c -F -- "$1" "$2" || true', '_', needle, tar], { encoding: 'utf8' }).trim();
          expect(hits, `${needle} in ${image}`).toBe('0');
        }
        rmSync(tar);
        expect(await docker(['history', '--no-trunc', image])).not.toMatch(/build-extras|marker\.crt|BEGIN CERTIFICATE/);
      }
    } finally {
      rmSync(saved, { recursive: true, force: true });
    }
  });
});
