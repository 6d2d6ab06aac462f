import { EventEmitter } from 'node:events';
import type { ModelDownloadProgress, NodeMetadata, PoolHealth, ResidentModel, WorkerHealth } from '@nt/api-contract';
import { createPythonBridge, DnsDiscovery, type PythonBridge, type PythonBridgeOptions, type WorkerPoolConfig, type WorkerSpec } from '@nt/bridge';
import type { WorkerHandle, WorkerRouter } from '@nt/runtime';
import { chooseWorker, type RunNeeds } from './chooseWorker.js';
import { PoolMember, type MemberSettings } from './poolMember.js';

export interface WorkerPoolEvents {
  /** Every change of any worker's health, or of the membership. */
  status: [PoolHealth];
  /** A worker connected, dropped, joined or left: queued runs may be placeable now. */
  changed: [];
  download: [ModelDownloadProgress];
  resident: [ResidentModel[]];
}

/**
 * The server's workers: one supervised bridge each, from NODETOOL_WORKER_URL (one or several),
 * NODETOOL_WORKERS_FILE, or a DNS name followed as it changes; a local worker process when none is
 * configured. It chooses the worker of each run (chooseWorker) and routes the run's nodes (a node
 * whose worker is gone goes to another that offers its type).
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly byId = new Map<string, PoolMember>();
  private discovery: DnsDiscovery | null = null;
  private started = false;

  constructor(
    private readonly config: WorkerPoolConfig,
    private readonly base: PythonBridgeOptions,
    private readonly settings: MemberSettings,
  ) {
    super();
  }

  members(): PoolMember[] {
    return [...this.byId.values()];
  }

  connected(): PoolMember[] {
    return this.members().filter((member) => member.connected);
  }

  member(id: string): PoolMember | undefined {
    return this.byId.get(id);
  }

  /** Starts every worker (resolving when each made its first attempt) and the DNS discovery, if any. */
  async start(): Promise<void> {
    this.started = true;
    if (this.config.discovery) {
      const discovery = new DnsDiscovery(this.config.discovery);
      this.discovery = discovery;
      discovery.on('error', (message) => this.settings.log(`worker discovery: ${message}`));
      discovery.on('change', (specs) => void this.follow(specs));
      await this.follow(await discovery.start());
      return;
    }
    const specs = this.config.workers.length ? this.config.workers : this.settings.localWorker === false ? [] : [this.localSpec()];
    await Promise.all(specs.map((spec) => this.add(spec)));
  }

  async stop(): Promise<void> {
    this.started = false;
    this.discovery?.stop();
    const members = this.members();
    this.byId.clear();
    await Promise.all(members.map((member) => member.stop()));
    this.announce();
  }

  /** The pool at a glance (`worker`) and every worker (`pool`). */
  status(): { worker: WorkerHealth; pool: PoolHealth } {
    const workers = this.members().map((member) => member.health());
    const connected = workers.filter((health) => health.state === 'connected').length;
    return { worker: summarize(workers), pool: { connected, total: workers.length, workers } };
  }

  /** Every node type some connected worker offers (what a run is validated against). */
  catalog(): NodeMetadata[] {
    const byType = new Map<string, NodeMetadata>();
    for (const member of this.connected()) {
      for (const node of member.supervisor.bridge?.getNodeMetadata() ?? []) if (!byType.has(node.node_type)) byType.set(node.node_type, node);
    }
    return [...byType.values()];
  }

  /** The worker to start a run on now, and whether any connected worker could ever take it. */
  choose(needs: RunNeeds): { chosen: PoolMember | null; eligible: boolean } {
    return chooseWorker(this.members(), needs);
  }

  /** How a run started on `home` routes its nodes: home while it is connected, else another worker offering the type. */
  routerFor(home: PoolMember): WorkerRouter {
    const homeHandle = home.handle();
    if (!homeHandle) throw new Error(`the worker ${home.id} is not connected`);
    return {
      home: homeHandle,
      forNode: (nodeType, avoid) => {
        const usable = (member: PoolMember) => member.connected && member.offers(nodeType) && !avoid?.has(member.supervisor.bridge as PythonBridge);
        if (usable(home)) return home.handle();
        const others = this.members().filter(usable);
        // Prefer room under a worker's own limit; the least busy first.
        others.sort((a, b) => Number(isFull(a)) - Number(isFull(b)) || a.runsInFlight - b.runsInFlight);
        return (others[0]?.handle() as WorkerHandle | undefined) ?? null;
      },
    };
  }

  /** A worker that joins while the server runs (a rented one, attached): from now on it is like a configured one. */
  async attach(spec: WorkerSpec): Promise<void> {
    if (!this.started) throw new Error('the pool is not running');
    if (this.byId.has(spec.id)) return;
    this.settings.log(`worker ${spec.id} joined the pool (attached)`);
    await this.add(spec);
  }

  /** Takes a worker out of the pool (a rented one, destroyed): its runs in flight fail, naming it. */
  async detach(id: string): Promise<boolean> {
    const member = this.byId.get(id);
    if (!member) return false;
    this.byId.delete(id);
    this.settings.log(`worker ${id} left the pool (detached)`);
    await member.stop();
    this.announce();
    this.emit('changed');
    return true;
  }

  private async add(spec: WorkerSpec): Promise<void> {
    if (this.byId.has(spec.id)) return;
    const member = PoolMember.fromSpec(spec, this.base, this.settings);
    this.byId.set(spec.id, member);
    member.supervisor.on('status', () => {
      this.announce();
      this.emit('changed');
    });
    member.models.on('download', (progress: ModelDownloadProgress) => this.emit('download', { ...progress, worker: member.id }));
    member.models.on('resident', () => this.emit('resident', this.resident()));
    await member.start();
    this.announce();
    this.emit('changed');
  }

  /** What every worker's keep-alive holds, each named by its worker. */
  resident(): ResidentModel[] {
    return this.members().flatMap((member) => member.models.resident().map((lease) => ({ ...lease, worker: member.id })));
  }

  /** DNS said which workers exist now: new addresses join, gone ones leave (their runs in flight fail, naming them). */
  private async follow(specs: WorkerSpec[]): Promise<void> {
    if (!this.started) return;
    const wanted = new Set(specs.map((spec) => spec.id));
    const leaving = this.members().filter((member) => !wanted.has(member.id));
    for (const member of leaving) {
      this.byId.delete(member.id);
      this.settings.log(`worker ${member.id} left the pool (no longer in DNS)`);
      void member.stop();
    }
    const joining = specs.filter((spec) => !this.byId.has(spec.id));
    for (const spec of joining) this.settings.log(`worker ${spec.id} joined the pool (found in DNS)`);
    await Promise.all(joining.map((spec) => this.add(spec)));
    if (leaving.length) {
      this.announce();
      this.emit('changed');
    }
  }

  /** No worker configured: one local worker process (its name is the interpreter it runs). */
  private localSpec(): WorkerSpec {
    return { id: createPythonBridge(this.base).target, url: '', labels: {} };
  }

  private announce(): void {
    this.emit('status', this.status().pool);
  }
}

function isFull(member: PoolMember): boolean {
  return member.maxConcurrentRuns !== null && member.runsInFlight >= member.maxConcurrentRuns;
}

/** One line for the pool: connected when any worker is; otherwise the state that says most about what to fix. */
function summarize(workers: WorkerHealth[]): WorkerHealth {
  if (workers.length === 1) return workers[0] as WorkerHealth;
  const rank: Record<WorkerHealth['state'], number> = { connected: 0, token_rejected: 1, reconnecting: 2, unreachable: 3, connecting: 4, stopped: 5 };
  const best = [...workers].sort((a, b) => rank[a.state] - rank[b.state])[0];
  const connected = workers.filter((health) => health.state === 'connected');
  return {
    state: best?.state ?? 'unreachable',
    transport: best?.transport ?? null,
    target: workers.length ? `${connected.length} of ${workers.length} workers connected` : 'no workers',
    protocol_version: best?.protocol_version ?? null,
    node_count: Math.max(0, ...connected.map((health) => health.node_count)),
    namespaces: [...new Set(connected.flatMap((health) => health.namespaces))].sort(),
    load_errors: connected.flatMap((health) => health.load_errors),
    last_round_trip_ms: best?.last_round_trip_ms ?? null,
    ...(best?.error && !connected.length ? { error: best.error } : {}),
    ...(workers.length === 0 ? { error: 'no worker is configured or found' } : {}),
  };
}
