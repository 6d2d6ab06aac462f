import type { KeepAliveMs } from './keepAlive.js';
import { leaseJobId, leaseKey, leaseNodeId } from './leaseIds.js';
import { modelKey, modelRefsIn } from './modelRefs.js';
import type { ModelKeepAlive } from './modelKeepAlive.js';

/** Where an execute runs on the worker: its job and node ids. */
export interface ExecutePlacement {
  jobId: string;
  nodeId: string;
}

/**
 * One run's part of the keep-alive (see ModelKeepAlive): places the executes of nodes that name a
 * model under the lease for those models, and remembers which models the run used, so that
 * `finish()` can extend or release the leases that hold them.
 */
export class KeepAliveRun {
  private readonly acquired = new Set<string>();
  private readonly touched = { keys: new Set<string>(), models: new Set<string>() };
  private finished = false;

  constructor(
    private readonly keepAlive: ModelKeepAlive,
    readonly keepAliveMs: KeepAliveMs,
  ) {}

  /**
   * The job and node ids for an execute of `nodeId` with these fields; null when the node names no
   * model or the keep-alive is 0 (it then runs under the run's own job, released at run end).
   */
  placement(nodeId: string, fields: Record<string, unknown>): ExecutePlacement | null {
    const models = modelRefsIn(fields).map(modelKey);
    if (models.length === 0 || this.finished) return null;
    for (const model of models) this.touched.models.add(model);
    const key = leaseKey(models);
    this.touched.keys.add(key);
    if (this.keepAliveMs === 0) return null;
    if (!this.acquired.has(key)) this.acquired.add(this.keepAlive.acquire(models));
    return { jobId: leaseJobId(key), nodeId: leaseNodeId(nodeId, key) };
  }

  /** Once, on every outcome of the run. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.keepAlive.settle(this.acquired, this.touched, this.keepAliveMs);
  }
}
