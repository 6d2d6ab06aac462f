import { EventEmitter } from 'node:events';
import type { CachedModelSummary, ModelDownloadProgress, ModelsReport, ResidentModel } from '@nt/api-contract';
import type { PythonBridge } from '@nt/bridge';
import {
  activeDownloads,
  cancelDownload,
  downloadModelOnce,
  forgetCachedModel,
  formatKeepAlive,
  ModelKeepAlive,
  modelKey,
  observeDownloads,
  pickSecrets,
  type KeepAliveMs,
  type ModelRef,
  type SecretPolicy,
} from '@nt/runtime';
import { DownloadInProgressError, ModelNotCachedError, WorkerUnavailableError } from '../errors.js';
import type { WorkerSupervisor } from '../workers/workerSupervisor.js';

/**
 * The worker's models as the server manages them: what its cache holds, what the keep-alive holds
 * loaded (one ModelKeepAlive per bridge, for the server's whole life), downloads in flight (one per
 * model, shared with the runs that need it), eviction and deletion.
 *
 * Events: `download` (every progress frame of every download, the runs' included) and `resident`
 * (what the keep-alive holds changed).
 */
export class ModelService extends EventEmitter {
  private holder: { bridge: PythonBridge; keepAlive: ModelKeepAlive; stopObserving: () => void } | null = null;

  constructor(
    private readonly supervisor: WorkerSupervisor,
    readonly defaultKeepAliveMs: KeepAliveMs,
    private readonly secretPolicy: SecretPolicy,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    super();
  }

  /** The keep-alive of the worker's bridge, made when the bridge first exists. */
  keepAlive(): ModelKeepAlive | null {
    const bridge = this.supervisor.connection;
    if (!bridge) return null;
    if (this.holder?.bridge !== bridge) {
      this.holder?.keepAlive.dispose();
      this.holder?.stopObserving();
      const keepAlive = new ModelKeepAlive(bridge, {
        onChange: (resident) => this.emit('resident', resident),
        onError: (message) => this.log(`keep-alive: ${message}`),
      });
      const stopObserving = observeDownloads(bridge, (progress) => this.emit('download', progress));
      this.holder = { bridge, keepAlive, stopObserving };
    }
    return this.holder.keepAlive;
  }

  resident(): ResidentModel[] {
    return this.keepAlive()?.resident() ?? [];
  }

  /** Keep-alive hits and misses on this worker (for /metrics). */
  stats(): { hits: number; misses: number } {
    return this.keepAlive()?.stats ?? { hits: 0, misses: 0 };
  }

  async report(): Promise<ModelsReport> {
    const bridge = this.connected();
    const resident = this.resident();
    const loaded = new Set(resident.flatMap((lease) => lease.models));
    const cached: CachedModelSummary[] = (await bridge.listCachedModels())
      .map((model) => {
        const repoId = model.repo_id ?? model.id;
        const key = model.path ? `${repoId}:${model.path}` : repoId;
        return {
          repo_id: repoId,
          path: model.path ?? null,
          size_on_disk: typeof model.size_on_disk === 'number' ? model.size_on_disk : null,
          type: typeof model.type === 'string' ? model.type : null,
          resident: loaded.has(key) || [...loaded].some((held) => held.startsWith(`${repoId}:`)),
        };
      })
      .sort((a, b) => a.repo_id.localeCompare(b.repo_id));
    return { cached, resident, downloads: activeDownloads(bridge), keep_alive: formatKeepAlive(this.defaultKeepAliveMs) };
  }

  /** Starts a download (or finds the one in flight) and answers at once; its progress goes out as events. */
  download(ref: ModelRef): ModelDownloadProgress {
    const bridge = this.connected();
    const key = modelKey(ref);
    const inFlight = () => activeDownloads(bridge).find((progress) => progressKey(progress) === key);
    const joined = inFlight();
    if (joined) return joined;
    const token = pickSecrets(['HF_TOKEN'], this.secretPolicy, bridge.confidential).secrets['HF_TOKEN'];
    downloadModelOnce(bridge, ref, { token }).catch((error: Error) => this.log(`download of ${key} ended: ${error.message}`));
    return inFlight() as ModelDownloadProgress;
  }

  cancelDownload(key: string): void {
    if (!cancelDownload(this.connected(), key)) throw new ModelNotCachedError(key, `no download of ${key} is in progress`);
  }

  async evict(repoId: string | null): Promise<{ evicted: string[] } | { released_nodes: string[]; leases: string[] }> {
    this.connected();
    const keepAlive = this.keepAlive() as ModelKeepAlive;
    return repoId === null ? keepAlive.evictAll() : keepAlive.evict(repoId);
  }

  /** Releases what the keep-alive holds of the repo, then removes its files from the worker's cache. */
  async delete(repoId: string): Promise<{ repo_id: string; deleted: true }> {
    const bridge = this.connected();
    if (activeDownloads(bridge).some((progress) => progress.repo_id === repoId)) throw new DownloadInProgressError(repoId);
    const keepAlive = this.keepAlive() as ModelKeepAlive;
    if (keepAlive.resident().some((lease) => lease.models.some((model) => model === repoId || model.startsWith(`${repoId}:`)))) {
      await keepAlive.evict(repoId);
    }
    const { deleted } = await bridge.deleteModel(repoId);
    forgetCachedModel(bridge, repoId);
    if (!deleted) throw new ModelNotCachedError(repoId);
    return { repo_id: repoId, deleted: true };
  }

  /** Shutdown: releases what the keep-alive holds, so a stopped server leaves nothing loaded. */
  async releaseAll(): Promise<void> {
    await this.holder?.keepAlive.releaseAll();
    this.holder?.keepAlive.dispose();
    this.holder?.stopObserving();
    this.holder = null;
  }

  private connected(): PythonBridge {
    const bridge = this.supervisor.bridge;
    if (!bridge) throw new WorkerUnavailableError(`the worker is ${this.supervisor.status().state.replace('_', ' ')}; its models cannot be reached now`);
    if (!bridge.capabilities().modelManagement)
      throw new WorkerUnavailableError(`the worker speaks protocol ${bridge.protocolVersion}; model management needs 2 or later`);
    return bridge;
  }
}

function progressKey(progress: ModelDownloadProgress): string {
  return progress.path ? `${progress.repo_id}:${progress.path}` : progress.repo_id;
}
