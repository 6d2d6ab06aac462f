import { assets } from './routes/assets.js';
import { auth } from './routes/auth.js';
import { capacity } from './routes/capacity.js';
import { health } from './routes/health.js';
import { jobs } from './routes/jobs.js';
import { models } from './routes/models.js';
import { nodes } from './routes/nodes.js';
import { rentedWorkers } from './routes/rentedWorkers.js';
import { workerProfiles } from './routes/workerProfiles.js';
import { workflows } from './routes/workflows.js';
import type { RouteGroup, RouteSpec } from './route.js';

/**
 * Every HTTP route of the server. The server implements each entry (a handler per route, typed from it),
 * the CLI's and the browser's clients are derived from it, and the README's endpoint table is checked
 * against it. Adding an endpoint: an entry here, its handler in apps/server/src/routes/.
 */
export const apiContract = { health, auth, nodes, workflows, jobs, assets, models, workerProfiles, rentedWorkers, capacity } as const satisfies RouteGroup;
export type ApiContract = typeof apiContract;

/** The WebSocket, beside the HTTP routes (its messages are ClientCommand and ServerMessage). */
export const websocketEndpoint = {
  path: '/ws',
  summary:
    'in (each checked against the contract’s schemas): `run_job` (subscribes the sender; the fields of an HTTP run), `reconnect_job` (`{job_id, last_seq}` after a dropped connection: `job_resumed`, then every event after `last_seq` the server holds, then live), `subscribe` / `unsubscribe` (by `job_id`, with the state so far), `cancel_job`; out: run events numbered by `seq` per job (`job_update`, `node_update`, `node_progress`, `output_update` (one per item of a stream, with `item`), `node_preview`, `log_update`, `secret_withheld`, `model_download`), `worker_status`, `models_download`, `models_resident`, `rented_worker`, `cost_guard`',
} as const;

/** Every route with its dotted name (`workflows.get`), in declaration order. */
export function routesOf(group: RouteGroup = apiContract, prefix = ''): Array<{ name: string; route: RouteSpec }> {
  return Object.entries(group).flatMap(([name, entry]) =>
    'method' in entry && typeof entry.method === 'string'
      ? [{ name: `${prefix}${name}`, route: entry as RouteSpec }]
      : routesOf(entry as RouteGroup, `${prefix}${name}.`),
  );
}
