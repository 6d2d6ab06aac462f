import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { exportedMetricNames, metricsIn } from './testing/promqlMetrics.js';

const DIR = join(import.meta.dirname, '..', '..', '..', '..', 'deploy', 'kubernetes-autoscaling');
const read = (file: string) => parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, any>;

// The autoscaling manifests against the schemas their own projects publish: KEDA's ScaledObject CRD
// (@kubernetes-models/keda, generated from KEDA's CRDs) and Kubernetes' autoscaling/v2 (kubernetes-models),
// and their queries against the metrics the server exports.
describe('the autoscaling manifests (deploy/kubernetes-autoscaling)', () => {
  it('has a KEDA ScaledObject valid by KEDA’s schema, scaling the worker Deployment from zero on the queue', async () => {
    const document = read('keda-scaledobject.yaml');
    expect(() => new ScaledObject(document as never).validate()).not.toThrow();
    expect(document['spec']).toMatchObject({ minReplicaCount: 0, scaleTargetRef: { kind: 'Deployment', name: 'nodetool-hf-worker' } });
    const [trigger] = document['spec'].triggers as Array<{ type: string; metadata: { query: string } }>;
    expect(trigger?.type).toBe('prometheus');
    const exported = await exportedMetricNames();
    expect(metricsIn(trigger?.metadata.query as string)).toEqual(['nodetool_runs_queued', 'nodetool_worker_runs_in_flight']);
    expect(metricsIn(trigger?.metadata.query as string).filter((name) => !exported.has(name))).toEqual([]);
    // The worker Deployment it names exists beside it.
    expect(readFileSync(join(DIR, '..', 'kubernetes', 'hf-worker-deployment.yaml'), 'utf8')).toMatch(/^ {2}name: nodetool-hf-worker$/m);
  });

  it('refuses a ScaledObject KEDA would refuse (the check can fail)', () => {
    const document = read('keda-scaledobject.yaml');
    const misspelt = { ...document, spec: { ...document['spec'], triggers: [{ metadata: { query: 'x' } }] } };
    expect(() => new ScaledObject(misspelt as never).validate()).toThrow(/type/);
    const noTarget = { ...document, spec: { ...document['spec'], scaleTargetRef: undefined } };
    expect(() => new ScaledObject(noTarget as never).validate()).toThrow(/scaleTargetRef/);
  });

  it('has an HPA alternative valid by Kubernetes’ autoscaling/v2 schema, on the adapter’s external metric', () => {
    const document = read('hpa.yaml');
    expect(() => new HorizontalPodAutoscaler(document as never).validate()).not.toThrow();
    const rules = parse(read('prometheus-adapter-rules.yaml')['data']['config.yaml']) as {
      externalRules: Array<{ name: { as: string }; metricsQuery: string }>;
    };
    expect(rules.externalRules[0]?.name.as).toBe(document['spec'].metrics[0].external.metric.name);
    expect(metricsIn(rules.externalRules[0]?.metricsQuery.replace(/<<[^>]*>>/g, '') as string)).toEqual([
      'nodetool_runs_queued',
      'nodetool_worker_runs_in_flight',
    ]);
  });
});
