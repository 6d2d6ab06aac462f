import type { FixtureProviderApi } from '@nt/providers/testing';
import { seeded } from './trace.js';

/**
 * The simulated market, from the providers' published ranges (read 2026-12-07): an RTX 4090 on RunPod
 * on demand at $0.59–0.69/h per GPU, on Vast.ai's market at $0.30–0.50/h (the machine, before disk),
 * sometimes with no verified offer at all. Boot (image pull and worker start, a ~10 GB image): RunPod
 * 60–150 s, Vast.ai 120–300 s; these are assumptions, not measurements.
 */
export const BOOT_SECONDS = { runpod: [60, 150], vast: [120, 300] } as const;

export interface MarketHour {
  runpodPerGpu: number;
  /** null: Vast.ai has no offer this hour. */
  vastBase: number | null;
}

/** The market hour by hour: prices wander within their ranges; Vast's offer is missing one hour in ten. */
export function marketDay(seed: number): MarketHour[] {
  const random = seeded(seed * 7 + 1);
  let runpod = 0.64;
  let vast = 0.4;
  return Array.from({ length: 25 }, () => {
    runpod = Math.min(0.69, Math.max(0.59, runpod + (random() - 0.5) * 0.04));
    vast = Math.min(0.5, Math.max(0.3, vast + (random() - 0.5) * 0.08));
    return { runpodPerGpu: Math.round(runpod * 1000) / 1000, vastBase: random() < 0.1 ? null : Math.round(vast * 1000) / 1000 };
  });
}

/** Puts an hour's market on the fixture providers: what their APIs quote from now on. */
export function applyMarket(fixture: FixtureProviderApi, hour: MarketHour): void {
  fixture.setRunpodGpu('NVIDIA GeForce RTX 4090', { displayName: 'RTX 4090', price: hour.runpodPerGpu });
  fixture.setVastOffers(hour.vastBase === null ? [] : [{ id: 41, gpu_name: 'RTX 4090', num_gpus: 1, dph_base: hour.vastBase }]);
}

/** A boot time for a provider, drawn from its range. */
export function bootSeconds(provider: 'runpod' | 'vast', random: () => number): number {
  const [low, high] = BOOT_SECONDS[provider];
  return Math.round(low + random() * (high - low));
}
