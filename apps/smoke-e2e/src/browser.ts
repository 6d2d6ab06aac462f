import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '@nt/test-fixtures';

/** The installed browser tools/browser/find-chromium.sh names (the one list of places to look). */
function executablePath(): string {
  try {
    return execFileSync('bash', [join(REPO_ROOT, 'tools', 'browser', 'find-chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    throw new Error(`no Chromium found: ${(error as { stderr?: string }).stderr?.trim() ?? String(error)}`, { cause: error });
  }
}

/** A system Chromium, headless, with the flags a closed network needs; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: executablePath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
