import { ConfigError, TlsPinMismatchError, WorkerAuthError, WorkerUnreachableError } from '@nt/bridge';
import { EXIT, type ExitCode } from './exitCodes.js';

/** Maps a bridge failure to the documented exit code. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ConfigError) return EXIT.usage;
  if (error instanceof WorkerAuthError) return EXIT.tokenRejected;
  // A pin that does not match: no trustworthy worker is reachable at that address.
  if (error instanceof WorkerUnreachableError || error instanceof TlsPinMismatchError) return EXIT.unreachable;
  return EXIT.failed;
}
