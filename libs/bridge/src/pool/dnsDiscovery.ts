import { Resolver } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { workersAt, type DnsDiscoverySpec, type WorkerSpec } from './workerSpecs.js';

// "No such name" and "no records of this family" are answers (the service has no workers now);
// anything else (a timeout, a refused query) is a failure to ask, which changes nothing.
const ANSWERS_NOTHING = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'NXDOMAIN']);

/**
 * Keeps a pool in step with a DNS name: every address the name resolves to (A and AAAA) is a worker.
 * That is how a Kubernetes headless Service and compose replicas are found. The name is asked again
 * every `intervalMs`; `change` fires with the new list whenever the set of addresses changes. A failed
 * lookup keeps the last known workers (a resolver hiccup must not empty the pool) and is reported.
 * DNS queries go to the system's resolvers (/etc/resolv.conf), or to `server` when given; /etc/hosts
 * is not read.
 */
export class DnsDiscovery extends EventEmitter<{ change: [WorkerSpec[]]; error: [string] }> {
  private readonly resolver = new Resolver({ timeout: 2_000, tries: 2 });
  /** The last answer of each family (A, AAAA). */
  private readonly byFamily = { resolve4: [] as string[], resolve6: [] as string[] };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(readonly spec: DnsDiscoverySpec) {
    super();
    if (spec.server) this.resolver.setServers([spec.server]);
  }

  /** The workers of the last answer. */
  get workers(): WorkerSpec[] {
    return workersAt(this.spec, this.addresses);
  }

  private get addresses(): string[] {
    return [...new Set([...this.byFamily.resolve4, ...this.byFamily.resolve6])].sort();
  }

  /** Resolves once (so the pool starts with its workers) and keeps resolving. */
  async start(): Promise<WorkerSpec[]> {
    await this.refresh();
    this.schedule();
    return this.workers;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * Asks now; resolves with whether the set of workers changed. A family whose query failed keeps its
   * last answer (a resolver that refuses AAAA, a timeout); when both fail nothing changes.
   */
  async refresh(): Promise<boolean> {
    const before = this.addresses.join();
    const [v4, v6] = await Promise.all([this.lookup('resolve4'), this.lookup('resolve6')]);
    if (v4 === null && v6 === null) {
      this.emit('error', `could not resolve ${this.spec.host}; keeping the ${this.addresses.length} known worker(s)`);
      return false;
    }
    if (v4 !== null) this.byFamily.resolve4 = v4;
    if (v6 !== null) this.byFamily.resolve6 = v6;
    if (this.addresses.join() === before) return false;
    this.emit('change', this.workers);
    return true;
  }

  /** The addresses of one family, [] when the name has none, null when the query failed. */
  private async lookup(kind: 'resolve4' | 'resolve6'): Promise<string[] | null> {
    try {
      return await this.resolver[kind](this.spec.host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      return ANSWERS_NOTHING.has(code) ? [] : null;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), this.spec.intervalMs);
    this.timer.unref();
  }
}
