import type { PythonBridgeOptions } from '@nt/bridge';
import type { Io } from './io.js';

/** The flags every command that talks to a worker accepts (parseArgs option specs). */
export const WORKER_FLAG_OPTIONS = {
  'worker-url': { type: 'string' },
  'token-file': { type: 'string' },
  'worker-token': { type: 'string' },
} as const;

export const WORKER_FLAGS_HELP = `Worker: --worker-url URL (else NODETOOL_WORKER_URL; unset: a local worker process)
        --token-file FILE (else NODETOOL_WORKER_TOKEN_FILE, or NODETOOL_WORKER_TOKEN)
        --worker-token TOKEN works too, but any user of this machine can read it in \`ps\`.`;

/**
 * Bridge options from the flags. A token on the command line still works but is visible to every user
 * of the machine (`ps`, shell history), so it earns a warning; the file and the environment do not.
 */
export function bridgeOptionsFromFlags(
  values: { 'worker-url'?: string; 'token-file'?: string; 'worker-token'?: string; token?: string; url?: string },
  io: Io,
): PythonBridgeOptions {
  const token = values['worker-token'] ?? values.token;
  if (token !== undefined) {
    io.err('nodetool: warning: a token given on the command line is visible to other users in `ps`; use NODETOOL_WORKER_TOKEN or --token-file');
  }
  return { wsUrl: values['worker-url'] ?? values.url, workerToken: token, workerTokenFile: values['token-file'] };
}
