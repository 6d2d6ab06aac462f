import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, settingsTable } from '@nt/settings';
import { providerSettings, systemSettings } from './providerSettings.js';
import { PROVIDERS } from './registry.js';

const README = new URL('../../../README.md', import.meta.url);
const START = '<!-- settings-table: generated from libs/settings and the provider registry; checked by providerSettings.spec.ts -->';
const END = '<!-- settings-table: end -->';

describe('the providers’ settings', () => {
  it('declare each provider’s key as a secret and its API’s URL with the provider’s default', () => {
    const declared = providerSettings();
    for (const provider of PROVIDERS) {
      expect(declared[provider.keyVariable], provider.name).toMatchObject({ kind: 'text', secret: true });
      expect(declared[provider.api.urlVariable], provider.name).toMatchObject({ kind: 'text', default: provider.api.defaultUrl });
      expect(declared[provider.api.urlVariable]?.secret, provider.name).toBeFalsy();
      // Declared once: libs/settings names no provider.
      expect(Object.hasOwn(SETTINGS, provider.keyVariable), provider.keyVariable).toBe(false);
    }
  });

  it('add each NODETOOL_*_API_KEY set (a profile’s key) as a secret, and nothing else from the environment', () => {
    const settings = systemSettings({ NODETOOL_TEAM_API_KEY: 'x', OPENAI_API_KEY: 'y', NODETOOL_TEAM_KEY: 'z' });
    expect(settings['NODETOOL_TEAM_API_KEY']?.secret).toBe(true);
    expect(settings['OPENAI_API_KEY']).toBeUndefined();
    expect(settings['NODETOOL_TEAM_KEY']).toBeUndefined();
  });

  it('are in the README’s settings table with the declared ones, row for row', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    expect(start, `README.md has no line ${START}`).toBeGreaterThan(-1);
    const listed = readme.slice(start + START.length, readme.indexOf(END)).trim();
    const table = settingsTable(systemSettings());
    expect(
      listed,
      `README.md's settings table differs (npx tsx --conditions=@nt/source tools/docs/writeReadmeTables.ts writes it); it should read:\n\n${table}\n`,
    ).toBe(table);
  });
});
