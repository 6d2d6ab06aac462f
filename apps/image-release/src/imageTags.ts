import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a release is made of: the pinned nodetool versions, the HF profile and our commit. */
export interface ReleaseInputs {
  coreVersion: string;
  hfVersion: string;
  profile: 'cpu' | 'gpu';
  /** Our build: the short commit the images were built from. */
  build: string;
}

/**
 * The tags of a release. Each says what it holds, so a tag read in a pod's settings answers "which
 * worker is this?": `core0.8.2-1a2b3c4` (nodetool-core and our build), and
 * `hf0.8.2-core0.8.2-gpu-1a2b3c4` (nodetool-huggingface, the core under it, the torch profile, our build),
 * `server-1a2b3c4` (the TS server with its UI, our build).
 */
export function imageTags(inputs: ReleaseInputs): { core: string; hf: string; server: string } {
  return {
    core: `core${inputs.coreVersion}-${inputs.build}`,
    hf: `hf${inputs.hfVersion}-core${inputs.coreVersion}-${inputs.profile}-${inputs.build}`,
    // The server speaks to workers of any pinned version the bridge accepts: our build is what it is.
    server: `server-${inputs.build}`,
  };
}

/** The nodetool versions the images pin, read where the builds read them (apps/worker/requirements). */
export function pinnedVersions(root: string): { coreVersion: string; hfVersion: string } {
  const read = (file: string, name: string) => {
    const version = new RegExp(`^${name}==([0-9][0-9A-Za-z.+-]*)$`, 'm').exec(readFileSync(join(root, 'apps/worker/requirements', file), 'utf8'))?.[1];
    if (!version) throw new Error(`apps/worker/requirements/${file} pins no ${name} version`);
    return version;
  };
  return { coreVersion: read('core.txt', 'nodetool-core'), hfVersion: read('hf-nodeps.txt', 'nodetool-huggingface') };
}
