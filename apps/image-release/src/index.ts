export { imageTags, pinnedVersions, type ReleaseInputs } from './imageTags.js';
export { releaseTargetFromEnv, repositoryOf, ReleaseConfigError, type ReleaseTarget } from './releaseTarget.js';
