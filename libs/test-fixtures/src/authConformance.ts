import { describe, expect, it } from 'vitest';
import { HANDSHAKE_CASES } from './handshakeCases.js';
import { probeHandshake } from './probeHandshake.js';
import { UNAUTHORIZED_BODY } from './tokenGate.js';

export interface StartedWorker {
  url: string;
  stop(): Promise<void>;
}

/** Starts a worker that requires `token` (or none when undefined) and reports its ws:// URL. */
export type StartWorker = (token: string | undefined) => Promise<StartedWorker>;

/**
 * Registers the token conformance suite for one worker implementation: every
 * handshake case against a worker with a token, and an open worker without one.
 */
export function describeAuthConformance(label: string, startWorker: StartWorker, options: { timeoutMs?: number } = {}): void {
  const token = `conformance-${Math.random().toString(36).slice(2)}`;
  const timeout = options.timeoutMs ?? 60_000;

  describe(`${label}: token handshake`, () => {
    it(
      'answers every case of the handshake table as the contract says',
      async () => {
        const worker = await startWorker(token);
        try {
          for (const testCase of HANDSHAKE_CASES) {
            const url = worker.url + (testCase.urlSuffix?.(token) ?? '');
            const outcome = await probeHandshake(url, testCase.headers(token));
            const verdict = outcome.status === 101 ? 'accepted' : 'rejected';
            // Compare a case label, never the headers, so a failure cannot print the token.
            expect(`${testCase.name}: ${verdict}`).toBe(`${testCase.name}: ${testCase.expect}`);
            if (verdict === 'rejected') {
              expect({ case: testCase.name, status: outcome.status, body: outcome.body }).toEqual({
                case: testCase.name,
                status: 401,
                body: UNAUTHORIZED_BODY,
              });
            }
          }
        } finally {
          await worker.stop();
        }
      },
      timeout,
    );

    it(
      'accepts every handshake when no token is set',
      async () => {
        const worker = await startWorker(undefined);
        try {
          expect((await probeHandshake(worker.url, {})).status).toBe(101);
          expect((await probeHandshake(worker.url, { Authorization: 'Bearer anything' })).status).toBe(101);
        } finally {
          await worker.stop();
        }
      },
      timeout,
    );
  });
}
