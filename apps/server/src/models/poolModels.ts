import type { ModelDownloadProgress, ModelsReport, ResidentModel } from '@nt/api-contract';
import { formatKeepAlive, type KeepAliveMs, type ModelRef } from '@nt/runtime';
import { InvalidRequestError, ModelNotCachedError, WorkerUnavailableError } from '../errors.js';
import type { PoolMember } from '../workers/poolMember.js';
import type { WorkerPool } from '../workers/workerPool.js';

/**
 * The model endpoints over a pool: each request goes to one named worker (`worker`: its id), or to
 * every connected worker (a model downloaded everywhere can run on any worker a run is sent to).
 * Every entry says which worker it is about.
 */
export class PoolModels {
  constructor(
    private readonly pool: WorkerPool,
    private readonly defaultKeepAliveMs: KeepAliveMs,
  ) {}

  resident(): ResidentModel[] {
    return this.pool.resident();
  }

  async report(worker?: string): Promise<ModelsReport> {
    const reports = await Promise.all(this.targets(worker).map(async (member) => ({ member, report: await member.models.report() })));
    return {
      cached: reports.flatMap(({ member, report }) => report.cached.map((model) => ({ ...model, worker: member.id }))),
      resident: reports.flatMap(({ member, report }) => report.resident.map((lease) => ({ ...lease, worker: member.id }))),
      downloads: reports.flatMap(({ member, report }) => report.downloads.map((progress) => ({ ...progress, worker: member.id }))),
      keep_alive: formatKeepAlive(this.defaultKeepAliveMs),
    };
  }

  download(ref: ModelRef, worker?: string): ModelDownloadProgress & { workers: string[] } {
    const targets = this.targets(worker);
    const started = targets.map((member) => ({ ...member.models.download(ref), worker: member.id }));
    return { ...(started[0] as ModelDownloadProgress), workers: targets.map((member) => member.id) };
  }

  cancelDownload(key: string, worker?: string): void {
    let cancelled = 0;
    for (const member of this.targets(worker)) {
      try {
        member.models.cancelDownload(key);
        cancelled++;
      } catch (error) {
        if (!(error instanceof ModelNotCachedError)) throw error;
      }
    }
    if (!cancelled) throw new ModelNotCachedError(key, `no download of ${key} is in progress`);
  }

  async evict(repoId: string | null, worker?: string): Promise<{ evicted: string[] } | { released_nodes: string[]; leases: string[] }> {
    const results = await Promise.all(this.targets(worker).map((member) => member.models.evict(repoId)));
    if (repoId === null) return { evicted: results.flatMap((result) => ('evicted' in result ? result.evicted : [])) };
    return {
      released_nodes: results.flatMap((result) => ('released_nodes' in result ? result.released_nodes : [])),
      leases: results.flatMap((result) => ('leases' in result ? result.leases : [])),
    };
  }

  /** Deletes the repo from every target that has it; a 404 when none did. */
  async delete(repoId: string, worker?: string): Promise<{ repo_id: string; deleted: true; workers: string[] }> {
    const deletedOn: string[] = [];
    for (const member of this.targets(worker)) {
      try {
        await member.models.delete(repoId);
        deletedOn.push(member.id);
      } catch (error) {
        if (!(error instanceof ModelNotCachedError)) throw error;
      }
    }
    if (!deletedOn.length) throw new ModelNotCachedError(repoId);
    return { repo_id: repoId, deleted: true, workers: deletedOn };
  }

  private targets(worker: string | undefined): PoolMember[] {
    if (worker !== undefined) {
      const member = this.pool.member(worker);
      if (!member) throw new InvalidRequestError(`"worker": no worker ${JSON.stringify(worker)} in the pool (GET /health lists them)`);
      if (!member.connected) throw new WorkerUnavailableError(`the worker ${worker} is ${member.health().state.replace('_', ' ')}`);
      return [member];
    }
    const connected = this.pool.connected();
    if (!connected.length) throw new WorkerUnavailableError('no worker is connected; its models cannot be reached now');
    return connected;
  }
}
