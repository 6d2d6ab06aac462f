/**
 * nx run bridge:bench-reconnect — how long after a worker listens again the bridge is back, after
 * outages of different lengths, with the default reconnect settings (full-jitter backoff from 1 s,
 * capped at 30 s; a TCP probe every 500 ms while the port refuses), beside the same with the probe
 * off (the backoff alone). Target: p50 ≤ 2 s after an outage of any length.
 *   BENCH_OUTAGES=5,75 (seconds)  BENCH_REPEATS=3
 */
import { spawnRealWorker } from '@nt/test-fixtures';
import { WebsocketPythonBridge } from '../src/websocketPythonBridge.js';

const TOKEN = 'reconnect-bench-token-01';
const outages = (process.env['BENCH_OUTAGES'] ?? '5,75').split(',').map(Number);
const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds from the worker listening again to the bridge's `reconnected`, after `outageS` of nothing. */
async function backAfter(outageS: number, probeIntervalMs: number): Promise<number> {
  let worker = await spawnRealWorker({ token: TOKEN });
  const port = worker.port;
  const bridge = new WebsocketPythonBridge({ wsUrl: worker.url, workerToken: TOKEN, reconnect: { probeIntervalMs } });
  await bridge.connect();
  await worker.kill();
  await sleep(outageS * 1000);
  const reconnected = new Promise<void>((resolve) => bridge.once('reconnected', () => resolve()));
  worker = await spawnRealWorker({ token: TOKEN, port });
  const listening = performance.now();
  await reconnected;
  const seconds = (performance.now() - listening) / 1000;
  await bridge.close();
  await worker.kill();
  return Math.round(seconds * 100) / 100;
}

const report: Array<{ outage_s: number; probe: string; back_after_s: number[]; p50_s: number }> = [];
for (const outage of outages) {
  for (const [probe, interval] of [
    ['500 ms (default)', 500],
    ['off (backoff only)', 0],
  ] as const) {
    // The comparison needs one sample per outage; the default gets the repeats.
    const samples: number[] = [];
    for (let i = 0; i < (interval ? repeats : 1); i++) samples.push(await backAfter(outage, interval));
    const p50 = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
    report.push({ outage_s: outage, probe, back_after_s: samples, p50_s: p50 });
    console.error(`outage ${outage} s, probe ${probe}: back after ${samples.join(', ')} s`);
  }
}
console.log(JSON.stringify(report, null, 2));
const worst = Math.max(...report.filter((row) => row.probe.startsWith('500')).map((row) => row.p50_s));
console.log(`worst p50 with the probe ${worst} s (target ≤ 2 s): ${worst <= 2 ? 'met' : 'MISSED'}`);
