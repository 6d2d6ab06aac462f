import type { WorkerHealth } from '@nt/api-contract';
import type { PythonBridge, PythonBridgeOptions, WorkerSpec } from '@nt/bridge';
import type { KeepAliveMs, SecretPolicy, WorkerHandle } from '@nt/runtime';
import { ModelService } from '../models/modelService.js';
import { bridgeOptionsFor } from './bridgeOptionsFor.js';
import type { Candidate } from './chooseWorker.js';
import { WorkerSupervisor } from './workerSupervisor.js';

export interface MemberSettings {
  retry: { initialDelayMs: number; maxDelayMs: number };
  defaultKeepAliveMs: KeepAliveMs;
  secretPolicy: SecretPolicy;
  log: (line: string) => void;
  factory?: (options: PythonBridgeOptions) => PythonBridge;
  /** With no worker configured, start a local worker process (default); false: no worker until one is attached (rented). */
  localWorker?: boolean;
}

/**
 * One worker of the pool: its supervised bridge (which owns reconnecting), its models (cache,
 * keep-alive, downloads) and its load: the runs it has in flight against its own limit.
 */
export class PoolMember implements Candidate {
  readonly supervisor: WorkerSupervisor;
  readonly models: ModelService;
  /** Runs this server executes on it. */
  runsHere = 0;
  /** Runs other server replicas execute on it, as the database last said (SharedPool); 0 with one server. */
  runsElsewhere = 0;
  /** Why it takes no new run (the cost guard is about to stop it), or null. */
  closedToNewRuns: string | null = null;

  constructor(
    readonly id: string,
    readonly labels: Record<string, string>,
    readonly maxConcurrentRuns: number | null,
    bridgeOptions: PythonBridgeOptions,
    settings: MemberSettings,
  ) {
    this.supervisor = new WorkerSupervisor(bridgeOptions, settings.retry, settings.factory);
    this.models = new ModelService(this.supervisor, settings.defaultKeepAliveMs, settings.secretPolicy, settings.log);
  }

  /** A member for a configured worker. */
  static fromSpec(spec: WorkerSpec, base: PythonBridgeOptions, settings: MemberSettings): PoolMember {
    return new PoolMember(spec.id, spec.labels, spec.maxConcurrentRuns ?? null, bridgeOptionsFor(spec, base), settings);
  }

  /** Every run on it, whichever replica runs it: what its limit, routing and the cost guard count. */
  get runsInFlight(): number {
    return this.runsHere + this.runsElsewhere;
  }

  get connected(): boolean {
    return this.supervisor.bridge !== null;
  }

  offers(nodeType: string): boolean {
    return this.supervisor.bridge?.hasNodeType(nodeType) ?? false;
  }

  holds(model: string): boolean {
    return this.models.keepAlive()?.holds(model) ?? false;
  }

  /** What a run's nodes execute on, while connected. */
  handle(): WorkerHandle | null {
    const bridge = this.supervisor.bridge;
    if (!bridge) return null;
    const keepAlive = this.models.keepAlive();
    return { bridge, name: this.id, ...(keepAlive ? { keepAlive } : {}) };
  }

  health(): WorkerHealth {
    return {
      ...this.supervisor.status(),
      id: this.id,
      labels: this.labels,
      runs_in_flight: this.runsInFlight,
      max_concurrent_runs: this.maxConcurrentRuns,
      resident_models: this.models.resident().flatMap((lease) => lease.models),
    };
  }

  start(): Promise<void> {
    return this.supervisor.start();
  }

  /** Releases what it keeps loaded, then closes its bridge. */
  async stop(): Promise<void> {
    await this.models.releaseAll().catch(() => undefined);
    await this.supervisor.stop();
  }
}
