/**
 * TEST FIXTURE: a real DNS server (Debian's dnsmasq, from dnsmasq-base) answering for one name on a
 * loopback address and port of its own, so the worker discovery is tested against a resolver, not a
 * mocked lookup. The answers come from a hosts file it re-reads on SIGHUP: `answer()` changes them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './realWorker.js';
import { freePort } from './freePort.js';

export interface FixtureDns {
  /** For NODETOOL_WORKER_DNS_SERVER: `127.0.0.1:<port>`. */
  server: string;
  /** Makes `name` resolve to these addresses (A records; none: the name has no address). */
  answer(addresses: string[]): Promise<void>;
  stop(): Promise<void>;
}

/** Installs dnsmasq-base when missing (tools/setup/ensure-system-packages.sh dns). */
export function ensureDnsmasq(): string {
  execFileSync('bash', [join(REPO_ROOT, 'tools', 'setup', 'ensure-system-packages.sh'), 'dns'], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const candidate of ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error('dnsmasq is not installed and could not be (tools/setup/ensure-system-packages.sh dns)');
}

export async function startFixtureDns(name: string, addresses: string[]): Promise<FixtureDns> {
  const dnsmasq = ensureDnsmasq();
  const dir = mkdtempSync(join(tmpdir(), 'nt-fixture-dns-'));
  const hosts = join(dir, 'hosts');
  const write = (list: string[]) => writeFileSync(hosts, list.map((address) => `${address} ${name}\n`).join(''));
  write(addresses);
  const port = await freePort();
  const child: ChildProcess = spawn(
    dnsmasq,
    [
      '--keep-in-foreground',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      `--addn-hosts=${hosts}`,
      '--local-ttl=0',
      '--cache-size=0',
      '--pid-file=',
      `--user=${userInfo().username}`,
      '--log-facility=-',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready once it answers TCP on its port (it serves DNS over TCP too).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`dnsmasq did not listen on 127.0.0.1:${port}: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    server: `127.0.0.1:${port}`,
    async answer(list) {
      write(list);
      child.kill('SIGHUP');
      // SIGHUP is handled asynchronously: give it a moment to re-read the file.
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
