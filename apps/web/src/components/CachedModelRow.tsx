import type { CachedModelSummary, ResidentModel } from '@nt/api-contract';
import { formatBytes, formatCountdown } from '@nt/display';
import { api } from '../api/client.js';

interface Props {
  model: CachedModelSummary;
  /** What the keep-alive holds, and when the page learnt it (the countdown runs from there). */
  held: { models: ResidentModel[]; receivedAt: number };
  now: number;
  act(what: () => Promise<unknown>): Promise<void>;
}

/** One model of the cache: its size, whether it is loaded and for how long still, Evict and Delete. */
export function CachedModelRow({ model, held, now, act }: Props) {
  const lease = held.models.find((entry) => entry.models.some((key) => key === model.repo_id || key.startsWith(`${model.repo_id}:`)));
  const left = lease?.remaining_ms === null || lease?.remaining_ms === undefined ? null : lease.remaining_ms - (now - held.receivedAt);
  const remove = () => {
    if (!confirm(`Delete ${model.repo_id} (${formatBytes(model.size_on_disk)}) from the worker's disk?`)) return;
    const [owner, name] = model.repo_id.split('/');
    void act(() =>
      name ? api.models.delete({ params: { owner: owner as string, name } }) : api.models.deleteByRepoId({ params: { repo_id: model.repo_id } }),
    );
  };
  return (
    <li data-testid="cached-model" data-repo={model.repo_id} data-resident={lease ? 'true' : 'false'}>
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
        <button type="button" disabled={!lease} onClick={() => void act(() => api.models.evict({ body: { repo_id: model.repo_id } }))}>
          Evict
        </button>
        <button type="button" onClick={remove}>
          Delete
        </button>
      </div>
    </li>
  );
}
