import { describe, expect, it } from 'vitest';
import { applyRunMessage, startedRun } from './runState.js';

describe('the run view', () => {
  it('tracks the models a run downloads, by model, and ignores other runs', () => {
    const progress = { repo_id: 'org/m', path: null, downloaded_bytes: 5, total_bytes: 10, downloaded_files: 1, total_files: 2 };
    let run = applyRunMessage(startedRun('job-1', 'wf'), { type: 'model_download', job_id: 'job-1', workflow_id: 'wf', status: 'progress', ...progress });
    run = applyRunMessage(run, { type: 'model_download', job_id: 'job-2', workflow_id: 'wf', status: 'progress', ...progress, repo_id: 'org/other' });
    expect(Object.keys(run?.downloads ?? {})).toEqual(['org/m:']);
    run = applyRunMessage(run, { type: 'model_download', job_id: 'job-1', workflow_id: 'wf', status: 'completed', ...progress, downloaded_bytes: 10 });
    expect(run?.downloads['org/m:']).toMatchObject({ status: 'completed', downloaded_bytes: 10 });
  });
});
