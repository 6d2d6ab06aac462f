import { systemSettings } from '@nt/providers';
import { redactSecrets } from '@nt/settings';

/** Where a command writes; tests pass collectors instead of the real streams. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Asks a yes/no question on a terminal; absent when there is no one to ask (a pipe, a script). */
  confirm?: (question: string) => Promise<boolean>;
}

// What a command prints can carry text we did not write (a provider's or an SDK's error): no key of
// ours, a provider's or a profile's, leaves in it.
const secrets = systemSettings(process.env);

export const processIo: Io = {
  out: (line) => process.stdout.write(`${redactSecrets(line, process.env, secrets)}\n`),
  err: (line) => process.stderr.write(`${redactSecrets(line, process.env, secrets)}\n`),
  ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askOnTerminal } : {}),
};

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
