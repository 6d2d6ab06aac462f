import { useCallback, useEffect, useState } from 'react';
import type { ModelDownloadProgress, ModelsReport, ResidentModel } from '@nt/api-contract';
import { api } from '../api.js';
import { formatBytes, formatCountdown } from '@nt/display';
import { DownloadBar } from './DownloadBar.js';

export interface ModelsPanelProps {
  /** Whether the worker is connected (the panel asks it nothing otherwise). */
  workerConnected: boolean;
  /** Pushed by the server: every download's progress, and what the keep-alive holds. */
  downloads: Record<string, ModelDownloadProgress>;
  resident: { models: ResidentModel[]; receivedAt: number } | null;
}

/**
 * The worker's models: what its cache holds (with sizes), which are loaded (with the keep-alive's
 * countdown), a download form with progress, and evict / delete buttons.
 */
export function ModelsPanel({ workerConnected, downloads, resident }: ModelsPanelProps) {
  const [report, setReport] = useState<ModelsReport | null>(null);
  const [repoId, setRepoId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const reload = useCallback(async () => {
    if (!workerConnected) return;
    try {
      setReport(await api.models());
      setProblem(null);
    } catch (error) {
      setProblem((error as Error).message);
    }
  }, [workerConnected]);

  useEffect(() => void reload(), [reload]);
  // A finished download changes what is cached.
  const finished = Object.values(downloads).filter((progress) => progress.status === 'completed').length;
  useEffect(() => void reload(), [finished, reload]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      setProblem(null);
      await reload();
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  const held = resident ?? (report ? { models: report.resident, receivedAt: now } : { models: [], receivedAt: now });
  const holding = (repo: string) => held.models.find((lease) => lease.models.some((model) => model === repo || model.startsWith(`${repo}:`)));
  const shownDownloads = Object.values(downloads).filter(
    (progress) => progress.status !== 'completed' || !report?.cached.some((model) => model.repo_id === progress.repo_id),
  );

  return (
    <section className="panel models" data-testid="models-panel">
      <h2>
        Models <span className="count">{report?.cached.length ?? 0}</span>
        {report && <span className="muted"> keep-alive {report.keep_alive}</span>}
      </h2>
      {!workerConnected && <p className="muted">The worker is not connected.</p>}
      {problem && (
        <p className="run-error" role="alert">
          {problem}
        </p>
      )}
      <form
        className="model-download-form"
        onSubmit={(event) => {
          event.preventDefault();
          const repo = repoId.trim();
          if (repo) void act(() => api.downloadModel(repo));
        }}
      >
        <input
          placeholder="owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2"
          value={repoId}
          onChange={(event) => setRepoId(event.target.value)}
          aria-label="Repo to download"
        />
        <button type="submit" disabled={!workerConnected || !repoId.trim()}>
          Download
        </button>
      </form>
      {shownDownloads.map((progress) => (
        <div key={`${progress.repo_id}:${progress.path ?? ''}`} className="model-download-row">
          <DownloadBar progress={progress} />
          {(progress.status === 'start' || progress.status === 'progress') && (
            <button type="button" onClick={() => void act(() => api.cancelDownload(progress.repo_id, progress.path))}>
              Cancel
            </button>
          )}
        </div>
      ))}
      <ul>
        {(report?.cached ?? []).map((model) => {
          const lease = holding(model.repo_id);
          const left = lease?.remaining_ms === null || lease?.remaining_ms === undefined ? null : lease.remaining_ms - (now - held.receivedAt);
          return (
            <li key={`${model.repo_id}:${model.path ?? ''}`} data-testid="cached-model" data-repo={model.repo_id} data-resident={lease ? 'true' : 'false'}>
              <div className="model-line">
                <code className="model-repo">{model.repo_id}</code>
                <span className="muted">{formatBytes(model.size_on_disk)}</span>
              </div>
              {lease && (
                <div className="model-resident" data-testid="model-resident">
                  loaded ·{' '}
                  {lease.in_use > 0
                    ? `in use by ${lease.in_use} run${lease.in_use === 1 ? '' : 's'}`
                    : left === null
                      ? 'kept until evicted'
                      : `released in ${formatCountdown(left)}`}
                </div>
              )}
              <div className="model-actions">
                <button type="button" disabled={!lease} onClick={() => void act(() => api.evictModel(model.repo_id))}>
                  Evict
                </button>
                <button
                  type="button"
                  onClick={() => {
                    if (confirm(`Delete ${model.repo_id} (${formatBytes(model.size_on_disk)}) from the worker's disk?`))
                      void act(() => api.deleteModel(model.repo_id));
                  }}
                >
                  Delete
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      {held.models.length > 0 && (
        <button type="button" onClick={() => void act(() => api.evictAllModels())}>
          Evict all loaded
        </button>
      )}
    </section>
  );
}
