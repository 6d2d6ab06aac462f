import type { ServerRunEvent } from '@nt/api-contract';
import type { Logger } from './logger.js';

/**
 * Log lines for runs and nodes, each with `job_id`, `node_id` (null for a run's own line) and
 * `worker` (the worker that ran it; a run's line names the ones its nodes ran on), so a log shipper can
 * follow one run across the server's and the workers' lines. Runs at info, node executions at debug,
 * a node's failure at warn.
 */
export class RunLog {
  /** The workers each run's nodes ran on, until the run ends. */
  private readonly workers = new Map<string, Set<string>>();
  /** The worker of each node that has one (`job/node`), for its log lines. */
  private readonly nodeWorkers = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  observe(event: ServerRunEvent): void {
    if (event.type === 'log_update') {
      // What a node wrote: at debug, as the worker's own output (it may be long or chatty).
      const worker = this.nodeWorkers.get(`${event.job_id}/${event.node_id}`) ?? null;
      this.logger.debug({ job_id: event.job_id, node_id: event.node_id, worker, severity: event.severity }, event.content);
      return;
    }
    if (event.type === 'node_update') {
      if (event.worker) {
        const used = this.workers.get(event.job_id) ?? new Set<string>();
        used.add(event.worker);
        this.workers.set(event.job_id, used);
        this.nodeWorkers.set(`${event.job_id}/${event.node_id}`, event.worker);
      }
      if (event.status === 'running') return;
      const fields = {
        job_id: event.job_id,
        node_id: event.node_id,
        worker: event.worker ?? null,
        node_type: event.node_type,
        status: event.status,
        duration_ms: event.duration_ms,
        ...(event.error ? { error: event.error } : {}),
      };
      if (event.status === 'failed') this.logger.warn(fields, `node ${event.node_id} failed`);
      else this.logger.debug(fields, `node ${event.node_id} ${event.status}`);
      return;
    }
    if (event.type !== 'job_update') return;
    const ended = event.status !== 'queued' && event.status !== 'running';
    const used = this.workers.get(event.job_id);
    if (ended) {
      this.workers.delete(event.job_id);
      for (const key of this.nodeWorkers.keys()) if (key.startsWith(`${event.job_id}/`)) this.nodeWorkers.delete(key);
    }
    const fields = {
      job_id: event.job_id,
      node_id: null,
      worker: used ? [...used].join(',') : null,
      workflow_id: event.workflow_id,
      status: event.status,
      ...(event.duration_ms !== undefined ? { duration_ms: event.duration_ms } : {}),
      ...(event.error ? { error: event.error } : {}),
    };
    if (event.status === 'failed') this.logger.warn(fields, `run ${event.job_id} failed`);
    else this.logger.info(fields, `run ${event.job_id} ${event.status}`);
  }
}
