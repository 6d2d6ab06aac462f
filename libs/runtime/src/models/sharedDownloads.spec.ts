import { describe, expect, it } from 'vitest';
import { CancelledError, type PythonBridge } from '@nt/bridge';
import type { DownloadProgressData, ModelsDownloadData } from '@nt/protocol';
import { activeDownloads, cancelDownload, downloadModelOnce, observeDownloads } from './sharedDownloads.js';

/** A worker whose one download the test drives frame by frame. */
function slowWorker() {
  const calls: ModelsDownloadData[] = [];
  let emit: (frame: DownloadProgressData) => void = () => undefined;
  let finish: (status: string) => void = () => undefined;
  let aborted = false;
  const bridge = {
    downloadModel(request: ModelsDownloadData, options: { signal?: AbortSignal; onProgress?: (frame: DownloadProgressData) => void }) {
      calls.push(request);
      emit = (frame) => options.onProgress?.(frame);
      return new Promise((resolve, reject) => {
        finish = (status) => resolve({ repo_id: request.repo_id, status });
        options.signal?.addEventListener('abort', () => ((aborted = true), reject(new CancelledError('cancelled'))));
      });
    },
  } as unknown as PythonBridge;
  const frame = (downloaded: number, status: DownloadProgressData['status'] = 'progress'): DownloadProgressData => ({
    status,
    repo_id: 'org/model',
    downloaded_bytes: downloaded,
    total_bytes: 100,
    downloaded_files: 0,
    total_files: 2,
  });
  return {
    bridge,
    calls,
    emit: (n: number, status?: DownloadProgressData['status']) => emit(frame(n, status)),
    finish: (s = 'completed') => finish(s),
    aborted: () => aborted,
  };
}

describe('one download per model and worker', () => {
  it('lets a second caller join the download in flight, with the progress so far', async () => {
    const worker = slowWorker();
    const seenByFirst: number[] = [];
    const seenBySecond: number[] = [];
    const first = downloadModelOnce(worker.bridge, { repo_id: 'org/model' }, { onProgress: (p) => seenByFirst.push(p.downloaded_bytes) });
    worker.emit(40);
    const second = downloadModelOnce(worker.bridge, { repo_id: 'org/model' }, { onProgress: (p) => seenBySecond.push(p.downloaded_bytes) });
    expect(activeDownloads(worker.bridge)).toMatchObject([{ repo_id: 'org/model', downloaded_bytes: 40 }]);
    worker.emit(100, 'completed');
    worker.finish();
    expect(await Promise.all([first, second])).toEqual([
      { repo_id: 'org/model', status: 'completed' },
      { repo_id: 'org/model', status: 'completed' },
    ]);
    expect(worker.calls).toHaveLength(1);
    expect(seenByFirst).toEqual([40, 100]);
    expect(seenBySecond).toEqual([40, 100]);
    expect(activeDownloads(worker.bridge)).toEqual([]);
  });

  it('cancels the download only when every caller has left', async () => {
    const worker = slowWorker();
    const a = new AbortController();
    const b = new AbortController();
    const first = downloadModelOnce(worker.bridge, { repo_id: 'org/model' }, { signal: a.signal });
    const second = downloadModelOnce(worker.bridge, { repo_id: 'org/model' }, { signal: b.signal });
    a.abort();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    expect(worker.aborted()).toBe(false);
    b.abort();
    await expect(second).rejects.toBeInstanceOf(CancelledError);
    expect(worker.aborted()).toBe(true);
  });

  it('tells observers every frame, and a cancel by request, of any caller', async () => {
    const worker = slowWorker();
    const observed: string[] = [];
    const stop = observeDownloads(worker.bridge, (p) => observed.push(`${p.status}:${p.downloaded_bytes}`));
    const download = downloadModelOnce(worker.bridge, { repo_id: 'org/model' });
    worker.emit(10);
    expect(cancelDownload(worker.bridge, 'org/model')).toBe(true);
    await expect(download).rejects.toBeInstanceOf(CancelledError);
    expect(observed).toEqual(['start:0', 'progress:10', 'cancelled:10']);
    expect(cancelDownload(worker.bridge, 'org/model')).toBe(false);
    stop();
  });
});
