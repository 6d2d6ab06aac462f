/** Where a release goes and what it adds: from the environment, every mistake named. */
export interface ReleaseTarget {
  /** Registry host (and port): ghcr.io by default. */
  registry: string;
  /** The namespace under it: your GitHub user or organisation on GHCR, your Docker Hub account. */
  namespace: string;
  profile: 'cpu' | 'gpu';
  /** Also move `latest` (core) and `latest`/`latest-cpu` (HF) to this release: only when asked. */
  latest: boolean;
}

export class ReleaseConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

const REGISTRY = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;
// Docker's repository path components: lowercase letters and digits, with . _ __ - between them.
const NAMESPACE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

export function releaseTargetFromEnv(env: NodeJS.ProcessEnv): ReleaseTarget {
  const registry = env['NODETOOL_REGISTRY']?.trim() || 'ghcr.io';
  if (!REGISTRY.test(registry)) {
    throw new ReleaseConfigError(
      'NODETOOL_REGISTRY',
      `NODETOOL_REGISTRY must be a registry host, optionally with a port (ghcr.io, docker.io, 127.0.0.1:5000), got ${JSON.stringify(registry)}`,
    );
  }
  const namespace = env['NODETOOL_REGISTRY_NAMESPACE']?.trim() ?? '';
  if (!namespace) {
    throw new ReleaseConfigError(
      'NODETOOL_REGISTRY_NAMESPACE',
      `NODETOOL_REGISTRY_NAMESPACE is not set: the images go to ${registry}/<namespace>/nodetool-core and …/nodetool-hf (on GHCR, your user or organisation)`,
    );
  }
  if (!NAMESPACE.test(namespace)) {
    throw new ReleaseConfigError(
      'NODETOOL_REGISTRY_NAMESPACE',
      `NODETOOL_REGISTRY_NAMESPACE must be lowercase letters and digits with . _ - or / between them, got ${JSON.stringify(namespace)}`,
    );
  }
  const profile = (env['HF_PROFILE']?.trim() || 'gpu') as ReleaseTarget['profile'];
  if (profile !== 'cpu' && profile !== 'gpu') throw new ReleaseConfigError('HF_PROFILE', `HF_PROFILE must be gpu or cpu, got ${JSON.stringify(profile)}`);
  const rawLatest = env['NODETOOL_RELEASE_LATEST']?.trim().toLowerCase() ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(rawLatest)) {
    throw new ReleaseConfigError('NODETOOL_RELEASE_LATEST', `NODETOOL_RELEASE_LATEST must be 1 or 0, got ${JSON.stringify(rawLatest)}`);
  }
  return { registry, namespace, profile, latest: rawLatest === '1' || rawLatest === 'true' };
}

/** The repository of an image under the target: `ghcr.io/acme/nodetool-core`. */
export function repositoryOf(target: ReleaseTarget, image: 'nodetool-core' | 'nodetool-hf' | 'nodetool-server'): string {
  return `${target.registry}/${target.namespace}/${image}`;
}
