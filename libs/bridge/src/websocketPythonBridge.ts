import { tokenFromFileAgain } from '@nt/settings';
import { connect, isIP } from 'node:net';
import { ManagedBridge } from './connection/managedBridge.js';
import { isConfidentialWorkerUrl, isPrivateAddress, plaintextRefusal } from './linkSecurity.js';
import { resolveSettings, type PythonBridgeOptions } from './options.js';
import { describeUrl } from './redact.js';
import type { TransportListener } from './transport/transport.js';
import { WebsocketTransport } from './transport/websocketTransport.js';

export interface WebsocketBridgeOptions extends PythonBridgeOptions {
  wsUrl: string;
}

/**
 * A bridge to a running worker over WebSocket. Before every attempt it asks resolveUrl() where the
 * worker is now and reads the token (a token file may have been rotated). A token never goes over plain
 * ws:// to a public address unless `allowPlaintext` says so: an address is checked before connecting, a
 * name as it resolves (every address it resolves to must be private). It never spawns anything.
 */
export class WebsocketPythonBridge extends ManagedBridge {
  private url: string;

  constructor(private readonly options: WebsocketBridgeOptions) {
    const url = options.wsUrl.trim();
    super('websocket', resolveSettings(options, true), { target: describeUrl(url), confidential: isConfidentialWorkerUrl(url) });
    this.url = url;
  }

  protected async createTransport(listener: TransportListener): Promise<WebsocketTransport> {
    if (this.options.resolveUrl) this.url = (await this.options.resolveUrl('connect')).trim();
    const token = await this.currentToken();
    const guarded = Boolean(token) && !this.options.allowPlaintext && !isConfidentialWorkerUrl(this.url);
    if (guarded) {
      const host = hostOf(this.url);
      if (isIP(host) && !isPrivateAddress(host)) throw plaintextRefusal(describeUrl(this.url), host);
    }
    const { openTimeoutMs, maxFrameSize, keepalive } = this.settings;
    return new WebsocketTransport(
      {
        url: this.url,
        token,
        openTimeoutMs,
        maxFrameSize,
        keepalive,
        ca: this.options.ca,
        servername: this.options.tlsServername,
        fingerprint: this.options.tlsFingerprint,
        privateAddressesOnly: guarded,
      },
      listener,
    );
  }

  /** A bare TCP connect to the worker's host and port (where resolveUrl says it is now), closed at once. */
  protected override async probe(): Promise<boolean> {
    let target: URL;
    try {
      target = new URL(this.options.resolveUrl ? (await this.options.resolveUrl('probe')).trim() : this.url);
    } catch {
      // Not found (yet): the backoff paces the next full attempt, which reports why.
      return false;
    }
    const port = Number(target.port || (target.protocol === 'wss:' ? 443 : 80));
    const host = target.hostname.replace(/^\[|\]$/g, '');
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const done = (up: boolean) => {
        socket.destroy();
        resolve(up);
      };
      socket.setTimeout(Math.max(100, this.settings.reconnect.probeIntervalMs), () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  }

  /** The token for the next handshake: the option, or the token file read now (it may have been rotated). */
  private async currentToken(): Promise<string | undefined> {
    const file = this.options.workerTokenFile;
    if (!file) return this.options.workerToken || undefined;
    return tokenFromFileAgain(file, 'NODETOOL_WORKER_TOKEN');
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}
