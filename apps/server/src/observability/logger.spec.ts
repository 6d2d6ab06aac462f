import { describe, expect, it } from 'vitest';
import { createLogger, redactLine } from './logger.js';

const collect = (isTTY: boolean) => {
  const lines: string[] = [];
  return { lines, destination: { isTTY, write: (line: string) => lines.push(line) } };
};

describe('the server logger', () => {
  it('writes JSON lines off a terminal and readable ones on it, at the level asked', () => {
    const pipe = collect(false);
    const json = createLogger({ level: 'info', format: 'auto', env: {}, destination: pipe.destination });
    json.debug('not shown');
    json.info({ job_id: 'job-1' }, 'run job-1 completed');
    expect(pipe.lines).toHaveLength(1);
    expect(JSON.parse(pipe.lines[0] as string)).toMatchObject({ level: 'info', job_id: 'job-1', msg: 'run job-1 completed', service: 'nodetool-server' });

    const terminal = collect(true);
    createLogger({ level: 'info', format: 'auto', env: {}, destination: terminal.destination }).info({ job_id: 'job-2' }, 'run job-2 completed');
    const shown = terminal.lines.join('');
    expect(shown).toContain('run job-2 completed');
    expect(shown).toContain('job-2');
    expect(() => JSON.parse(shown)).toThrow();
  });

  it('takes secrets, presigned signatures and bearer tokens out of a line', () => {
    const env = { NODETOOL_SERVER_TOKEN: 'a-server-token-of-some-length', RUNPOD_API_KEY: 'rpa_0123456789ABCDEF' };
    const line = redactLine(
      'token a-server-token-of-some-length key rpa_0123456789ABCDEF url https://b.s3/x?X-Amz-Credential=AKIA1%2Fx&X-Amz-Signature=abcdef0123 auth Bearer abcdefghijklmnop',
      env,
    );
    expect(line).toBe(
      'token [NODETOOL_SERVER_TOKEN redacted] key [RUNPOD_API_KEY redacted] url https://b.s3/x?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted] auth Bearer [redacted]',
    );
  });
});
