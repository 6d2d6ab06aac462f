import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedMetricNames, metricsIn } from './testing/promqlMetrics.js';

const DASHBOARD = join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'grafana', 'nodetool-server.json');

describe('the Grafana dashboard (deploy/grafana/nodetool-server.json)', () => {
  it('queries only metrics the server exports', async () => {
    const exported = await exportedMetricNames();
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => metricsIn(target.expr).map((name) => ({ name, panel: panel.title }))),
    );
    expect(queried.length).toBeGreaterThan(20);
    expect(queried.filter(({ name }) => !exported.has(name))).toEqual([]);
    // Every metric of ours is on the dashboard somewhere.
    const shown = new Set(queried.map(({ name }) => name.replace(/_(bucket|sum|count)$/, '')));
    expect([...exported].filter((name) => name.startsWith('nodetool_') && !/_(bucket|sum|count)$/.test(name) && !shown.has(name))).toEqual([]);
  });

  it('reads metric names out of PromQL the way the check needs', () => {
    expect(metricsIn('histogram_quantile(0.95, sum by (le, node_type) (rate(nodetool_node_duration_seconds_bucket[5m])))')).toEqual([
      'nodetool_node_duration_seconds_bucket',
    ]);
    expect(metricsIn('sum(nodetool_worker_state{state="connected"})')).toEqual(['nodetool_worker_state']);
  });
});
