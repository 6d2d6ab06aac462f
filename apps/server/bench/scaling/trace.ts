/** One run of the simulated day: when it arrives (seconds after midnight UTC) and how long it runs on a GPU. */
export interface TraceRun {
  at: number;
  seconds: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same day, so the figures can be reproduced. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Runs per hour by hour of the day: quiet nights, busy working hours, a lunch dip, a quieter evening. */
const RATE_PER_HOUR = [1, 0, 1, 0, 0, 1, 1, 3, 8, 10, 10, 9, 4, 5, 9, 10, 9, 8, 5, 3, 3, 2, 2, 1];

/**
 * A day of bursty traffic: Poisson arrivals at the hourly rates above, plus `bursts` bursts of 15–25
 * runs within two minutes in working hours (a batch someone submits). Each run takes 1–10 min on a GPU
 * (image, audio and video models), skewed towards the short end.
 */
export function dayOfTraffic(seed: number, bursts = 3): TraceRun[] {
  const random = seeded(seed);
  const duration = () => Math.round(60 * Math.exp(random() * Math.log(10)));
  const runs: TraceRun[] = [];
  RATE_PER_HOUR.forEach((rate, hour) => {
    if (rate === 0) return;
    // Exponential gaps: a Poisson process at `rate` runs an hour.
    for (let at = hour * 3600; ;) {
      at += (-Math.log(1 - random()) * 3600) / rate;
      if (at >= (hour + 1) * 3600) break;
      runs.push({ at: Math.round(at), seconds: duration() });
    }
  });
  for (let burst = 0; burst < bursts; burst++) {
    const start = (9 + random() * 8) * 3600;
    const size = 15 + Math.floor(random() * 11);
    for (let index = 0; index < size; index++) runs.push({ at: Math.round(start + random() * 120), seconds: duration() });
  }
  return runs.sort((a, b) => a.at - b.at);
}
