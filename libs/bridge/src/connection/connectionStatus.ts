import type { BridgeError } from '../errors.js';

/**
 * idle → connecting → connected ⇄ reconnecting, ending in one of two sticky states:
 * `closed` (the owner closed the bridge) or `failed` (it gave up: out of attempts or time, or the
 * link was lost with reconnecting turned off). Nothing leaves a sticky state; a new bridge is needed.
 * A first connect that fails without retrying returns to `idle`, so connect() may be called again.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

/** The one view of the connection every consumer reads (the server maps it to its health). */
export interface ConnectionStatus {
  state: ConnectionState;
  /** While reconnecting: the attempt about to be made, and when (epoch ms). */
  attempt?: number;
  nextRetryAt?: number;
  /** The failure that led here (a lost link, a refused attempt); its message never holds a token. */
  lastError?: BridgeError;
  /** The last attempt met HTTP 401: the token is what must change. */
  tokenRejected: boolean;
}

const NEXT: Record<ConnectionState, ReadonlySet<ConnectionState>> = {
  idle: new Set(['connecting', 'closed']),
  connecting: new Set(['connected', 'reconnecting', 'idle', 'failed', 'closed']),
  connected: new Set(['reconnecting', 'failed', 'closed']),
  reconnecting: new Set(['reconnecting', 'connected', 'failed', 'closed']),
  closed: new Set(),
  failed: new Set(),
};

export function isTerminal(state: ConnectionState): boolean {
  return NEXT[state].size === 0;
}

/** Holds the status and refuses transitions the diagram does not have. */
export class ConnectionStatusMachine {
  private current: ConnectionStatus = { state: 'idle', tokenRejected: false };

  constructor(private readonly onChange: (status: ConnectionStatus, previous: ConnectionStatus) => void) {}

  get status(): ConnectionStatus {
    return this.current;
  }

  /** Moves to `next`; false (and no change) when the diagram has no such edge, e.g. out of a sticky state. */
  transition(state: ConnectionState, details: Omit<Partial<ConnectionStatus>, 'state'> = {}): boolean {
    if (!NEXT[this.current.state].has(state)) return false;
    const previous = this.current;
    this.current = { state, tokenRejected: details.tokenRejected ?? false, ...details };
    if (state === 'connected' || state === 'idle') {
      delete this.current.attempt;
      delete this.current.nextRetryAt;
    }
    this.onChange(this.current, previous);
    return true;
  }
}
