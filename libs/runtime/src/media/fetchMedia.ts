import { readSetting } from '@nt/settings';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { isPublicAddress } from './publicAddress.js';

export interface FetchPolicy {
  /** Host names whose addresses are not checked (NODETOOL_FETCH_ALLOW_HOSTS): a fixture, an internal store. */
  allowHosts: readonly string[];
  /** From the request to the last byte (NODETOOL_FETCH_TIMEOUT_MS). */
  timeoutMs: number;
  /** The most bytes one fetch may bring (NODETOOL_MAX_ASSET_BYTES). */
  maxBytes: number;
  maxRedirects?: number;
}

/** A fetch of a workflow's media was refused or failed; the message names the URL and why. */
export class MediaFetchError extends Error {
  readonly code = 'RUN_ERR_MEDIA_FETCH';
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`fetching ${url} failed: ${reason}`);
    this.name = 'MediaFetchError';
  }
}

export interface FetchedMedia {
  /** The bytes as they arrive; errors (the byte limit, the timeout) end it. */
  body: Readable;
  contentType: string | null;
  /** Where the bytes came from after redirects. */
  url: string;
}

/**
 * Opens an http(s) URL of a workflow's media for the runner, never for the worker. Every address it
 * connects to must be public (checked in the socket's own lookup, so the address checked is the one
 * connected to, and again at every redirect), unless its host is in `allowHosts`; redirects at most
 * `maxRedirects` (5), to http(s) only; the whole fetch within `timeoutMs`; at most `maxBytes`.
 *
 * Written on node:http rather than fetch(): fetch has no hook at the point where a name has become
 * the address the socket will use, which is where a check cannot be raced (DNS rebinding).
 */
export async function openMedia(url: string, policy: FetchPolicy, signal?: AbortSignal): Promise<FetchedMedia> {
  const deadline = AbortSignal.timeout(policy.timeoutMs);
  const abort = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const target = new URL(current);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new MediaFetchError(url, `it redirected to ${JSON.stringify(current)}, which is not an http(s) URL`);
    }
    const allowed = policy.allowHosts.some((host) => host.toLowerCase() === target.hostname.toLowerCase());
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (!allowed && isIP(literal) && !isPublicAddress(literal)) throw new MediaFetchError(url, refusal(current, literal));
    const response = await get(target, allowed ? undefined : publicOnlyLookup(url, current), abort, url, policy);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (redirects >= (policy.maxRedirects ?? 5)) throw new MediaFetchError(url, `it redirected more than ${policy.maxRedirects ?? 5} times`);
      current = new URL(response.headers.location, target).toString();
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw new MediaFetchError(url, `the server answered HTTP ${status}${current !== url ? ` (at ${current})` : ''}`);
    }
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (declared > policy.maxBytes) {
      response.destroy();
      throw new MediaFetchError(url, `it is ${declared} bytes, above the ${policy.maxBytes} one asset may be (NODETOOL_MAX_ASSET_BYTES)`);
    }
    const body = limitTo(url, policy.maxBytes);
    // A body that breaks off (the deadline, a reset) ends the stream with an error naming the URL.
    response.on('error', () =>
      body.destroy(
        new MediaFetchError(
          url,
          abort.aborted && !signal?.aborted ? `it took longer than ${policy.timeoutMs} ms (NODETOOL_FETCH_TIMEOUT_MS)` : 'the download broke off',
        ),
      ),
    );
    body.on('error', () => response.destroy());
    response.pipe(body);
    return { body, contentType: response.headers['content-type'] ?? null, url: current };
  }
}

function get(target: URL, lookup: LookupFunction | undefined, signal: AbortSignal, url: string, policy: FetchPolicy): Promise<IncomingMessage> {
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(target, { method: 'GET', signal, ...(lookup ? { lookup } : {}), headers: { 'user-agent': 'nodetool-server' } }, resolve);
    outgoing.on('error', (error: Error & { code?: string }) => {
      if (error instanceof MediaFetchError) return reject(error);
      if (signal.aborted) {
        const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
        return reject(new MediaFetchError(url, timedOut ? `it took longer than ${policy.timeoutMs} ms (NODETOOL_FETCH_TIMEOUT_MS)` : 'the run was cancelled'));
      }
      reject(new MediaFetchError(url, `${target.host} could not be reached (${error.code ?? error.message})`));
    });
    outgoing.end();
  });
}

/** A lookup that connects only when every address the name resolves to is public. */
function publicOnlyLookup(url: string, current: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family as number | undefined, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const inside = addresses.find((entry) => !isPublicAddress(entry.address));
      if (inside) return callback(new MediaFetchError(url, refusal(current, inside.address)) as unknown as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

function refusal(at: string, address: string): string {
  const host = new URL(at).hostname.replace(/^\[|\]$/g, '');
  return (
    `${host === address ? address : `${host} is ${address}, which`} is not a public address (loopback, private, link-local or a cloud's metadata service); ` +
    `media are fetched only from public addresses (NODETOOL_FETCH_ALLOW_HOSTS names hosts exempt from this)`
  );
}

/** Passes bytes through until there are more than `maxBytes`, then fails naming the limit. */
function limitTo(url: string, maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > maxBytes) return done(new MediaFetchError(url, `it is over ${maxBytes} bytes, the most one asset may be (NODETOOL_MAX_ASSET_BYTES)`));
      done(null, chunk);
    },
  });
}

/** The fetch policy the settings give: NODETOOL_FETCH_ALLOW_HOSTS, NODETOOL_FETCH_TIMEOUT_MS, NODETOOL_MAX_ASSET_BYTES. */
export function fetchPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): FetchPolicy {
  return {
    allowHosts: readSetting(env, 'NODETOOL_FETCH_ALLOW_HOSTS'),
    timeoutMs: readSetting(env, 'NODETOOL_FETCH_TIMEOUT_MS'),
    maxBytes: readSetting(env, 'NODETOOL_MAX_ASSET_BYTES'),
  };
}
