import type { Registry } from 'prom-client';
import type { RentedWorkerInfo } from '@nt/api-contract';
import type { PoolMember } from '../workers/poolMember.js';
import { scrapedCounter, scrapedGauge } from './scrapedMetrics.js';

/** The worker states /health reports; each worker has 1 in its current one and 0 in the others. */
const WORKER_STATES = ['connecting', 'connected', 'reconnecting', 'unreachable', 'token_rejected', 'stopped'] as const;
const RENTED_STATES = ['creating', 'provisioning', 'running', 'stopped', 'destroyed', 'failed'] as const;

/** The pool's metrics, one series per worker, read from the workers when Prometheus scrapes. */
export function addWorkerMetrics(registry: Registry, workers: () => PoolMember[]): void {
  /** One series per worker: a value now (a gauge) or a running total kept by the worker's objects (a counter). */
  const perWorker = (kind: 'gauge' | 'counter', name: string, help: string, read: (member: PoolMember) => number | null) =>
    (kind === 'gauge' ? scrapedGauge : scrapedCounter)(registry, name, help, ['worker'], (put) => {
      for (const member of workers()) {
        const value = read(member);
        if (value !== null) put({ worker: member.id }, value);
      }
    });
  scrapedGauge(registry, 'nodetool_worker_state', 'Each worker’s connection state: 1 for the state it is in.', ['worker', 'state'], (set) => {
    for (const member of workers()) {
      const current = member.supervisor.status().state;
      for (const state of WORKER_STATES) set({ worker: member.id, state }, state === current ? 1 : 0);
    }
  });
  perWorker('gauge', 'nodetool_worker_runs_in_flight', 'Runs executing on each worker.', (member) => member.runsInFlight);
  perWorker('gauge', 'nodetool_worker_run_limit', 'Each worker’s max_concurrent_runs (absent: no limit of its own).', (member) => member.maxConcurrentRuns);
  perWorker(
    'counter',
    'nodetool_worker_reconnects_total',
    'Times each worker came back after its connection was lost.',
    (member) => member.supervisor.reconnects,
  );
  perWorker('gauge', 'nodetool_worker_round_trip_seconds', 'The last worker.status round trip to each worker.', (member) => {
    const ms = member.supervisor.status().last_round_trip_ms;
    return ms === null ? null : ms / 1000;
  });
  perWorker(
    'counter',
    'nodetool_worker_sent_bytes_total',
    'Bytes of frames sent to each worker (since the server started).',
    (member) => member.supervisor.connection?.traffic?.sentBytes ?? null,
  );
  perWorker(
    'counter',
    'nodetool_worker_received_bytes_total',
    'Bytes of frames received from each worker (since the server started).',
    (member) => member.supervisor.connection?.traffic?.receivedBytes ?? null,
  );
  perWorker(
    'counter',
    'nodetool_model_keepalive_hits_total',
    'Runs that found their models still loaded on the worker (the keep-alive held them).',
    (member) => member.models.stats().hits,
  );
  perWorker(
    'counter',
    'nodetool_model_keepalive_misses_total',
    'Runs that had the worker load their models (nothing kept them): model loads.',
    (member) => member.models.stats().misses,
  );
  perWorker('gauge', 'nodetool_models_resident', 'Model sets each worker keeps loaded now.', (member) => member.models.resident().length);
}

/** Rented workers: how many by provider and state, and each live one's price and cost so far. */
export function addRentedMetrics(registry: Registry, rented: () => Promise<RentedWorkerInfo[]>): void {
  scrapedGauge(registry, 'nodetool_rented_workers', 'Rented workers by provider and state.', ['provider', 'state'], async (set) => {
    const all = await rented();
    const providers = new Set(all.map((worker) => worker.provider));
    for (const provider of providers)
      for (const state of RENTED_STATES) set({ provider, state }, all.filter((worker) => worker.provider === provider && worker.state === state).length);
  });
  const live = async () => (await rented()).filter((worker) => worker.state !== 'destroyed');
  scrapedGauge(
    registry,
    'nodetool_rented_price_per_hour_dollars',
    'The hourly price of each rented worker not destroyed.',
    ['worker', 'provider'],
    async (set) => {
      for (const worker of await live()) if (worker.price_per_hour !== null) set({ worker: worker.id, provider: worker.provider }, worker.price_per_hour);
    },
  );
  scrapedGauge(
    registry,
    'nodetool_rented_cost_dollars',
    'What each rented worker not destroyed has cost so far (USD).',
    ['worker', 'provider'],
    async (set) => {
      for (const worker of await live()) set({ worker: worker.id, provider: worker.provider }, worker.cost_so_far);
    },
  );
}
