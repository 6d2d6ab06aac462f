/**
 * nx run server:bench-scaling — a day of bursty traffic (scaling/trace.ts: quiet nights, busy hours,
 * three batches of 15–25 runs) replayed in simulated time against the fixture providers' APIs, whose
 * market moves hour by hour within the providers' published ranges (scaling/market.ts). Offers are
 * asked for and chosen by the server's own code (offerQuotes.ts over the RunPod and Vast.ai clients);
 * the scaler's decisions are planScaling's, as the server makes them every tick. Boots and billing are
 * simulated (billed from the rental, by the second). Compared, per day (BENCH_DAYS seeds, default 3):
 *   - the oracle: rents the cheapest offer the moment a run has no worker coming, releases a worker the
 *     moment it is idle (no tick, no idle tail: the cost floor of renting on demand);
 *   - scale from zero: two profiles (RunPod, Vast.ai) of one group, max 8 each, release_after 30, 60 and 300 s;
 *   - one worker always on, and four always on (booted before the day, billed all day).
 * Goal: scale from zero within 10% of the oracle's cost, with a p95 wait no worse than one boot time.
 */
import { parseProfile, type WorkerProfile } from '@nt/provisioning';
import { providerClientFor } from '@nt/providers';
import { startFixtureProviderApi } from '@nt/providers/testing';
import { quoteGroup } from '../src/scaling/offerQuotes.js';
import { applyMarket, BOOT_SECONDS, marketDay } from './scaling/market.js';
import { simulate, type Policy, type Quote, type SimResult } from './scaling/simulator.js';
import { dayOfTraffic } from './scaling/trace.js';

const DAYS = Number(process.env['BENCH_DAYS'] ?? 3);
const KEYS = { runpod: 'rpa_scaling_bench_key', vast: 'vast-scaling-bench-key' };
const fixture = await startFixtureProviderApi(KEYS);
const env = fixture.env();

// Up to MAX workers per profile (two profiles): room for a batch, so a burst waits for boots, not for a queue.
const MAX = Number(process.env['BENCH_MAX_PER_PROFILE'] ?? 8);
const profile = (name: string, provider: string, gpuType: string, releaseAfter: number): WorkerProfile =>
  parseProfile({
    name,
    provider,
    gpu_type: gpuType,
    image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
    max_price_per_hour: 1,
    max_instances: MAX,
    group: 'gpu',
    scale: { max: MAX, release_after: releaseAfter },
  });
const group = (releaseAfter: number) => [
  profile('rp-4090', 'runpod', 'NVIDIA GeForce RTX 4090', releaseAfter),
  profile('vast-4090', 'vast', 'RTX 4090', releaseAfter),
];

const POLICIES: Array<{ name: string; policy: Policy }> = [
  { name: 'oracle (rent on arrival, release when idle)', policy: { kind: 'oracle', profiles: group(0) } },
  { name: 'scale from zero, release_after 0 s', policy: { kind: 'scaler', profiles: group(0), tickSeconds: 5 } },
  { name: 'scale from zero, release_after 10 s', policy: { kind: 'scaler', profiles: group(10), tickSeconds: 5 } },
  { name: 'scale from zero, release_after 30 s', policy: { kind: 'scaler', profiles: group(30), tickSeconds: 5 } },
  { name: 'scale from zero, release_after 60 s', policy: { kind: 'scaler', profiles: group(60), tickSeconds: 5 } },
  { name: 'scale from zero, release_after 300 s', policy: { kind: 'scaler', profiles: group(300), tickSeconds: 5 } },
  { name: 'one worker always on', policy: { kind: 'fixed', workers: 1 } },
  { name: 'four workers always on', policy: { kind: 'fixed', workers: 4 } },
];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

const rows: string[] = [];
for (let day = 1; day <= DAYS; day++) {
  const trace = dayOfTraffic(day);
  const market = marketDay(day);
  let hourShown = -1;
  // The fixture's market is the hour's; every quote goes through our clients to its HTTP API.
  const quote: Quote = async (t, profiles) => {
    const hour = Math.floor(t / 3600);
    if (hour !== hourShown) applyMarket(fixture, market[Math.min(hour, 24)] as (typeof market)[number]);
    hourShown = hour;
    return (await quoteGroup(profiles.length ? profiles : group(60), (chosen) => providerClientFor(chosen, env))).chosen;
  };
  const results: Array<{ name: string; result: SimResult }> = [];
  for (const { name, policy } of POLICIES) results.push({ name, result: await simulate(trace, policy, quote, day) });
  const oracle = (results[0] as { result: SimResult }).result.cost;
  const busy = trace.reduce((sum, run) => sum + run.seconds, 0) / 3600;
  for (const { name, result } of results) {
    const boot = result.boots.filter((seconds) => seconds > 0);
    rows.push(
      `| ${day} | ${name} | $${result.cost.toFixed(2)} | ${(result.cost / oracle).toFixed(2)}× | ${percentile(result.waits, 50)} s | ${percentile(result.waits, 95)} s | ${result.rentals} | ${boot.length ? `${percentile(boot, 50)} s` : '—'} |`,
    );
  }
  rows.push(`| ${day} | (${trace.length} runs, ${busy.toFixed(1)} GPU-hours of work) | | | | | | |`);
}
console.log(`boot ranges: RunPod ${BOOT_SECONDS.runpod.join('–')} s, Vast.ai ${BOOT_SECONDS.vast.join('–')} s`);
console.log('| day | policy | cost | vs oracle | wait p50 | wait p95 | rentals | boot p50 |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
await fixture.close();
