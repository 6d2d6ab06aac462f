import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { releaseImages } from './releaseImages.js';
import { ReleaseConfigError, releaseTargetFromEnv } from './releaseTarget.js';

/**
 * nx run image-release:release — publishes the core and HF worker images (docs/worker-deployment.md,
 * "Publish the images"). NODETOOL_REGISTRY (ghcr.io), NODETOOL_REGISTRY_NAMESPACE (required), HF_PROFILE
 * (gpu), NODETOOL_RELEASE_LATEST (0). Refuses a working tree with uncommitted changes: the tag names
 * the commit, so it must be what was built.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

async function main(): Promise<number> {
  let target;
  try {
    target = releaseTargetFromEnv(process.env);
  } catch (error) {
    if (error instanceof ReleaseConfigError) {
      console.error(`image-release: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
  if (changed && process.env['NODETOOL_RELEASE_ALLOW_DIRTY'] !== '1') {
    console.error('image-release: the working tree has uncommitted changes, and the tags name the commit: commit first (or NODETOOL_RELEASE_ALLOW_DIRTY=1)');
    return 2;
  }
  process.env['DOCKER_HOST'] = execFileSync('bash', ['tools/engine/ensure-engine.sh'], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
  const released = await releaseImages(root, target, (line) => console.log(`image-release: ${line}`));
  console.log(JSON.stringify({ released }, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`image-release: ${error.message}`);
    process.exit(1);
  },
);
