import { isProviderUrl } from '@nt/providers';
import { serverApi } from './serverClient.js';

/**
 * A run against a rented worker (a cloud instance's URL) tells the server, whose cost guard would
 * otherwise count the worker idle and stop it under this run's successors. Best effort: with no
 * server running (NODETOOL_SERVER_URL, else 127.0.0.1:7777) there is no guard to tell.
 */
export async function reportRentedActivity(workerUrl: string | undefined): Promise<void> {
  if (!workerUrl || !isProviderUrl(workerUrl)) return;
  try {
    await serverApi(undefined).api.rentedWorkers.activity({ body: { worker: workerUrl } });
  } catch {
    // No server, or a worker it did not rent: nothing keeps count, nothing to do.
  }
}
