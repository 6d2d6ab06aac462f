import { ApiError, apiContract, createClient, type ClientOf, type Transport } from '@nt/api-contract';
import { ConfigError, readSetting, readToken } from '@nt/settings';
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

export type ServerApi = ClientOf<typeof apiContract>;

/**
 * The server's HTTP API, typed from the contract (`api.rentedWorkers.stop({ params: { id } })`). The
 * token goes in the Authorization header and is never printed. An unreachable server is exit 3, a refused
 * token exit 4; any other refusal is an ApiError with the server's own message (exitCodeOf maps it).
 */
export function serverApi(server: string | undefined, env: NodeJS.ProcessEnv = process.env): { baseUrl: string; api: ServerApi; token: string | null } {
  const baseUrl = (server ?? readSetting(env, 'NODETOOL_SERVER_URL')).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(baseUrl))
    throw new ServerCallError(EXIT.usage, `the server URL (--server or NODETOOL_SERVER_URL) must be http(s)://host:port, got ${JSON.stringify(baseUrl)}`);
  const token = serverToken(env);
  const transport: Transport = async ({ method, path, body }) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        // Every state-changing call is JSON, even without a body: the server refuses anything else (its CSRF defence).
        headers: { ...(method === 'GET' ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body,
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const reason = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new ServerCallError(
        EXIT.unreachable,
        `cannot reach the server at ${baseUrl} (${reason}): start it (npx nx run server:serve) or point --server / NODETOOL_SERVER_URL at it`,
      );
    }
    if (response.status === 401)
      throw new ServerCallError(EXIT.tokenRejected, `the server at ${baseUrl} needs its token: set NODETOOL_SERVER_TOKEN or NODETOOL_SERVER_TOKEN_FILE`);
    const text = await response.text();
    try {
      return { status: response.status, body: text ? JSON.parse(text) : null };
    } catch {
      return { status: response.status, body: { error: `the server answered ${response.status} with something other than JSON` } };
    }
  };
  return { baseUrl, api: createClient(apiContract, transport), token };
}

/** The exit code and message of a failed server call, or null for an error that is not one. */
export function serverCallFailure(error: unknown): { exitCode: ExitCode; message: string } | null {
  if (error instanceof ServerCallError) return { exitCode: error.exitCode, message: error.message };
  if (!(error instanceof ApiError)) return null;
  // The request was wrong (no such profile, a field at fault, a cap reached, a missing provider key): a usage error.
  const usage = error.status === 400 || error.status === 404 || error.status === 409 || error.status === 424;
  return { exitCode: usage ? EXIT.usage : EXIT.failed, message: error.message };
}

/** NODETOOL_SERVER_TOKEN, or the file NODETOOL_SERVER_TOKEN_FILE names: the server's own rules (libs/settings). */
function serverToken(env: NodeJS.ProcessEnv): string | null {
  try {
    return readToken(env, 'NODETOOL_SERVER_TOKEN');
  } catch (error) {
    if (error instanceof ConfigError) throw new ServerCallError(EXIT.usage, error.message);
    throw error;
  }
}
