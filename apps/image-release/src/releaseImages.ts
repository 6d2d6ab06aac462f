import { execFileSync } from 'node:child_process';
import { ReleaseClient } from 'nx/release';
import { imageTags, pinnedVersions } from './imageTags.js';
import { repositoryOf, type ReleaseTarget } from './releaseTarget.js';

/** The image each Nx image project holds, as @nx/docker names it from the project's path. */
const NX_IMAGE_REF = { 'core-image': 'docker-core', 'hf-image': 'docker-hf', 'server-image': 'docker-server' } as const;
type ImageProject = keyof typeof NX_IMAGE_REF;
const REPOSITORY: Record<ImageProject, 'nodetool-core' | 'nodetool-hf' | 'nodetool-server'> = {
  'core-image': 'nodetool-core',
  'hf-image': 'nodetool-hf',
  'server-image': 'nodetool-server',
};

export interface ReleasedImage {
  project: ImageProject;
  reference: string;
  digest: string;
}

/**
 * Builds and publishes the images with nx release: the core image, then the HF image built FROM the
 * core reference just pushed (so the HF image's base is exactly what the registry holds), then the
 * server image.
 * Each is tagged by @nx/docker's release version step and pushed by its release-publish executor;
 * `latest` moves only when the target asks for it. Pushing uses the engine's own credentials
 * (`docker login`); this never sees a registry password.
 */
export async function releaseImages(root: string, target: ReleaseTarget, log: (line: string) => void): Promise<ReleasedImage[]> {
  const build = git(root, ['rev-parse', '--short=7', 'HEAD']);
  const tags = imageTags({ ...pinnedVersions(root), profile: target.profile, build });
  const client = new ReleaseClient(
    {
      groups: {
        core: {
          projects: ['core-image'],
          docker: { registryUrl: target.registry, repositoryName: `${target.namespace}/nodetool-core`, skipVersionActions: true },
        },
        hf: { projects: ['hf-image'], docker: { registryUrl: target.registry, repositoryName: `${target.namespace}/nodetool-hf`, skipVersionActions: true } },
        server: {
          projects: ['server-image'],
          docker: { registryUrl: target.registry, repositoryName: `${target.namespace}/nodetool-server`, skipVersionActions: true },
        },
      },
      changelog: { workspaceChangelog: false, projectChangelogs: false },
      git: { commit: false, tag: false, push: false, stageChanges: false },
    },
    true,
  );
  const released: ReleasedImage[] = [];
  const publish = async (project: ImageProject, version: string) => {
    await client.releaseVersion({ projects: [project], dockerVersion: version, gitCommit: false, gitTag: false, stageChanges: false });
    const results = await client.releasePublish({ projects: [project] });
    const failed = Object.entries(results).filter(([, result]) => result.code !== 0);
    if (failed.length) throw new Error(`nx release publish failed for ${failed.map(([name]) => name).join(', ')}`);
    const reference = `${repositoryOf(target, REPOSITORY[project])}:${version}`;
    released.push({ project, reference, digest: digestOf(reference) });
    log(`pushed ${reference}`);
  };

  const coreLocal = 'nodetool-core:local';
  buildImage(root, 'core', { CORE_IMAGE: coreLocal });
  docker(['tag', coreLocal, NX_IMAGE_REF['core-image']]);
  await publish('core-image', tags.core);

  // The HF image on the pushed core: its FROM names the registry's reference, whose layers the engine holds.
  const pushedCore = `${repositoryOf(target, 'nodetool-core')}:${tags.core}`;
  const hfLocal = `nodetool-hf:${target.profile === 'cpu' ? 'local' : 'gpu'}`;
  buildImage(root, 'hf', { CORE_IMAGE: pushedCore, HF_IMAGE: hfLocal, HF_PROFILE: target.profile });
  docker(['tag', hfLocal, NX_IMAGE_REF['hf-image']]);
  await publish('hf-image', tags.hf);

  const serverLocal = 'nodetool-server:local';
  buildImage(root, 'server', { SERVER_IMAGE: serverLocal });
  docker(['tag', serverLocal, NX_IMAGE_REF['server-image']]);
  await publish('server-image', tags.server);

  if (target.latest) {
    await publish('core-image', 'latest');
    await publish('hf-image', target.profile === 'gpu' ? 'latest' : 'latest-cpu');
    await publish('server-image', 'latest');
  }
  return released;
}

function buildImage(root: string, kind: 'core' | 'hf' | 'server', env: Record<string, string>): void {
  execFileSync('bash', ['tools/docker/build-image.sh', kind], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
}

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The registry's digest of a pushed reference (what a pod pulls by), from the engine's record of the push. */
function digestOf(reference: string): string {
  const repository = reference.slice(0, reference.lastIndexOf(':'));
  const digests = docker(['image', 'inspect', '--format', '{{join .RepoDigests "\\n"}}', reference]).split('\n');
  return digests.find((entry) => entry.startsWith(`${repository}@`))?.split('@')[1] ?? 'unknown';
}

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}
