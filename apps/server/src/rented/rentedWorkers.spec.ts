import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PriceCeilingError, type ProviderClient, type ProviderInstance, type Quote, type RentRequest } from '@nt/providers';
import { parseProfile } from '@nt/provisioning';
import { ConflictError, NotFoundError, ProviderFailedError } from '../errors.js';
import { RentedStore, openDatabase } from '@nt/data';
import type { WorkerPool } from '../workers/workerPool.js';
import { RentedWorkers } from './rentedWorkers.js';
import { TokenSeal } from './tokenSeal.js';

// Renting over fakes of the provider, the pool and the worker's handshake: every step of a bring-up
// that can fail, in milliseconds (rented.integration.ts drives the real parts against the provider fixtures).

const PROFILE = parseProfile({
  name: 'a100',
  provider: 'runpod',
  gpu_type: 'NVIDIA A100 80GB PCIe',
  image: 'ghcr.io/acme/nodetool-hf:hf0.8.2-core0.8.2-gpu-1a2b3c4',
  max_price_per_hour: 2,
  max_instances: 2,
});

/** A provider whose answers the test scripts: `create` gives an instance, `get` what `states` say next. */
class FakeProvider implements ProviderClient {
  readonly provider = 'runpod';
  readonly calls: string[] = [];
  createError: Error | null = null;
  createdPrice = 1.5;
  /** What each `get` answers, in turn (the last one repeats); undefined: the instance is gone. */
  states: Array<Partial<ProviderInstance> | undefined> = [{ state: 'running' }];
  destroyError: Error | null = null;
  requests: RentRequest[] = [];
  private created = 0;

  async create(request: RentRequest): Promise<ProviderInstance> {
    this.calls.push('create');
    this.requests.push(request);
    if (this.createError) throw this.createError;
    return { provider: 'runpod', id: `pod${++this.created}`, name: request.name, state: 'provisioning', pricePerHour: this.createdPrice, gpu: 'A100' };
  }
  async quote(request: RentRequest): Promise<Quote> {
    this.calls.push('quote');
    if (this.createError) throw this.createError;
    return {
      provider: 'runpod',
      gpu: `${request.gpuCount}× ${request.gpuType}`,
      pricePerHour: this.createdPrice,
      interruptible: request.interruptible === true,
    };
  }
  async get(id: string): Promise<ProviderInstance | null> {
    this.calls.push('get');
    const next = this.states.length > 1 ? this.states.shift() : this.states[0];
    return next ? { provider: 'runpod', id, name: 'n', state: 'provisioning', pricePerHour: 1.5, gpu: 'A100', ...next } : null;
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
  }
  async start(): Promise<void> {
    this.calls.push('start');
  }
  async destroy(): Promise<void> {
    this.calls.push('destroy');
    if (this.destroyError) throw this.destroyError;
  }
  async list(): Promise<ProviderInstance[]> {
    return [];
  }
}

const opened: RentedWorkers[] = [];
afterEach(() => {
  for (const rented of opened.splice(0)) rented.shutdown();
});

async function renting(options: { answers?: boolean; bootTimeoutMs?: number; sealed?: boolean } = {}) {
  const store = new RentedStore(await openDatabase({ kind: 'sqlite', path: ':memory:' }));
  await store.saveProfile(PROFILE);
  const provider = new FakeProvider();
  const attached: string[] = [];
  const pool = { attach: async (spec: { id: string }) => void attached.push(spec.id) } as unknown as WorkerPool;
  const seal = TokenSeal.fromFile(join(mkdtempSync(join(tmpdir(), 'nt-rented-spec-')), 'secrets.key'), { create: true });
  const lines: string[] = [];
  const rented = new RentedWorkers(
    store,
    pool,
    {
      env: {},
      seal: options.sealed === false ? null : seal,
      bootTimeoutMs: options.bootTimeoutMs ?? 10_000,
      maxInstances: 4,
      maxSpendPerDay: 1_000,
      maxFailedBringUps: 100,
      log: (line) => lines.push(line),
      handshake: async () => options.answers ?? true,
    },
    () => provider,
  );
  opened.push(rented);
  /** Resolves with the worker once its bring-up has ended (healthy or failed). */
  const settled = (id: string) =>
    new Promise<Awaited<ReturnType<RentedWorkers['get']>>>((resolve) => {
      const check = async () => {
        const worker = await rented.get(id);
        if (worker.stage !== 'provisioning: the provider is placing the instance' && !worker.stage.startsWith('starting')) return resolve(worker);
        setTimeout(() => void check(), 10);
      };
      void check();
    });
  return { rented, provider, attached, seal, lines, settled, store };
}

describe('renting a worker', () => {
  it('follows a new instance until its worker answers, then attaches it to the pool, with a token of its own sealed in the database', async () => {
    const { rented, provider, attached, seal, settled, store } = await renting();
    const created = await rented.create('a100', true);
    expect(created).toMatchObject({ id: 'runpod:pod1', state: 'provisioning', price_per_hour: 1.5, url: 'runpod://pod1?tls=1' });
    const healthy = await settled(created.id);
    expect(healthy).toMatchObject({ state: 'running', stage: 'healthy: the worker answered the token handshake', attached: true, error: null });
    expect(attached).toEqual(['runpod://pod1?tls=1']);
    const stored = await store.worker(created.id);
    // The token the instance was given (its environment, as the provider received it).
    const token = Object.entries(provider.requests[0]?.env ?? {}).find(([name]) => name.endsWith('_WORKER_TOKEN'))?.[1] as string;
    expect(stored).toMatchObject({ tokenFile: '', tokenSealed: expect.stringMatching(/^v1:/) });
    expect(stored?.tokenSealed).not.toContain(token);
    expect(seal.open(stored?.tokenSealed as string, created.id)).toBe(token);
    // Sealed for its own row: moved to another, it does not open.
    expect(() => seal.open(stored?.tokenSealed as string, 'runpod:pod2')).toThrow(/cannot be unsealed/);
    // The instance gets its token and the certificate the server pins in its environment, nothing of ours.
    expect(Object.keys(provider.requests[0]?.env ?? {}).sort()).toEqual([
      'HF_HOME',
      'NODETOOL_WORKER_TLS_CERT_PEM',
      'NODETOOL_WORKER_TLS_KEY_PEM',
      'NODETOOL_WORKER_TOKEN',
    ]);
    expect(provider.calls).not.toContain('destroy');
  });

  it('refuses an unknown profile and a profile at its cap before asking the provider anything', async () => {
    const { rented, provider } = await renting();
    await expect(rented.create('h100', false)).rejects.toThrow(NotFoundError);
    await rented.create('a100', false);
    await rented.create('a100', false);
    await expect(rented.create('a100', false)).rejects.toThrow(
      new ConflictError('the profile "a100" has 2 live instance(s) and its max_instances is 2: destroy one (nodetool worker list) or raise max_instances'),
    );
    expect(provider.calls.filter((call) => call === 'create')).toHaveLength(2);
  });

  it('leaves nothing when the provider refuses the creation: no record', async () => {
    const { rented, provider, store } = await renting();
    provider.createError = new Error('RunPod: no A100 available');
    await expect(rented.create('a100', false)).rejects.toThrow(ProviderFailedError);
    provider.createError = new PriceCeilingError('every offer is over $2/h');
    await expect(rented.create('a100', false)).rejects.toThrow(/every offer is over \$2\/h: nothing was created/);
    expect(await store.workers()).toEqual([]);
  });

  it('refuses to rent without a key to seal the token with (replicas on Postgres), naming the setting, before asking the provider', async () => {
    const { rented, provider, store } = await renting({ sealed: false });
    await expect(rented.create('a100', false)).rejects.toThrow(/renting needs NODETOOL_SECRETS_KEY_FILE with DATABASE_URL/);
    expect(provider.calls).toEqual([]);
    expect(await store.workers()).toEqual([]);
  });

  it('destroys an instance whose own price is over the ceiling at once', async () => {
    const { rented, provider, store } = await renting();
    provider.createdPrice = 3.2;
    await expect(rented.create('a100', false)).rejects.toThrow(ConflictError);
    expect(provider.calls).toEqual(['create', 'destroy']);
    expect(await store.workers()).toEqual([]);
  });

  it.each([
    ['the provider loses the instance', [{ state: 'provisioning' }, undefined], /the provider no longer has the instance/],
    ['the instance ends while starting', [{ state: 'provisioning' }, { state: 'terminated' }], /the instance terminated while starting/],
    ['its price rises over the ceiling', [{ state: 'running', pricePerHour: 2.5 }], /bills \$2\.500\/h, above the profile/],
  ] as const)('destroys the instance, and says why, when %s', async (_case, states, reason) => {
    const { rented, provider, settled, attached } = await renting();
    provider.states = [...states];
    const created = await rented.create('a100', true);
    const failed = await settled(created.id);
    expect(failed).toMatchObject({ state: 'failed', stage: 'failed' });
    expect(failed.error).toMatch(reason);
    expect(failed.error).toMatch(/the instance was destroyed, so nothing is left billing/);
    expect(provider.calls.at(-1)).toBe('destroy');
    expect(attached).toEqual([]);
  });

  it('destroys an instance whose worker never answers within the boot timeout', async () => {
    const { rented, provider, settled } = await renting({ answers: false, bootTimeoutMs: 300 });
    const created = await rented.create('a100', false);
    const failed = await settled(created.id);
    expect(failed.error).toMatch(/^the worker did not answer within 0 s; the instance was destroyed/);
    expect(provider.calls.at(-1)).toBe('destroy');
  });

  it('says the instance may still bill, and how to end it, when destroying it fails too', async () => {
    const { rented, provider, settled, lines } = await renting();
    provider.states = [undefined];
    provider.destroyError = new Error('RunPod: 500');
    const created = await rented.create('a100', false);
    const failed = await settled(created.id);
    // Still counted live (it may be billing), so the caps and the reconciler keep seeing it.
    expect(failed.state).toBe('running');
    expect(failed.error).toMatch(/destroying the instance failed too \(RunPod: 500\): destroy pod1 in the provider's console/);
    // The guard's event is recorded just after the state the test polls for.
    await vi.waitFor(() => expect(lines.join('\n')).toMatch(/cost guard: destroy runpod:pod1 \(create-failed/));
  });

  it('stops a running worker and starts it again; a failed one is neither, and says why', async () => {
    const { rented, provider, settled } = await renting();
    const created = await rented.create('a100', false);
    await settled(created.id);
    expect((await rented.stop(created.id, 'idle')).state).toBe('stopped');
    await expect(rented.start('runpod:nope')).rejects.toThrow(NotFoundError);
    expect((await rented.start(created.id)).state).toBe('running');
    provider.states = [undefined];
    const lost = await rented.create('a100', false);
    await settled(lost.id);
    await expect(rented.stop(lost.id)).rejects.toThrow(new ConflictError('runpod:pod2 is failed: only a running worker can be stopped'));
    await expect(rented.start(lost.id)).rejects.toThrow(new ConflictError('runpod:pod2 is failed: only a stopped worker can be started'));
  });
});
