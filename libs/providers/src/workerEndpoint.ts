/** Where a worker listens now: the public side of its port mapping. */
export interface WorkerEndpoint {
  host: string;
  port: number;
}

/** The worker's URL at an endpoint: ws://, or wss:// when the image serves TLS on its port. */
export function endpointUrl(endpoint: WorkerEndpoint, tls: boolean): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${tls ? 'wss' : 'ws'}://${host}:${endpoint.port}`;
}
