import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { at } from './repoPaths.js';

// What deploy/kubernetes promises, read from the manifests themselves (their schema validity is
// repo-lint's kubernetes target; no cluster runs here).
type Resource = { kind: string; metadata: { name: string; namespace?: string }; spec: any };
const resources: Resource[] = readdirSync(at('deploy/kubernetes'))
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(at('deploy/kubernetes', file), 'utf8')).map((doc) => doc.toJS() as Resource));
const find = (kind: string, name: string) => {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const workers = find('Deployment', 'nodetool-hf-worker');
const worker = workers.spec.template.spec.containers[0];
const server = find('Deployment', 'nodetool-server').spec.template.spec.containers[0];
const env = (container: { env: Array<{ name: string; value?: string }> }) => Object.fromEntries(container.env.map((entry) => [entry.name, entry.value]));

describe('deploy/kubernetes', () => {
  it('runs the HF workers on one GPU each, as the image user, with no privileges', () => {
    expect(worker.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(workers.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(worker.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(workers.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  it('gives the workers and the server the token from one Secret, as a file, never as a value', () => {
    for (const container of [worker, server]) {
      expect(env(container)['NODETOOL_WORKER_TOKEN_FILE']).toBe('/run/secrets/nodetool/worker-token');
      expect(Object.keys(env(container))).not.toContain('NODETOOL_WORKER_TOKEN');
    }
    for (const deployment of [workers, find('Deployment', 'nodetool-server')]) {
      const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'worker-token');
      expect(volume.secret).toMatchObject({ secretName: 'nodetool-worker-token', items: [{ key: 'token', path: 'worker-token' }] });
    }
  });

  it('probes the server’s readiness on /ready and its liveness on /health, as the server answers them (probes.integration.ts)', () => {
    expect(server.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(server.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
  });

  it('probes readiness and liveness with the image’s token-aware handshake', () => {
    for (const probe of [worker.readinessProbe, worker.livenessProbe]) expect(probe.exec.command).toEqual(['python', '/opt/nodetool/healthcheck.py']);
  });

  it('keeps the model cache on a claim every replica mounts where HF_HOME points', () => {
    const claim = find('PersistentVolumeClaim', 'nodetool-hf-cache');
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(env(worker)['HF_HOME']).toBe('/app/huggingface');
    expect(worker.volumeMounts).toContainEqual({ name: 'hf-cache', mountPath: '/app/huggingface' });
  });

  it('finds the workers through a headless Service the server follows by DNS', () => {
    const service = find('Service', 'nodetool-hf-worker');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.selector).toEqual(workers.spec.selector.matchLabels);
    expect(env(server)).toMatchObject({
      NODETOOL_WORKER_URL: `ws://nodetool-hf-worker.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`,
      NODETOOL_WORKER_DISCOVERY: 'dns',
    });
    expect(env(server)['NODETOOL_SERVER_TOKEN_FILE']).toBeTruthy();
  });

  it('runs two server replicas over Postgres, its URL from a Secret as a file, and keeps one up through a drain', () => {
    const deployment = find('Deployment', 'nodetool-server');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toMatchObject({ maxUnavailable: 0 });
    expect(env(server)['DATABASE_URL_FILE']).toBe('/run/secrets/nodetool-database/url');
    expect(Object.keys(env(server))).not.toContain('DATABASE_URL');
    expect(Object.keys(env(server))).not.toContain('NODETOOL_DB');
    const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'database');
    expect(volume.secret).toMatchObject({ secretName: 'nodetool-database', items: [{ key: 'url', path: 'url' }] });
    const budget = find('PodDisruptionBudget', 'nodetool-server');
    expect(budget.spec).toEqual({ minAvailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
  });

  it('gives both replicas one assets folder they all mount, declared shared', () => {
    expect(find('PersistentVolumeClaim', 'nodetool-server-data').spec.accessModes).toEqual(['ReadWriteMany']);
    expect(env(server)).toMatchObject({ NODETOOL_ASSETS_SHARED: '1', NODETOOL_ASSETS_DIR: '/data/assets' });
  });

  it('admits only the server to the workers’ port', () => {
    const policy = find('NetworkPolicy', 'nodetool-hf-worker');
    expect(policy.spec.podSelector.matchLabels).toEqual(workers.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: find('Deployment', 'nodetool-server').spec.selector.matchLabels } }], ports: [{ protocol: 'TCP', port: 7777 }] },
    ]);
  });
});
