import nx from '@nx/eslint-plugin';

/**
 * The house rules Nx enforces: which project may import which (by `scope:` tags, from the contract at
 * the bottom up to the apps), and test fixtures (`type:fixture`) only from tests, benches and the
 * `testing/` helpers. A library that imports a higher layer, or product code that imports a fixture,
 * fails `nx run-many -t lint`.
 */
// At the bottom, beside the contract: Node-only building blocks with no project dependency of their own
// (settings declarations, certificates), usable by every layer that runs on Node.
const base = ['scope:node', 'scope:contract'];
const layers = [
  { sourceTag: 'scope:contract', onlyDependOnLibsWithTags: ['scope:contract'] },
  { sourceTag: 'scope:node', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:bridge', onlyDependOnLibsWithTags: [...base] },
  { sourceTag: 'scope:dsl', onlyDependOnLibsWithTags: ['scope:contract'] },
  // The providers (one folder each, a registry): their APIs over the bridge's errors and locator seam, nothing above.
  { sourceTag: 'scope:providers', onlyDependOnLibsWithTags: ['scope:bridge', ...base] },
  // The runtime reads the providers' key names only, for the never-send list.
  { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:providers', 'scope:bridge', ...base] },
  // Renting workers, provider-neutral: profiles and the cost guard over the providers' registry and clients.
  { sourceTag: 'scope:provisioning', onlyDependOnLibsWithTags: ['scope:providers', 'scope:bridge', ...base] },
  { sourceTag: 'scope:runner', onlyDependOnLibsWithTags: ['scope:runtime', 'scope:providers', 'scope:bridge', ...base, 'scope:dsl'] },
  // The data layer (both databases, the stores): what the server and `nodetool db` share; it reads profiles' types.
  { sourceTag: 'scope:data', onlyDependOnLibsWithTags: ['scope:provisioning', 'scope:providers', 'scope:bridge', ...base] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:data', 'scope:runtime', 'scope:provisioning', 'scope:providers', 'scope:bridge', ...base] },
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:data', 'scope:runtime', 'scope:provisioning', 'scope:providers', 'scope:bridge', ...base, 'scope:dsl'],
  },
  // The browser bundle: the contract and nothing that runs on Node.
  { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:contract'] },
  { sourceTag: 'scope:fixtures', onlyDependOnLibsWithTags: [...base] },
  // The release tooling reads its own tag format and nothing of ours.
  { sourceTag: 'scope:release', onlyDependOnLibsWithTags: [] },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['scope:runner', 'scope:runtime', 'scope:providers', 'scope:bridge', ...base, 'scope:dsl', 'scope:server', 'scope:release'],
  },
];
const withFixtures = layers.map((rule) => ({ ...rule, onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'scope:fixtures'] }));
const testFiles = [
  '**/*.spec.ts',
  '**/*.integration.ts',
  '**/*.e2e.ts',
  '**/testing/**/*.ts',
  '**/bench/**/*.ts',
  '**/*.globalSetup.ts',
  'apps/smoke-e2e/src/**/*.ts',
];

// NODETOOL_ settings are read through libs/settings (readSetting, readToken): declared once, checked,
// documented. A direct read elsewhere is refused; setting or deleting one (a child's environment) is fine.
const notAWrite = ":not(AssignmentExpression > MemberExpression.left):not(UnaryExpression[operator='delete'] > MemberExpression)";
// An environment: process.env (or any `.env`), or a variable named env / …Env.
const anEnvironment = ["[object.property.name='env']", '[object.name=/^(env|[a-z]+Env)$/]'];
const settingReads = {
  'no-restricted-syntax': [
    'error',
    ...anEnvironment
      .flatMap((environment) => [
        `MemberExpression${environment}[computed=true][property.value=/^NODETOOL_/]${notAWrite}`,
        `MemberExpression${environment}[computed=false][property.name=/^NODETOOL_/]${notAWrite}`,
      ])
      .map((selector) => ({ selector, message: 'read NODETOOL_ settings with readSetting() from @nt/settings (libs/settings/src/settings.ts declares them)' })),
  ],
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist/**',
      '**/out-tsc/**',
      '**/node_modules/**',
      '**/.nx/**',
      'apps/worker/**',
      'libs/providers/oracle/**',
      'libs/test-fixtures/s3/.venv/**',
      '**/*.tsbuildinfo',
      '**/vite.config.*.timestamp*',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: layers }],
      // A library's own fixtures sit behind its `./testing` export (`@nt/providers/testing`): tests only.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nt/*/testing'], message: 'test fixtures are for tests, benches and testing/ helpers only' }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: withFixtures }],
      'no-restricted-imports': 'off',
      // Tests read loosely shaped JSON answers; `any` there is an assertion target, not a type hole.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    // libs/settings is the reader; the release tooling, the images' suites and the web's Vite config may not import it.
    ignores: ['libs/settings/**', 'apps/image-release/**', 'apps/images-e2e/**', 'apps/web/vite.config.ts'],
    rules: settingReads,
  },
  {
    // No product function over 80 lines: one that grows is split into named steps (issues 19 and 27), and
    // lint keeps it so. Tests, fixtures, the e2e suites and benches read as scripts and are left alone.
    files: ['apps/*/src/**/*.ts', 'apps/web/src/**/*.tsx', 'libs/*/src/**/*.ts'],
    ignores: [...testFiles, 'libs/test-fixtures/**', 'apps/images-e2e/**', 'apps/smoke-e2e/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
];
