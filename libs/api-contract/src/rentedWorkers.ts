/** A rented GPU worker as the server reports it (GET /api/rented-workers, WS rented_worker). */
export interface RentedWorkerInfo {
  /** `<provider>:<instance id>` */
  id: string;
  /** The provider's name in the server's registry (`runpod`, `vast`). */
  provider: string;
  instance_id: string;
  /** Its name at the provider: `nodetool-<profile>-<random>`. */
  name: string;
  profile: string;
  state: 'creating' | 'provisioning' | 'running' | 'stopped' | 'destroyed' | 'failed';
  /** What it is doing, for people: provisioning, starting, healthy, stopped (why), failed. */
  stage: string;
  gpu: string | null;
  price_per_hour: number | null;
  /** Its pool id: its provider's URL, `<provider>://<instance>?tls=1`. */
  url: string;
  /** The certificate the server made for it and pins (null only for a worker rented before TLS was required). */
  tls_fingerprint: string | null;
  attached: boolean;
  created_at: string;
  uptime_seconds: number;
  /** USD, every running period so far at its hourly price. */
  cost_so_far: number;
  last_activity: string;
  error: string | null;
}

/** Something the cost guard (or a failed creation) did, and why. */
export interface GuardEventInfo {
  id: number;
  at: string;
  /** A rented worker's id, or a provider for a reconciliation that failed. */
  worker: string;
  /** stop, start, destroy, report, and their -failed forms */
  action: string;
  /** idle, ttl, spend, orphan, run-waiting, create-failed, over-ceiling, provider */
  reason: string;
  detail: string;
}
