import { CancelledError, type PythonBridge } from '@nt/bridge';
import type { DownloadProgressData } from '@nt/protocol';
import type { ModelDownloadProgress } from '../runEvents.js';
import { modelKey, type ModelRef } from './modelRefs.js';

/**
 * One download per model and worker at a time. Two runs that need the same missing model, or a run
 * and the Models panel, would otherwise start two `models.download` of the same files on the worker,
 * both writing the same cache blobs. A second caller joins the download in flight instead: it gets
 * the progress so far and every frame after, and the same outcome. Aborting one caller detaches it;
 * the download itself is cancelled only when every caller has gone.
 */

interface Flight {
  ref: ModelRef;
  controller: AbortController;
  listeners: Set<(progress: ModelDownloadProgress) => void>;
  last: ModelDownloadProgress;
  done: Promise<{ repo_id: string; status: string }>;
}

interface BridgeDownloads {
  flights: Map<string, Flight>;
  observers: Set<(progress: ModelDownloadProgress) => void>;
}

const perBridge = new WeakMap<PythonBridge, BridgeDownloads>();

function downloadsOf(bridge: PythonBridge): BridgeDownloads {
  let entry = perBridge.get(bridge);
  if (!entry) perBridge.set(bridge, (entry = { flights: new Map(), observers: new Set() }));
  return entry;
}

export function progressOf(frame: DownloadProgressData): ModelDownloadProgress {
  return {
    repo_id: frame.repo_id,
    path: frame.path ?? null,
    status: frame.status,
    downloaded_bytes: frame.downloaded_bytes,
    total_bytes: frame.total_bytes,
    downloaded_files: frame.downloaded_files ?? 0,
    total_files: frame.total_files ?? 0,
    ...(frame.error ? { error: frame.error } : {}),
  };
}

/** Downloads a model into the worker's cache, or joins the download of it already in flight. */
export function downloadModelOnce(
  bridge: PythonBridge,
  ref: ModelRef,
  options: {
    signal?: AbortSignal;
    onProgress?: (progress: ModelDownloadProgress) => void;
    /** A Hugging Face token for this download (gated repos); sent only over a confidential link (see pickSecrets). */
    token?: string;
  } = {},
): Promise<{ repo_id: string; status: string }> {
  const downloads = downloadsOf(bridge);
  const key = modelKey(ref);
  let flight = downloads.flights.get(key);
  if (!flight) flight = start(bridge, downloads, key, ref, options.token);
  const joined = flight;
  const listener = options.onProgress ?? (() => undefined);
  joined.listeners.add(listener);
  if (joined.last.status !== 'start' || joined.last.total_bytes > 0) listener(joined.last);
  return new Promise((resolve, reject) => {
    const leave = () => {
      joined.listeners.delete(listener);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      leave();
      if (joined.listeners.size === 0) joined.controller.abort(options.signal?.reason);
      reject(new CancelledError(`the download of ${key} was cancelled`));
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    joined.done.then(
      (reply) => (leave(), resolve(reply)),
      (error: unknown) => (leave(), reject(error)),
    );
  });
}

function start(bridge: PythonBridge, downloads: BridgeDownloads, key: string, ref: ModelRef, token: string | undefined): Flight {
  const controller = new AbortController();
  const flight: Flight = {
    ref,
    controller,
    listeners: new Set(),
    last: { repo_id: ref.repo_id, path: ref.path ?? null, status: 'start', downloaded_bytes: 0, total_bytes: 0, downloaded_files: 0, total_files: 0 },
    done: Promise.resolve({ repo_id: ref.repo_id, status: 'start' }),
  };
  const tell = (progress: ModelDownloadProgress) => {
    flight.last = progress;
    for (const listener of flight.listeners) listener(progress);
    for (const observer of downloads.observers) observer(progress);
  };
  flight.done = bridge
    .downloadModel(
      {
        repo_id: ref.repo_id,
        ...(ref.path ? { path: ref.path } : {}),
        ...(ref.allow_patterns ? { allow_patterns: ref.allow_patterns } : {}),
        ...(ref.ignore_patterns ? { ignore_patterns: ref.ignore_patterns } : {}),
        ...(token ? { token } : {}),
      },
      { signal: controller.signal, onProgress: (frame) => tell(progressOf(frame)) },
    )
    .catch((error: unknown) => {
      // Observers (a Models panel) learn of a failure or cancel even when the worker sent no last frame.
      if (flight.last.status !== 'error' && flight.last.status !== 'cancelled') {
        tell({ ...flight.last, status: error instanceof CancelledError ? 'cancelled' : 'error', error: (error as Error).message });
      }
      throw error;
    })
    .finally(() => downloads.flights.delete(key));
  downloads.flights.set(key, flight);
  for (const observer of downloads.observers) observer(flight.last);
  return flight;
}

/** The downloads in flight on a worker, as their last progress. */
export function activeDownloads(bridge: PythonBridge): ModelDownloadProgress[] {
  return [...(perBridge.get(bridge)?.flights.values() ?? [])].map((flight) => flight.last);
}

/** Cancels the download of a model, whoever waits for it; false when none is in flight. */
export function cancelDownload(bridge: PythonBridge, key: string): boolean {
  const flight = perBridge.get(bridge)?.flights.get(key);
  if (!flight) return false;
  flight.controller.abort(new Error('cancelled by request'));
  return true;
}

/** Every progress frame of every download on this worker (a Models panel); returns the unsubscribe. */
export function observeDownloads(bridge: PythonBridge, observer: (progress: ModelDownloadProgress) => void): () => void {
  const downloads = downloadsOf(bridge);
  downloads.observers.add(observer);
  return () => downloads.observers.delete(observer);
}
