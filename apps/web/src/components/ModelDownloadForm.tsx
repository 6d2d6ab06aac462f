import { useState } from 'react';

/** A repo id to download into the worker's cache. */
export function ModelDownloadForm({ disabled, onDownload }: { disabled: boolean; onDownload(repoId: string): void }) {
  const [repoId, setRepoId] = useState('');
  return (
    <form
      className="model-download-form"
      onSubmit={(event) => {
        event.preventDefault();
        const repo = repoId.trim();
        if (repo) onDownload(repo);
      }}
    >
      <input
        placeholder="owner/name, e.g. sentence-transformers/all-MiniLM-L6-v2"
        value={repoId}
        onChange={(event) => setRepoId(event.target.value)}
        aria-label="Repo to download"
      />
      <button type="submit" disabled={disabled || !repoId.trim()}>
        Download
      </button>
    </form>
  );
}
