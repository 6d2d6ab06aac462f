import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';

/** Runs a command line with collecting streams, as a user at a terminal would see it. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('nodetool --help, per group', () => {
  it.each([
    [['worker', '--help'], /^Usage: nodetool worker status[\s\S]*nodetool worker profile add[\s\S]*nodetool worker create <profile>/],
    [['worker', '-h'], /^Usage: nodetool worker status/],
    [['help', 'worker'], /^Usage: nodetool worker status/],
    [['workflows', '--help'], /^Usage: nodetool workflows run <file\.json\|file\.ts>/],
    [['nodes', '--help'], /^Usage: nodetool nodes list/],
    [['models', '--help'], /^Usage: nodetool models list/],
    [['run', '--help'], /^Usage: nodetool workflows run/],
    [['worker', 'status', '--help'], /^Usage: nodetool worker status/],
  ])('%j prints that group’s usage and nothing else', async (argv, usage) => {
    const run = await cli(...argv);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(usage);
    expect(run.out).not.toMatch(/unknown command/);
    // One group only: the worker group's help does not carry the models usage, and the other way round.
    if (argv[0] === 'worker') expect(run.out).not.toMatch(/nodetool models/);
    if (argv[0] === 'models') expect(run.out).not.toMatch(/nodetool worker/);
  });

  it('answers a missing or unknown command of a group with that group’s usage on stderr (exit 2)', async () => {
    const missing = await cli('worker');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(
      /^nodetool worker: which command\? \(status, profile, create, list, stop, start, destroy, capacity\)\n\nUsage: nodetool worker status/,
    );
    const unknown = await cli('nodes', 'lsit');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^nodetool nodes: unknown command "lsit" \(list\)\n\nUsage: nodetool nodes list/);
    expect(unknown.err).not.toMatch(/nodetool worker/);
  });

  it('lists every group at the top level, and names an unknown group', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const group of ['workflows run', 'nodes list', 'worker status', 'models']) expect(top.out).toContain(group);
    const unknown = await cli('wokrer');
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toMatch(/^nodetool: unknown command "wokrer"/);
    expect((await cli('toString')).code).toBe(2);
  });
});
