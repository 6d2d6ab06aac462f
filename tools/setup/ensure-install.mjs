// Installs the workspace (npm ci) when node_modules is missing, older than the lockfile, or
// installed without what this command needs, so `npm test` and `npm run smoke` work on a fresh
// clone as the first command.
//
//   node tools/setup/ensure-install.mjs            everything (npm test)
//   node tools/setup/ensure-install.mjs --smoke    all packages, but no native build: the smoke
//                                                  workflow runs in the CLI, which never opens SQLite,
//                                                  so compiling better-sqlite3 (no prebuilt binary is
//                                                  reachable here) is left for a later command
//   node tools/setup/ensure-install.mjs --native   what a command that opens SQLite needs (Nx target
//                                                  system-setup:native, before every server target):
//                                                  better-sqlite3 built, nothing reinstalled under Nx
//
// node_modules/.nodetool-install.json records what the last install did; a later full command
// finishes a smoke install with `npm rebuild` (the install scripts it skipped) instead of trusting
// the lockfile's age alone, and a --native one builds better-sqlite3 alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

const smokeOnly = process.argv.includes('--smoke');
const nativeOnly = process.argv.includes('--native');
const installed = 'node_modules/.package-lock.json';
const record = 'node_modules/.nodetool-install.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
const started = Date.now();

const done = existsSync(record) ? JSON.parse(readFileSync(record, 'utf8')) : { scripts: true };
const writeRecord = (fields) => writeFileSync(record, JSON.stringify({ ...done, ...fields, at: new Date().toISOString() }) + '\n');

if (nativeOnly) {
  // Under Nx, whose own files live in node_modules: never a reinstall, only the one build SQLite needs.
  if (stale) {
    process.stderr.write('node_modules is missing or older than package-lock.json: run `npm ci` (or `npm test`, which does it) first\n');
    process.exit(1);
  }
  if (done.scripts === false && !done.sqlite) {
    process.stderr.write('building better-sqlite3, which the smoke install skipped (npm rebuild better-sqlite3)…\n');
    execFileSync('npm', ['rebuild', 'better-sqlite3', '--no-audit', '--no-fund'], { stdio: 'inherit' });
    writeRecord({ sqlite: true });
  }
} else if (stale) {
  process.stderr.write(`installing the workspace (npm ci${smokeOnly ? ' --ignore-scripts: no native build for the smoke' : ''})…\n`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', ...(smokeOnly ? ['--ignore-scripts'] : [])], { stdio: 'inherit' });
  writeFileSync(record, JSON.stringify({ scripts: !smokeOnly, at: new Date().toISOString() }) + '\n');
} else if (!smokeOnly && done.scripts === false) {
  process.stderr.write('finishing the smoke install: the install scripts it skipped (npm rebuild)…\n');
  execFileSync('npm', ['rebuild', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  writeRecord({ scripts: true, sqlite: true });
}
if (Date.now() - started > 1000) process.stderr.write(`workspace ready in ${Math.round((Date.now() - started) / 1000)} s\n`);
