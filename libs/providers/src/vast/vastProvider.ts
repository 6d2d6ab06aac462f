import type { Provider } from '../provider.js';
import { VastClient } from './vastClient.js';
import { locateVastWorker } from './vastLocator.js';

/** Vast.ai: instances rented from offers, through its REST API (https://console.vast.ai). */
export const vast: Provider = {
  name: 'vast',
  displayName: 'Vast.ai',
  keyVariable: 'VAST_API_KEY',
  api: { defaultUrl: 'https://console.vast.ai', urlVariable: 'NODETOOL_VAST_API_URL' },
  // Instance ids are numbers.
  id: { pattern: /^[0-9]{1,12}$/, expected: 'a numeric instance id' },
  defaultVolumeMount: '/data',
  locate: locateVastWorker,
  client: (api) => new VastClient(api),
};
