// The layer rules of eslint.config.mjs, proven on probe files: a library importing a higher layer, the
// web bundle importing Node code, and product code importing a test fixture must each fail the lint;
// the allowed directions must pass. (node --test; nx run repo-lint:boundaries)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(path, source) {
  const [result] = await eslint.lintText(source, { filePath: path });
  return result.messages
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries' || message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

const cases = [
  [
    'protocol (the contract) importing the runtime',
    'libs/protocol/src/probe.ts',
    `import { runWorkflow } from '@nt/runtime';\nexport const x = runWorkflow;\n`,
    false,
  ],
  ['the bridge importing the runtime', 'libs/bridge/src/probe.ts', `import { runWorkflow } from '@nt/runtime';\nexport const x = runWorkflow;\n`, false],
  ['the runtime importing the server', 'libs/runtime/src/probe.ts', `import { startServer } from '@nt/server';\nexport const x = startServer;\n`, false],
  [
    'the web bundle importing the bridge (Node code)',
    'apps/web/src/probe.ts',
    `import { createPythonBridge } from '@nt/bridge';\nexport const x = createPythonBridge;\n`,
    false,
  ],
  [
    'library code importing a test fixture',
    'libs/runtime/src/probe.ts',
    `import { startFakeWorker } from '@nt/test-fixtures';\nexport const x = startFakeWorker;\n`,
    false,
  ],
  [
    "server code importing a provider's test fixture",
    'apps/server/src/probe.ts',
    `import { startFixtureProviderApi } from '@nt/providers/testing';\nexport const x = startFixtureProviderApi;\n`,
    false,
  ],
  [
    'the bridge importing the providers (it knows none)',
    'libs/bridge/src/probe.ts',
    `import { providerLocator } from '@nt/providers';\nexport const x = providerLocator;\n`,
    false,
  ],
  [
    "an integration suite importing a provider's test fixture",
    'apps/server/src/probe.integration.ts',
    `import { startFixtureProviderApi } from '@nt/providers/testing';\nexport const x = startFixtureProviderApi;\n`,
    true,
  ],
  [
    'the runtime importing the bridge',
    'libs/runtime/src/probe.ts',
    `import { createPythonBridge } from '@nt/bridge';\nexport const x = createPythonBridge;\n`,
    true,
  ],
  [
    'the web bundle importing the contract',
    'apps/web/src/probe.ts',
    `import type { WorkerHealth } from '@nt/api-contract';\nexport type X = WorkerHealth;\n`,
    true,
  ],
  [
    'a spec importing a test fixture',
    'libs/runtime/src/probe.spec.ts',
    `import { startFakeWorker } from '@nt/test-fixtures';\nexport const x = startFakeWorker;\n`,
    true,
  ],
];

for (const [what, path, source, allowed] of cases) {
  test(`${allowed ? 'allows' : 'refuses'} ${what}`, async () => {
    const errors = await boundaryErrors(path, source);
    if (allowed) assert.deepEqual(errors, []);
    else assert.ok(errors.length > 0, `expected a module-boundary error for ${path}`);
  });
}

// NODETOOL_ settings are read through libs/settings: a direct read of an environment is refused, in product
// code and tests alike; writing or deleting one (a child's environment) is not a read.
async function settingReadErrors(path, source) {
  const [result] = await eslint.lintText(source, { filePath: path });
  return result.messages.filter((message) => message.ruleId === 'no-restricted-syntax').map((message) => message.message);
}

const settingCases = [
  ['process.env read by its name', 'apps/server/src/probe.ts', `export const x = process.env['NODETOOL_SERVER_URL'];\n`, false],
  ['process.env read as a property', 'libs/runtime/src/probe.ts', `export const x = process.env.NODETOOL_WORKER_URL;\n`, false],
  ['an env parameter read', 'apps/cli/src/probe.ts', `export const x = (env: NodeJS.ProcessEnv) => env['NODETOOL_PYTHON'];\n`, false],
  ['a test reading its environment', 'apps/server/src/probe.integration.ts', `export const x = process.env['NODETOOL_DB'];\n`, false],
  ['readSetting', 'apps/server/src/probe.ts', `import { readSetting } from '@nt/settings';\nexport const x = readSetting(process.env, 'NODETOOL_DB');\n`, true],
  [
    'a child environment written and deleted',
    'apps/cli/src/probe.integration.ts',
    `const childEnv: NodeJS.ProcessEnv = {};\nchildEnv['NODETOOL_DB'] = 'x';\ndelete childEnv['NODETOOL_PYTHON'];\nexport {};\n`,
    true,
  ],
  ['the release tooling, which may not import libs/settings', 'apps/image-release/src/probe.ts', `export const x = process.env['NODETOOL_REGISTRY'];\n`, true],
];

for (const [what, path, source, allowed] of settingCases) {
  test(`${allowed ? 'allows' : 'refuses'} ${what}`, async () => {
    const errors = await settingReadErrors(path, source);
    if (allowed) assert.deepEqual(errors, []);
    else
      assert.ok(
        errors.some((message) => message.includes('readSetting')),
        `expected a setting-read error for ${path}`,
      );
  });
}

// No product function over 80 lines (blank lines and comments aside); tests and fixtures are not held to it.
const longFunction = `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(80)}  return n;\n}\n`;
const lengthCases = [
  ['a server function of 82 lines', 'apps/server/src/probe.ts', false],
  ['a library function of 82 lines', 'libs/bridge/src/probe.ts', false],
  ['a spec of 82 lines', 'apps/server/src/probe.spec.ts', true],
  ['a fixture of 82 lines', 'libs/test-fixtures/src/probe.ts', true],
];

for (const [what, path, allowed] of lengthCases) {
  test(`${allowed ? 'allows' : 'refuses'} ${what}`, async () => {
    const [result] = await eslint.lintText(longFunction, { filePath: path });
    const errors = result.messages.filter((message) => message.ruleId === 'max-lines-per-function');
    if (allowed) assert.deepEqual(errors, []);
    else assert.equal(errors.length, 1, `expected a function-length error for ${path}`);
  });
}
