import type { BootLifecycle, FixtureCall } from '../../testing/bootLifecycle.js';
import { offerMatches, type Offer } from './offerFilter.js';
import { createSchema, listQuerySchema, manageSchema, refusal, searchSchema } from './vastRequests.js';

/** An offer the fixture has: a machine's GPUs at a price. Unset fields take the values of a verified, rentable host. */
export interface FixtureOffer {
  id: number;
  /** As Vast's offers spell it: "RTX 4090". */
  gpu_name: string;
  num_gpus: number;
  /** GPUs and machine per hour, before the disk. */
  dph_base: number;
  /** Disk, per GB per month (default 0.15). */
  storage_cost?: number;
  cuda_max_good?: number;
  direct_port_count?: number;
  verified?: boolean;
  external?: boolean;
  rentable?: boolean;
  rented?: boolean;
  reliability?: number;
  /** The lowest bid for an interruptible instance of it, USD per hour for the machine; undefined: not offered for bids. */
  min_bid?: number;
}

/** An instance as the fixture keeps it (the row Vast's API returns, plus what it was created with). */
export interface FixtureInstance {
  actual_status: 'running' | 'loading' | 'exited' | string | null;
  intended_status?: string;
  public_ipaddr: string | null;
  ports: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  label?: string;
  dph_total?: number;
  gpu_name?: string;
  num_gpus?: number;
  /** The environment the container starts with, as given (the `-p` flags are not in it). */
  env?: Record<string, string>;
  /** The create request, for tests to check. */
  created?: Record<string, unknown>;
  /** Rented with a bid (`price`): Vast may stop it when outbid (reclaim). */
  interruptible?: boolean;
}

const PAGE_TOKEN = /^after:(\d+)$/;

/**
 * TEST FIXTURE: Vast.ai's REST API for the calls we and the official `vastai` client make, under its
 * own paths (/api/v0/bundles/, /api/v0/asks/<offer>/, /api/v0/instances/<id>/, /api/v1/instances/).
 * Every body is checked against vastRequests.ts (400 with the reason otherwise); offers are filtered by
 * Vast's operators and priced with the disk asked for (`allocated_storage`, default 8 GB, as Vast
 * prices `dph_total`); a missing instance answers 200 `{"instances": null}`; the instance list pages
 * with `next_token`. An instance maps its worker port to a public one only for a `-p <port>:<port>` env
 * key, and starts the image's own command only with `runtype: "args"` (Vast's SSH and Jupyter modes
 * replace it), so what we send decides whether a worker is reachable.
 */
export function vastFixture(lifecycle: BootLifecycle, offers: FixtureOffer[], calls: FixtureCall[]) {
  const instances = new Map<string, FixtureInstance>();
  let nextId = 31001;

  const record = (operation: string, args: Record<string, unknown>) => calls.push({ provider: 'vast', operation, args: JSON.parse(JSON.stringify(args)) });
  // A bid search prices an offer at its minimum bid [unconfirmed: how Vast's answer prices `type: "bid"`;
  // the vastai CLI shows min_bid beside dph_total]; the disk is added either way.
  const priced = (offer: FixtureOffer, storageGb: number, bid = false): Offer => ({
    cuda_max_good: 13.0,
    direct_port_count: 20,
    verified: true,
    external: false,
    rentable: true,
    rented: false,
    reliability: 0.995,
    storage_cost: 0.15,
    ...offer,
    dph_total: Math.round(((bid ? (offer.min_bid ?? 0) : offer.dph_base) + ((offer.storage_cost ?? 0.15) * storageGb) / 730) * 10_000) / 10_000,
    hosting_type: 0,
  });
  const row = (id: string, instance: FixtureInstance) => ({
    id: Number(id),
    label: instance.label ?? null,
    actual_status: instance.actual_status,
    intended_status: instance.intended_status ?? 'running',
    cur_state: instance.actual_status === 'running' ? 'running' : 'stopped',
    dph_total: instance.dph_total ?? 0,
    gpu_name: instance.gpu_name ?? null,
    num_gpus: instance.num_gpus ?? 1,
    public_ipaddr: instance.public_ipaddr,
    ports: instance.ports,
    image_uuid: (instance.created?.['image'] as string | undefined) ?? null,
    disk_space: (instance.created?.['disk'] as number | undefined) ?? null,
    start_date: 1_790_000_000.5,
    extra_env: Object.entries(instance.env ?? {}).map(([key, value]) => [key, value]),
  });
  const boot = (id: string) => {
    const instance = instances.get(id) as FixtureInstance;
    const runtype = String(instance.created?.['runtype'] ?? 'ssh');
    const ports = Object.keys((instance.created?.['env'] as Record<string, string> | undefined) ?? {})
      .map((key) => /^-p (\d+):(\d+)/.exec(key))
      .filter((match): match is RegExpExecArray => match !== null);
    lifecycle.boot({ provider: 'vast', id, env: instance.env ?? {}, image: String(instance.created?.['image'] ?? '') }, (at) => {
      const now = instances.get(id);
      if (!now || now.intended_status !== 'running') return;
      if (at === 'crash') {
        now.actual_status = 'exited';
        return;
      }
      // SSH and Jupyter modes run Vast's entrypoint instead of the image's: nothing serves the worker port.
      const serving = runtype.split(/\s+/).includes('args');
      Object.assign(now, {
        actual_status: 'running',
        public_ipaddr: at.host,
        ports: Object.fromEntries(
          ports.map(([, inside]) => [`${inside}/tcp`, [{ HostIp: '0.0.0.0', HostPort: String(serving && Number(inside) === at.privatePort ? at.port : 1) }]]),
        ),
      });
    });
  };

  const handle = (method: string, path: string, query: URLSearchParams, body: unknown): { status: number; body: unknown } => {
    if (method === 'POST' && path === '/api/v0/bundles/') {
      const parsed = searchSchema.safeParse(body);
      if (!parsed.success) return { status: 400, body: refusal(parsed.error) };
      const search = parsed.data as Record<string, unknown>;
      record('search', search);
      const storage = (search['allocated_storage'] as number | undefined) ?? 8;
      const bid = search['type'] === 'bid';
      let found = offers
        .filter((offer) => !bid || offer.min_bid !== undefined)
        .map((offer) => priced(offer, storage, bid))
        .filter((offer) => offerMatches(offer, search));
      for (const [field, direction] of ((search['order'] as Array<[string, string]> | undefined) ?? []).slice().reverse()) {
        found = found.sort((a, b) => (Number(a[field]) - Number(b[field])) * (direction === 'desc' ? -1 : 1));
      }
      return { status: 200, body: { offers: found.slice(0, (search['limit'] as number | undefined) ?? 64) } };
    }
    const ask = /^\/api\/v0\/asks\/(\d+)\/$/.exec(path);
    if (method === 'PUT' && ask) {
      const parsed = createSchema.safeParse(body);
      if (!parsed.success) return { status: 400, body: refusal(parsed.error) };
      const create = parsed.data as Record<string, unknown>;
      record('create', { offer: Number(ask[1]), ...create });
      const offer = offers.find((candidate) => candidate.id === Number(ask[1]));
      if (!offer || offer.rented)
        return { status: 404, body: { success: false, error: 'invalid_args', msg: `no_such_ask Instance type by id ${ask[1]} is not available.` } };
      const bid = typeof create['price'] === 'number' ? (create['price'] as number) : null;
      if (bid !== null && (offer.min_bid === undefined || bid < offer.min_bid))
        return {
          status: 400,
          body: { success: false, error: 'invalid_args', msg: `bid price ${bid} is below the minimum bid ${offer.min_bid ?? 'none'} of ask ${ask[1]}` },
        };
      const id = String(nextId++);
      const env = typeof create['env'] === 'object' && create['env'] ? (create['env'] as Record<string, string>) : {};
      instances.set(id, {
        actual_status: 'loading',
        intended_status: 'running',
        public_ipaddr: null,
        ports: {},
        label: (create['label'] as string | null | undefined) ?? undefined,
        dph_total: (bid === null
          ? priced(offer, (create['disk'] as number | undefined) ?? 10)['dph_total']
          : priced({ ...offer, min_bid: bid }, (create['disk'] as number | undefined) ?? 10, true)['dph_total']) as number,
        interruptible: bid !== null,
        gpu_name: offer.gpu_name,
        num_gpus: offer.num_gpus,
        env: Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('-'))),
        created: create,
      });
      boot(id);
      return { status: 200, body: { success: true, new_contract: Number(id) } };
    }
    if (method === 'GET' && path === '/api/v1/instances/') {
      const decoded: Record<string, unknown> = {};
      for (const [key, value] of query) decoded[key] = key === 'after_token' ? value : safeJson(value);
      const parsed = listQuerySchema.safeParse(decoded);
      if (!parsed.success) return { status: 400, body: refusal(parsed.error) };
      record('list', parsed.data);
      const ids = [...instances.keys()].sort((a, b) => Number(a) - Number(b));
      const after = parsed.data.after_token ? Number(PAGE_TOKEN.exec(parsed.data.after_token)?.[1] ?? Number.NaN) : -1;
      if (Number.isNaN(after)) return { status: 400, body: { success: false, error: 'invalid_args', msg: 'after_token is not one this API gave' } };
      const rest = ids.filter((id) => Number(id) > after);
      const limit = parsed.data.limit ?? 25;
      const page = rest.slice(0, limit);
      return {
        status: 200,
        body: {
          instances: page.map((id) => row(id, instances.get(id) as FixtureInstance)),
          next_token: rest.length > limit ? `after:${page.at(-1)}` : null,
          total_instances: ids.length,
        },
      };
    }
    const one = /^\/api\/v0\/instances\/(\d+)\/$/.exec(path);
    if (!one) return { status: 404, body: { success: false, error: 'not_found', msg: `no such path ${path}` } };
    const id = one[1] as string;
    const instance = instances.get(id);
    if (method === 'GET') {
      record('show', { id: Number(id), ...Object.fromEntries(query) });
      return { status: 200, body: { instances: instance ? row(id, instance) : null } };
    }
    if (method === 'DELETE') {
      record('destroy', { id: Number(id) });
      if (!instance) return { status: 404, body: { success: false, error: 'no_such_instance', msg: `No such instance ${id}.` } };
      instances.delete(id);
      lifecycle.halt({ provider: 'vast', id, env: instance.env ?? {}, image: String(instance.created?.['image'] ?? '') });
      return { status: 200, body: { success: true, msg: 'Instance destroyed successfully' } };
    }
    if (method === 'PUT') {
      const parsed = manageSchema.safeParse(body);
      if (!parsed.success) return { status: 400, body: refusal(parsed.error) };
      record('manage', { id: Number(id), ...parsed.data });
      if (!instance) return { status: 404, body: { success: false, error: 'no_such_instance', msg: `No such instance ${id}.` } };
      if (parsed.data.label !== undefined) instance.label = parsed.data.label;
      else if (parsed.data.state === 'stopped') {
        Object.assign(instance, { intended_status: 'stopped', actual_status: 'exited', ports: {} });
        lifecycle.halt({ provider: 'vast', id, env: instance.env ?? {}, image: String(instance.created?.['image'] ?? '') });
      } else {
        Object.assign(instance, { intended_status: 'running', actual_status: 'loading' });
        boot(id);
      }
      return { status: 200, body: { success: true } };
    }
    return { status: 405, body: { success: false, error: 'method_not_allowed', msg: `${method} ${path}` } };
  };

  /** Vast stops an interruptible instance when it is outbid: it exits, its worker with it (intended to run again if the bid wins). */
  const reclaim = (id: string): void => {
    const instance = instances.get(id);
    if (!instance?.interruptible) throw new Error(`fixture: ${id} is not an interruptible instance, Vast would not stop it for a bid`);
    Object.assign(instance, { actual_status: 'exited', ports: {} });
    lifecycle.halt({ provider: 'vast', id, env: instance.env ?? {}, image: String(instance.created?.['image'] ?? '') });
  };

  return { instances, handle, reclaim };
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
