import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The first installed browser (CHROMIUM_PATH, Debian's chromium, Chrome); tools/browser/ensure-chromium.sh installs one. */
function executablePath(): string {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) throw new Error('no Chromium found: run tools/browser/ensure-chromium.sh (installs Debian\'s chromium)');
  return found;
}

/** A system Chromium, headless, with the flags a closed network needs; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: executablePath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
