import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PythonBridge } from '@nt/bridge';
import type { ModelsDownloadData } from '@nt/protocol';
import { ensureModelsCached, forgetCachedModel, ModelsMissingError } from './ensureModels.js';

/** Only what the pre-run check asks: the cache listing and downloads. */
class CacheBridge extends EventEmitter {
  cached = new Set<string>();
  listings = 0;
  downloads: ModelsDownloadData[] = [];
  capabilities() {
    return { modelManagement: true, comfy: false, jobLifecycle: true, modelEviction: true, chunkedBlobs: true, assetOffload: false };
  }
  async listCachedModels() {
    this.listings++;
    return [...this.cached].map((repo_id) => ({ repo_id, downloaded: true }));
  }
  async downloadModel(request: ModelsDownloadData, options: { onProgress?: (p: object) => void } = {}) {
    this.downloads.push(request);
    options.onProgress?.({ status: 'completed', repo_id: request.repo_id, downloaded_bytes: 10, total_bytes: 10 });
    this.cached.add(request.repo_id);
    return { repo_id: request.repo_id, status: 'completed' };
  }
}
const bridgeOf = () => new CacheBridge() as CacheBridge & PythonBridge;

describe('ensureModelsCached', () => {
  it('downloads what the cache lacks, with its patterns, and asks once per bridge afterwards', async () => {
    const bridge = bridgeOf();
    bridge.cached.add('org/present');
    const progress: object[] = [];
    const fetched = await ensureModelsCached(bridge, [{ repo_id: 'org/present' }, { repo_id: 'org/missing', allow_patterns: ['*.json'] }], {
      onProgress: (p) => progress.push(p),
    });
    expect(fetched).toEqual([{ repo_id: 'org/missing', allow_patterns: ['*.json'] }]);
    expect(bridge.downloads).toEqual([{ repo_id: 'org/missing', allow_patterns: ['*.json'] }]);
    expect(progress).toHaveLength(1);
    await ensureModelsCached(bridge, [{ repo_id: 'org/present' }, { repo_id: 'org/missing' }]);
    expect(bridge.listings).toBe(1);
    forgetCachedModel(bridge, 'org/present');
    bridge.cached.delete('org/present');
    await ensureModelsCached(bridge, [{ repo_id: 'org/present' }]);
    expect(bridge.downloads.map((d) => d.repo_id)).toEqual(['org/missing', 'org/present']);
  });

  it('refuses to download when told not to, naming the models and how to fetch them', async () => {
    const bridge = bridgeOf();
    const error = await ensureModelsCached(bridge, [{ repo_id: 'org/a' }, { repo_id: 'org/b', path: 'w.gguf' }], { download: false }).catch((e) => e);
    expect(error).toBeInstanceOf(ModelsMissingError);
    expect(error.message).toContain('org/a, org/b:w.gguf');
    expect(error.message).toContain('`nodetool models download org/a` and `nodetool models download org/b --path w.gguf`');
    expect(bridge.downloads).toEqual([]);
  });

  it('asks nothing about models the keep-alive holds loaded', async () => {
    const bridge = bridgeOf();
    await ensureModelsCached(bridge, [{ repo_id: 'org/held' }], { isResident: (model) => model === 'org/held' });
    expect(bridge.listings).toBe(0);
  });
});
