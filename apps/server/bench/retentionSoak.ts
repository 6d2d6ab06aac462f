/**
 * nx run server:soak-retention — 10,000 small runs (fixtures.MakeImage, each a distinct colour, so each
 * makes a new asset) against a server with NODETOOL_RETENTION set to a run count. Every 1,000 runs it
 * prints the database (with its WAL), the asset folder and the runs listed; the goal is that both stop
 * growing once retention has something to delete. SOAK_RUNS, SOAK_KEEP, SOAK_PARALLEL change the shape.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, workerConnected } from '@nt/test-fixtures';

const RUNS = Number(process.env['SOAK_RUNS'] ?? 10_000);
const KEEP = Number(process.env['SOAK_KEEP'] ?? 200);
const PARALLEL = Number(process.env['SOAK_PARALLEL'] ?? 4);
const REPORT_EVERY = Math.max(1, Math.round(RUNS / 10));
const KiB = 1024;

const dataDir = mkdtempSync(join(tmpdir(), 'nt-retention-soak-'));
const server = await startServerProcess({
  NODETOOL_DB: join(dataDir, 'server.db'),
  NODETOOL_RETENTION: String(KEEP),
  NODETOOL_RETENTION_INTERVAL_MS: '2000',
  NODETOOL_WEB_ROOT: '',
});
process.on('exit', () => {
  server.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});
await workerConnected(server.url);

const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;
function folderBytes(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += sizeOf(join(entry.parentPath, entry.name));
  }
  return { files, bytes };
}

async function run(index: number): Promise<void> {
  const response = await fetch(`${server.url}/api/run?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      graph: {
        nodes: [
          { id: 'img', type: 'fixtures.MakeImage', data: { size: 32, rgb: [index % 256, Math.floor(index / 256) % 256, 77] } },
          { id: 'show', type: 'nodetool.workflows.base_node.Preview', data: { name: 'out' } },
        ],
        edges: [{ source: 'img', sourceHandle: 'output', target: 'show', targetHandle: 'value' }],
      },
    }),
  });
  const job = (await response.json()) as { status?: string; error?: string };
  if (job.status !== 'completed') throw new Error(`run ${index} ended ${job.status ?? response.status}: ${job.error ?? ''}`);
}

const rows = [];
const started = performance.now();
let next = 0;
for (let done = 0; done < RUNS;) {
  const batch = Math.min(REPORT_EVERY, RUNS - done);
  const end = next + batch;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < end) await run(next++);
    }),
  );
  done += batch;
  const db = sizeOf(join(dataDir, 'server.db')) + sizeOf(join(dataDir, 'server.db-wal'));
  const assets = folderBytes(join(dataDir, 'assets'));
  const listed = (await (await fetch(`${server.url}/api/jobs?limit=1000`)).json()) as { jobs: unknown[] };
  rows.push({
    runs: done,
    db_and_wal_kib: Math.round(db / KiB),
    asset_files: assets.files,
    assets_kib: Math.round(assets.bytes / KiB),
    runs_listed: listed.jobs.length,
  });
}
const seconds = (performance.now() - started) / 1000;
console.table(rows);
// Levelled off: the second half added no more than a tenth to what the first half had reached.
const half = rows[Math.floor(rows.length / 2) - 1] ?? rows[0];
const last = rows.at(-1);
if (!half || !last) throw new Error('no runs');
const flat = (key: 'db_and_wal_kib' | 'assets_kib') => last[key] <= half[key] * 1.1;
console.log(
  `${RUNS} runs in ${seconds.toFixed(0)} s (${(RUNS / seconds).toFixed(1)}/s), keeping ${KEEP}: ` +
    `database ${half.db_and_wal_kib} → ${last.db_and_wal_kib} KiB (${flat('db_and_wal_kib') ? 'level' : 'STILL GROWING'}), ` +
    `assets ${half.assets_kib} → ${last.assets_kib} KiB (${flat('assets_kib') ? 'level' : 'STILL GROWING'}) from run ${half.runs} to ${last.runs}`,
);
server.child.kill('SIGTERM');
await server.exited;
process.exit(flat('db_and_wal_kib') && flat('assets_kib') ? 0 : 1);
