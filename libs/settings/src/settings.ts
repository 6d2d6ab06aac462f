import { choice, flag, integer, list, text } from './settingKinds.js';

const MiB = 1024 * 1024;

/**
 * Every environment setting, once: what the server, the CLI, the bridge and the worker image read. The
 * README's settings table is made from this list (settings.spec.ts checks it), and a spec fails when the
 * code or the image's scripts read a NODETOOL_ setting that is not here.
 */
export const SETTINGS = {
  // The server
  HOST: text({ default: '127.0.0.1', readBy: ['server'], doc: 'The address the server listens on; anything beyond loopback needs NODETOOL_SERVER_TOKEN.' }),
  PORT: integer({ default: 7777, min: 0, max: 65_535, readBy: ['server'], doc: 'The server’s port (0: any free one).' }),
  NODETOOL_DB: text({
    readBy: ['server'],
    defaultText: '$XDG_DATA_HOME/nodetool/server.db (~/.local/share/…)',
    doc: 'The SQLite file of workflows, runs, sessions and rented workers.',
  }),
  NODETOOL_WEB_ROOT: text({ readBy: ['server'], defaultText: 'apps/web/dist, when built', doc: 'The built web UI the server serves at /.' }),
  NODETOOL_SERVER_TOKEN: text({
    readBy: ['server', 'cli'],
    secret: true,
    doc: 'Every API call and the WebSocket need it (Bearer, the UI’s login, or one ?token= link); at least 16 characters.',
  }),
  NODETOOL_SERVER_TOKEN_FILE: text({ readBy: ['server', 'cli'], doc: 'A file holding NODETOOL_SERVER_TOKEN (never both).' }),
  NODETOOL_SESSION_DAYS: integer({
    default: 7,
    min: 1,
    max: 365,
    unit: 'days',
    readBy: ['server'],
    doc: 'How long a browser login lasts; kept and ended on the server.',
  }),
  NODETOOL_ALLOWED_HOSTS: list({
    readBy: ['server'],
    doc: 'Host names the server answers beyond loopback and its own address (`.example.com` for a domain, `*` for any).',
  }),
  NODETOOL_ALLOWED_ORIGINS: list({
    readBy: ['server'],
    doc: 'Origins (http://localhost:5173) that may call the API and open the WebSocket from another page.',
  }),
  NODETOOL_MAX_BODY_BYTES: integer({ default: 64 * MiB, min: 1, unit: 'bytes', readBy: ['server'], doc: 'The largest request body, and WebSocket message.' }),
  NODETOOL_MAX_GRAPH_NODES: integer({ default: 10_000, min: 1, readBy: ['server'], doc: 'The most nodes a workflow may have.' }),
  NODETOOL_MAX_GRAPH_EDGES: integer({ default: 50_000, min: 0, readBy: ['server'], doc: 'The most edges a workflow may have.' }),
  NODETOOL_MAX_CONCURRENT_RUNS: integer({ default: 32, min: 1, readBy: ['server'], doc: 'Runs at once; more wait in a FIFO queue.' }),
  NODETOOL_MAX_QUEUED_RUNS: integer({ default: 1000, min: 0, readBy: ['server'], doc: 'Runs that may wait in the queue; more are refused with 429.' }),
  NODETOOL_WS_MAX_BUFFERED_BYTES: integer({
    default: 16 * MiB,
    min: 1024,
    unit: 'bytes',
    readBy: ['server'],
    doc: 'A WebSocket client with more than this waiting for it (it stopped reading) is dropped.',
  }),
  NODETOOL_SHUTDOWN_TIMEOUT_MS: integer({
    default: 10_000,
    min: 0,
    unit: 'milliseconds',
    readBy: ['server'],
    doc: 'How long SIGTERM waits for runs in flight before it fails them and exits.',
  }),
  NODETOOL_LOG_LEVEL: choice({
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    readBy: ['server'],
    doc: 'The least severe log lines written; `debug` adds a line per node execution.',
  }),
  NODETOOL_LOG_FORMAT: choice({
    values: ['auto', 'json', 'pretty'],
    default: 'auto',
    readBy: ['server'],
    doc: 'Log lines as JSON (one object a line, for log shippers) or readable; `auto`: readable on a terminal, JSON otherwise.',
  }),
  NODETOOL_LOG_REQUESTS: flag({ default: false, readBy: ['server'], doc: '1: a log line per HTTP request (method, path without its query, status, time).' }),
  NODETOOL_METRICS_PORT: integer({
    min: 1,
    max: 65_535,
    readBy: ['server'],
    defaultText: 'none',
    doc: 'Also serve `/metrics` on this port of 127.0.0.1, without the server token (for a Prometheus on the same host); `/metrics` on the main port stays behind the token.',
  }),
  NODETOOL_REQUIRE_WORKER: flag({
    default: true,
    readBy: ['server'],
    doc: '`/ready` answers 503 until at least one worker is connected; 0: ready without one (a server that runs only TS nodes, or rents its workers on demand).',
  }),
  NODETOOL_WORKER_WAIT_MS: integer({
    default: 60_000,
    min: 0,
    unit: 'milliseconds',
    readBy: ['server'],
    doc: 'How long a queued run waits while no connected worker offers its nodes.',
  }),
  NODETOOL_LOCAL_WORKER: flag({
    default: true,
    readBy: ['server'],
    doc: '0: with no worker configured, start no local one (a server of rented workers only).',
  }),
  NODETOOL_MODEL_KEEP_ALIVE: text({
    default: '5m',
    readBy: ['server', 'cli'],
    doc: 'How long a run’s models stay loaded after it (Ollama’s syntax: 30s, 1h30m, 0, -1 until evicted).',
  }),
  NODETOOL_WORKER_SECRETS: list({
    default: ['HF_TOKEN'],
    readBy: ['server', 'cli'],
    doc: 'The settings Python nodes may receive, over confidential links only.',
  }),
  HF_TOKEN: text({ readBy: ['server', 'cli'], secret: true, doc: 'The Hugging Face token gated models need; sent to nodes per NODETOOL_WORKER_SECRETS.' }),
  // Assets: binary results and uploads
  NODETOOL_ASSETS_DIR: text({
    readBy: ['server'],
    defaultText: 'assets/ next to NODETOOL_DB',
    doc: 'The folder assets are kept in (the default storage; it needs no service).',
  }),
  NODETOOL_ASSET_INLINE_MAX_BYTES: integer({
    default: 0,
    min: 0,
    unit: 'bytes',
    readBy: ['server'],
    doc: 'Binary results up to this size stay in the job record as base64; larger ones (all, at 0) become assets.',
  }),
  NODETOOL_MAX_ASSET_BYTES: integer({ default: 8 * 1024 * MiB, min: 1, unit: 'bytes', readBy: ['server'], doc: 'The largest asset one result may make.' }),
  NODETOOL_MAX_RUN_ASSET_BYTES: integer({
    default: 32 * 1024 * MiB,
    min: 1,
    unit: 'bytes',
    readBy: ['server'],
    doc: 'The most bytes of assets one run may make.',
  }),
  NODETOOL_MAX_UPLOAD_BYTES: integer({
    default: 2 * 1024 * MiB,
    min: 1,
    unit: 'bytes',
    readBy: ['server'],
    doc: 'The largest upload (POST /api/assets), apart from the JSON body limit.',
  }),
  ASSET_BUCKET: text({
    readBy: ['server'],
    defaultText: 'unset: the folder',
    doc: 'nodetool’s name: the S3 bucket assets go to (a path starting with / or . is a folder instead).',
  }),
  ASSET_DOMAIN: text({
    readBy: ['server'],
    doc: 'nodetool’s name: the bucket is public at https://<domain>/; readers are sent there instead of to a presigned URL.',
  }),
  S3_ENDPOINT_URL: text({ readBy: ['server'], defaultText: 'AWS', doc: 'An S3-compatible server (MinIO, R2, moto) instead of AWS.' }),
  S3_REGION: text({ readBy: ['server'], defaultText: '$AWS_REGION, else us-east-1', doc: 'The bucket’s region.' }),
  S3_ACCESS_KEY_ID: text({
    readBy: ['server'],
    secret: true,
    defaultText: 'the AWS chain',
    doc: 'The bucket’s key id (else AWS_ACCESS_KEY_ID, a profile or an instance role); never sent to a worker.',
  }),
  S3_SECRET_ACCESS_KEY: text({ readBy: ['server'], secret: true, defaultText: 'the AWS chain', doc: 'Its secret; never sent to a worker, never logged.' }),
  AWS_ACCESS_KEY_ID: text({ readBy: ['server'], secret: true, doc: 'Read by the AWS SDK when S3_ACCESS_KEY_ID is unset; never sent to a worker.' }),
  AWS_SECRET_ACCESS_KEY: text({ readBy: ['server'], secret: true, doc: 'Its secret; never sent to a worker, never logged.' }),
  AWS_SESSION_TOKEN: text({ readBy: ['server'], secret: true, doc: 'A temporary credential’s token, for the SDK; never sent to a worker.' }),
  AWS_REGION: text({ readBy: ['server'], doc: 'The region, when S3_REGION is unset.' }),
  NODETOOL_RETENTION: text({
    readBy: ['server'],
    defaultText: 'keep everything',
    doc: 'Delete finished runs older than an age (30d, 12h) or beyond the newest so many (1000), with the assets nothing else holds, in the folder and the bucket.',
  }),
  NODETOOL_RETENTION_INTERVAL_MS: integer({ default: 600_000, min: 1000, unit: 'milliseconds', readBy: ['server'], doc: 'How often retention sweeps.' }),
  NODETOOL_OFFLOAD_MIN_BYTES: integer({
    default: 1024 * 1024,
    min: 1,
    unit: 'bytes',
    readBy: ['server'],
    doc: 'With a bucket: results and inputs from this size go between worker and bucket directly (presigned URLs), never across the worker link.',
  }),
  NODETOOL_ASSET_SERVE: choice({
    values: ['redirect', 'stream'],
    default: 'redirect',
    readBy: ['server'],
    doc: 'With a bucket: answer GET /api/assets/:id with a presigned redirect, or stream the bytes through the server.',
  }),
  NODETOOL_ASSET_URL_TTL_SECONDS: integer({
    default: 300,
    min: 10,
    max: 7 * 24 * 3600,
    unit: 'seconds',
    readBy: ['server'],
    doc: 'How long a presigned URL works (a redirect, a worker’s input or upload).',
  }),
  // Renting workers
  NODETOOL_COST_GUARD_INTERVAL_MS: integer({
    default: 30_000,
    min: 100,
    unit: 'milliseconds',
    readBy: ['server'],
    doc: 'How often the cost guard checks rented workers.',
  }),
  NODETOOL_RECONCILE_INTERVAL_MS: integer({
    default: 600_000,
    min: 1000,
    unit: 'milliseconds',
    readBy: ['server'],
    doc: 'How often instances at the providers are compared with the server’s.',
  }),
  NODETOOL_RENT_ORPHANS: choice({
    values: ['report', 'stop'],
    default: 'report',
    readBy: ['server'],
    doc: 'What to do with an instance of ours the server does not know.',
  }),
  NODETOOL_RENT_BOOT_TIMEOUT_MS: integer({
    default: 1_200_000,
    min: 1000,
    unit: 'milliseconds',
    readBy: ['server'],
    doc: 'How long a new rented worker may take to answer before it is destroyed.',
  }),
  NODETOOL_RENT_MAX_INSTANCES: integer({ default: 4, min: 1, max: 1000, readBy: ['server'], doc: 'Live rented instances at once, across profiles.' }),
  RUNPOD_API_KEY: text({ readBy: ['server', 'cli'], secret: true, doc: 'RunPod’s API key (a profile may name another NODETOOL_*_API_KEY).' }),
  VAST_API_KEY: text({ readBy: ['server', 'cli'], secret: true, doc: 'Vast.ai’s API key (a profile may name another NODETOOL_*_API_KEY).' }),
  NODETOOL_RUNPOD_API_URL: text({
    default: 'https://api.runpod.io/graphql',
    readBy: ['server', 'cli'],
    doc: 'RunPod’s GraphQL endpoint (tests point it at a fixture).',
  }),
  NODETOOL_VAST_API_URL: text({ default: 'https://console.vast.ai', readBy: ['server', 'cli'], doc: 'Vast.ai’s server (tests point it at a fixture).' }),
  // The link to the workers (the bridge, in the server and the CLI)
  NODETOOL_WORKER_URL: list({
    readBy: ['bridge'],
    defaultText: 'none: a local stdio worker',
    doc: 'The worker(s): ws://, wss://, runpod://<pod>, vast://<instance>; several comma-separated.',
  }),
  NODETOOL_WORKERS_FILE: text({ readBy: ['bridge'], doc: 'A YAML or JSON list of workers, each with its own token, labels and limit.' }),
  NODETOOL_WORKER_DISCOVERY: choice({
    values: ['dns'],
    readBy: ['bridge'],
    defaultText: 'off',
    doc: '`dns`: every address NODETOOL_WORKER_URL’s host resolves to is a worker.',
  }),
  NODETOOL_WORKER_DISCOVERY_INTERVAL_MS: integer({
    default: 10_000,
    min: 1,
    unit: 'milliseconds',
    readBy: ['bridge'],
    doc: 'How often DNS discovery resolves the name again.',
  }),
  NODETOOL_WORKER_DNS_SERVER: text({ readBy: ['bridge'], defaultText: 'the system’s', doc: 'The resolver DNS discovery asks (host or host:port).' }),
  NODETOOL_WORKER_MAX_CONCURRENT_RUNS: integer({ min: 1, readBy: ['bridge'], defaultText: 'no limit', doc: 'Runs each worker takes at once.' }),
  NODETOOL_WORKER_TOKEN: text({
    readBy: ['bridge', 'image'],
    secret: true,
    doc: 'The worker’s bearer token, the same on both ends; a worker without one refuses to start.',
  }),
  NODETOOL_WORKER_TOKEN_FILE: text({ readBy: ['bridge', 'image'], doc: 'A file holding the worker token, read again before every reconnect.' }),
  NODETOOL_WORKER_TLS_FINGERPRINT: text({ readBy: ['bridge'], doc: 'The SHA-256 of the worker’s certificate to pin (wss:// only; the worker logs it).' }),
  NODETOOL_WORKER_CA: text({ readBy: ['bridge'], doc: 'A PEM file of the CA that signed the worker’s certificate (wss:// only).' }),
  NODETOOL_WORKER_ALLOW_PLAINTEXT: flag({
    default: false,
    readBy: ['bridge'],
    doc: '1: send the worker token over plain ws:// to a public address (never needed on a private network).',
  }),
  NODETOOL_PYTHON: text({ readBy: ['bridge'], defaultText: 'the worker environment, then python3', doc: 'The interpreter of a local stdio worker.' }),
  NODETOOL_WORKER_VENV: text({ readBy: ['bridge', 'image'], defaultText: 'apps/worker/.venv', doc: 'The Python environment a local worker runs from.' }),
  NODETOOL_PYTHON_EXECUTE_TIMEOUT_MS: integer({
    default: 720_000,
    min: 0,
    unit: 'milliseconds',
    note: '0 turns it off',
    readBy: ['bridge'],
    doc: 'How long one node may run on the worker before it is cancelled.',
  }),
  NODETOOL_BRIDGE_MAX_FRAME_SIZE: integer({
    default: 268_435_456,
    min: 1,
    max: 0xffff_ffff,
    unit: 'bytes',
    readBy: ['bridge'],
    doc: 'The largest frame either way; keep it equal to the worker’s.',
  }),
  // The CLI
  NODETOOL_SERVER_URL: text({
    default: 'http://127.0.0.1:7777',
    readBy: ['cli'],
    doc: 'The server `nodetool worker create|list|…` and `worker profile` talk to (--server).',
  }),
  // The worker image (its entrypoint and scripts)
  NODETOOL_WORKER_HOST: text({ default: '0.0.0.0', readBy: ['image'], doc: 'The address the worker listens on in its container (worker:serve: 127.0.0.1).' }),
  NODETOOL_WORKER_PORT: integer({ default: 7777, min: 1, max: 65_535, readBy: ['image'], doc: 'The worker’s port (worker:serve: 8787).' }),
  NODETOOL_WORKER_PORT_ENV: text({
    readBy: ['image'],
    doc: 'The name of a variable that holds the port, for platforms that pick it (Vast.ai: VAST_TCP_PORT_70000).',
  }),
  NODETOOL_WORKER_ALLOW_OPEN: flag({ default: false, readBy: ['image'], doc: '1: start a worker without a token (loopback or a private network only).' }),
  NODETOOL_WORKER_TLS: choice({
    values: ['self-signed', 'off'],
    readBy: ['image'],
    defaultText: 'off',
    doc: '`self-signed`: serve wss:// with a certificate made at first start.',
  }),
  NODETOOL_WORKER_TLS_CERT: text({ readBy: ['image'], doc: 'A certificate file to serve wss:// with (and NODETOOL_WORKER_TLS_KEY).' }),
  NODETOOL_WORKER_TLS_KEY: text({ readBy: ['image'], doc: 'The key file of NODETOOL_WORKER_TLS_CERT.' }),
  NODETOOL_WORKER_TLS_CERT_PEM: text({ readBy: ['image'], doc: 'The certificate as a value (how a rented worker receives the one the server pins).' }),
  NODETOOL_WORKER_TLS_KEY_PEM: text({ readBy: ['image'], secret: true, doc: 'Its key as a value.' }),
  NODETOOL_WORKER_TLS_DIR: text({
    default: '/app/tls',
    readBy: ['image'],
    doc: 'Where the certificate and key are written (a volume keeps a self-signed one across restarts).',
  }),
  NODETOOL_WORKER_TLS_INNER_PORT: integer({
    default: 17_777,
    min: 1,
    max: 65_535,
    readBy: ['image'],
    doc: 'The worker’s own port behind the TLS terminator (stunnel), on the container’s loopback.',
  }),
  // The released Python worker (nodetool-core) reads these two itself.
  NODETOOL_WORKER_NAMESPACES: list({
    readBy: ['worker'],
    defaultText: 'every installed package',
    doc: 'The node namespaces the worker loads (huggingface, fixtures).',
  }),
  NODETOOL_WORKER_JOB_TTL_SECONDS: integer({
    default: 1800,
    min: 1,
    unit: 'seconds',
    readBy: ['worker'],
    doc: 'The worker’s own backstop: a job with no activity this long is ended.',
  }),
  HF_HOME: text({ default: '/app/huggingface', readBy: ['image'], doc: 'The model cache (a volume in compose and on rented workers).' }),
} as const;

export type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
