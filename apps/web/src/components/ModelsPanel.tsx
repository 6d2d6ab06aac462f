import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { keys, useModelDownloads, useModels, useResidentModels } from '../api/queries.js';
import { CachedModelRow } from './CachedModelRow.js';
import { DownloadBar } from './DownloadBar.js';
import { ModelDownloadForm } from './ModelDownloadForm.js';

/**
 * The worker's models: what its cache holds (with sizes), which are loaded (with the keep-alive's
 * countdown), a download form with progress, and evict / delete buttons.
 */
export function ModelsPanel({ workerConnected }: { workerConnected: boolean }) {
  const queryClient = useQueryClient();
  const models = useModels(workerConnected);
  const downloads = useModelDownloads().data ?? {};
  const pushed = useResidentModels().data ?? null;
  const [problem, setProblem] = useState<string | null>(null);
  const now = useSecondTicks();
  const report = models.data ?? null;

  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      setProblem(null);
      await queryClient.invalidateQueries({ queryKey: keys.models });
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  const held = pushed ?? { models: report?.resident ?? [], receivedAt: now };
  const shownDownloads = Object.values(downloads).filter(
    (progress) => progress.status !== 'completed' || !report?.cached.some((model) => model.repo_id === progress.repo_id),
  );
  const failure = problem ?? (models.error ? models.error.message : null);
  return (
    <section className="panel models" data-testid="models-panel">
      <h2>
        Models <span className="count">{report?.cached.length ?? 0}</span>
        {report && <span className="muted"> keep-alive {report.keep_alive}</span>}
      </h2>
      {!workerConnected && <p className="muted">The worker is not connected.</p>}
      {failure && (
        <p className="run-error" role="alert">
          {failure}
        </p>
      )}
      <ModelDownloadForm disabled={!workerConnected} onDownload={(repoId) => void act(() => api.models.download({ body: { repo_id: repoId } }))} />
      {shownDownloads.map((progress) => (
        <div key={`${progress.repo_id}:${progress.path ?? ''}`} className="model-download-row">
          <DownloadBar progress={progress} />
          {(progress.status === 'start' || progress.status === 'progress') && (
            <button
              type="button"
              onClick={() =>
                void act(() => api.models.cancelDownload({ body: { repo_id: progress.repo_id, ...(progress.path ? { path: progress.path } : {}) } }))
              }
            >
              Cancel
            </button>
          )}
        </div>
      ))}
      <ul>
        {(report?.cached ?? []).map((model) => (
          <CachedModelRow key={`${model.repo_id}:${model.path ?? ''}`} model={model} held={held} now={now} act={act} />
        ))}
      </ul>
      {held.models.length > 0 && (
        <button type="button" onClick={() => void act(() => api.models.evict({ body: { all: true } }))}>
          Evict all loaded
        </button>
      )}
    </section>
  );
}

/** The time, once a second, so countdowns count down. */
function useSecondTicks(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
