import { describeAuthConformance } from './authConformance.js';
import { startFakeWorker } from './fakeWorker.js';

describeAuthConformance('fake worker', async (token) => {
  const worker = await startFakeWorker({ token });
  return { url: worker.url, stop: () => worker.stop() };
});
