import { readFileSync } from 'node:fs';
import { EXIT, type ExitCode } from './exitCodes.js';

/** A failure talking to the server, with the exit code it means. */
export class ServerCallError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export const SERVER_FLAGS_HELP = `Server: --server URL (else NODETOOL_SERVER_URL, else http://127.0.0.1:7777); its token from
        NODETOOL_SERVER_TOKEN or the file NODETOOL_SERVER_TOKEN_FILE names.`;

/**
 * The server's HTTP API for commands that manage what the server owns (profiles, rented workers).
 * The token goes in the Authorization header; it is never printed. An unreachable server is exit 3, a
 * refused token exit 4, a refused request carries the server's own message.
 */
export class ServerClient {
  private readonly token: string | null;

  constructor(
    readonly baseUrl: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const file = env['NODETOOL_SERVER_TOKEN_FILE'];
    let token = env['NODETOOL_SERVER_TOKEN'] ?? null;
    if (file) {
      try {
        token = readFileSync(file, 'utf8').trim();
      } catch (error) {
        throw new ServerCallError(
          EXIT.usage,
          `cannot read NODETOOL_SERVER_TOKEN_FILE ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    this.token = token?.trim() || null;
  }

  static fromFlags(server: string | undefined, env: NodeJS.ProcessEnv = process.env): ServerClient {
    const url = (server ?? env['NODETOOL_SERVER_URL'] ?? 'http://127.0.0.1:7777').replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+$/.test(url))
      throw new ServerCallError(EXIT.usage, `the server URL (--server or NODETOOL_SERVER_URL) must be http(s)://host:port, got ${JSON.stringify(url)}`);
    return new ServerClient(url, env);
  }

  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        // Every state-changing call is JSON, even without a body: the server refuses anything else (its CSRF defence).
        headers: { ...(method === 'GET' ? {} : { 'content-type': 'application/json' }), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const reason = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new ServerCallError(
        EXIT.unreachable,
        `cannot reach the server at ${this.baseUrl} (${reason}): start it (npx nx run server:serve) or point --server / NODETOOL_SERVER_URL at it`,
      );
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as T & { error?: string }) : (null as T);
    if (response.status === 401)
      throw new ServerCallError(EXIT.tokenRejected, `the server at ${this.baseUrl} needs its token: set NODETOOL_SERVER_TOKEN or NODETOOL_SERVER_TOKEN_FILE`);
    if (response.status >= 400) {
      const said = (parsed as { error?: string } | null)?.error ?? `HTTP ${response.status}`;
      throw new ServerCallError(
        response.status === 404 || response.status === 400 || response.status === 409 || response.status === 424 ? EXIT.usage : EXIT.failed,
        said,
      );
    }
    return { status: response.status, body: parsed };
  }
}
