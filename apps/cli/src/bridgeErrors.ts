import { ConfigError, WorkerAuthError, WorkerUnreachableError } from '@nt/bridge';
import { EXIT, type ExitCode } from './exitCodes.js';

/** Maps a bridge failure to the documented exit code. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ConfigError) return EXIT.usage;
  if (error instanceof WorkerAuthError) return EXIT.tokenRejected;
  if (error instanceof WorkerUnreachableError) return EXIT.unreachable;
  return EXIT.failed;
}
