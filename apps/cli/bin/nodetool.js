#!/usr/bin/env node
// Entry point of the `nodetool` command; the compiled CLI lives in ../dist.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('nodetool is not built yet: run `npx nx run cli:build` first\n');
  process.exit(2);
}
// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
