import type { ModelDownloadProgress } from '@nt/api-contract';
import { formatBytes } from '@nt/display';

/** One download's progress: a bar, bytes and files, or how it ended. */
export function DownloadBar({ progress }: { progress: ModelDownloadProgress }) {
  const name = progress.path ? `${progress.repo_id}:${progress.path}` : progress.repo_id;
  const percent = progress.total_bytes > 0 ? Math.floor((100 * progress.downloaded_bytes) / progress.total_bytes) : 0;
  return (
    <div className={`download download-${progress.status}`} data-testid="model-download" data-repo={name} data-status={progress.status}>
      <div className="download-name">
        <code>{name}</code>{' '}
        {progress.status === 'error' ? (
          <span className="download-error">failed: {progress.error ?? 'unknown error'}</span>
        ) : progress.status === 'cancelled' ? (
          <span>cancelled</span>
        ) : (
          <span>
            {formatBytes(progress.downloaded_bytes)} / {formatBytes(progress.total_bytes)} · {progress.downloaded_files}/{progress.total_files} files
            {progress.status === 'completed' ? ' · done' : ` · ${percent}%`}
          </span>
        )}
      </div>
      <div className="progress" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} aria-label={`download of ${name}`}>
        <div style={{ width: `${progress.status === 'completed' ? 100 : percent}%` }} />
      </div>
    </div>
  );
}
