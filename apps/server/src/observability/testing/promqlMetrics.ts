import { ServerMetrics } from '../serverMetrics.js';

/** TEST HELPER: metric names a PromQL expression reads: identifiers before `{`, `[`, `)` or the end, minus functions and label names. */
export function metricsIn(expression: string): string[] {
  const withoutLabels = expression.replace(/\{[^}]*\}/g, '').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...withoutLabels.matchAll(/\b([a-z_][a-z0-9_]*)\b(?!\s*\()/g)]
    .map((match) => match[1] as string)
    .filter((name) => name.includes('_') && !/^\d/.test(name));
}

/** TEST HELPER: every series name the server's registry exports (a histogram by its _bucket, _sum and _count too). */
export async function exportedMetricNames(): Promise<Set<string>> {
  const metrics = new ServerMetrics({
    runsQueued: () => [],
    runsRunning: () => 0,
    workers: () => [],
    rented: async () => [],
    assets: async () => ({ count: 0, bytes: 0 }),
  });
  const exported = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    exported.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(metric.name + suffix);
  }
  return exported;
}
