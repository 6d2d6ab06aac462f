import type { Provider } from '../provider.js';
import { RunpodClient } from './runpodClient.js';
import { locateRunpodWorker } from './runpodLocator.js';

/** RunPod: pods, through its GraphQL API (https://api.runpod.io/graphql). */
export const runpod: Provider = {
  name: 'runpod',
  displayName: 'RunPod',
  keyVariable: 'RUNPOD_API_KEY',
  api: { defaultUrl: 'https://api.runpod.io/graphql', urlVariable: 'NODETOOL_RUNPOD_API_URL' },
  // Pod ids are short lowercase alphanumerics, as in the console.
  id: { pattern: /^[a-z0-9]{6,32}$/i, expected: 'a pod id (letters and digits, as in the RunPod console)' },
  defaultVolumeMount: '/workspace',
  locate: locateRunpodWorker,
  client: (api) => new RunpodClient(api),
};
