import { describe, expect, it } from 'vitest';
import { stdioWorkerEnv } from './stdioWorkerEnv.js';

describe('a stdio worker’s environment', () => {
  it('keeps its parent’s, quiet, without the server’s log settings the worker reads with another meaning', () => {
    const env = stdioWorkerEnv({ HF_HOME: '/cache', NODETOOL_LOG_FORMAT: 'json', NODETOOL_LOG_LEVEL: 'trace', NODETOOL_WORKER_VENV: '/venv' });
    expect(env).toMatchObject({ HF_HOME: '/cache', NODETOOL_WORKER_VENV: '/venv', TQDM_DISABLE: '1', PYTHONUNBUFFERED: '1' });
    expect(env).not.toHaveProperty('NODETOOL_LOG_FORMAT');
    expect(env).not.toHaveProperty('NODETOOL_LOG_LEVEL');
  });
});
