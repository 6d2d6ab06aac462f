import { Counter, Gauge, type Registry } from 'prom-client';

/** Sets (a gauge) or adds (a counter) one series' value; labels by name. */
export type PutSeries<L extends string> = (labels: Partial<Record<L, string>>, value: number) => void;

/** A gauge read at scrape time: `fill` sets every series that exists now (at once, or once the database answered); series that went away go. */
export function scrapedGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
  fill: (set: PutSeries<L>) => void | Promise<void>,
): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    // A source the database answers is read asynchronously: prom-client waits for it.
    async collect() {
      this.reset();
      await fill((labels, value) => this.set(labels, value));
    },
  });
}

/** A counter whose running total lives elsewhere (a bridge's byte count), read at scrape time. */
export function scrapedCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[], fill: (add: PutSeries<L>) => void): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      fill((labels, value) => this.inc(labels, value));
    },
  });
}
