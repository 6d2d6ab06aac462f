/** Where a command writes; tests pass collectors instead of the real streams. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Asks a yes/no question on a terminal; absent when there is no one to ask (a pipe, a script). */
  confirm?: (question: string) => Promise<boolean>;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
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
