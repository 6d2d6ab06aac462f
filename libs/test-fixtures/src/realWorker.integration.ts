import { describeAuthConformance } from './authConformance.js';
import { spawnRealWorker } from './realWorker.js';

// The same table against the released nodetool-core worker: the fake must match it exactly.
describeAuthConformance('real nodetool-core worker', async (token) => {
  const worker = await spawnRealWorker({ token });
  return { url: worker.url, stop: () => worker.kill() };
});
