import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { at } from './repoPaths.js';

const ENGINE_DIR = process.env['NODETOOL_ENGINE_DIR'] ?? '/var/lib/nodetool-engine';

/** Starts the engine when none answers; stops it afterwards only if this run started it. */
export default function setup(): () => void {
  const pidfile = `${ENGINE_DIR}/dockerd.pid`;
  const runningBefore = existsSync(pidfile) && isAlive(readFileSync(pidfile, 'utf8').trim());
  const host = execFileSync('bash', [at('tools/engine/ensure-engine.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop() as string;
  process.env['DOCKER_HOST'] = host;
  const startedHere = !runningBefore && existsSync(pidfile);
  return () => {
    if (startedHere) execFileSync('bash', [at('tools/engine/stop-engine.sh')], { stdio: 'inherit' });
  };
}

function isAlive(pid: string): boolean {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}
