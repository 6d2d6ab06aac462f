/**
 * Rewrites the README's generated tables from their sources: the endpoint table from the HTTP
 * contract (libs/api-contract) and the settings table from the settings declarations (libs/settings) and the provider registry's.
 * Run it after adding a route or a setting: npx tsx --conditions=@nt/source tools/docs/writeReadmeTables.ts
 * (contract.spec.ts and providerSettings.spec.ts fail until the README matches).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { endpointTable } from '@nt/api-contract';
import { systemSettings } from '@nt/providers';
import { settingsTable } from '@nt/settings';

const README = new URL('../../README.md', import.meta.url);

const TABLES: Array<[start: string, end: string, table: string]> = [
  ['<!-- endpoint-table: generated from libs/api-contract; checked by contract.spec.ts -->', '<!-- endpoint-table: end -->', endpointTable()],
  [
    '<!-- settings-table: generated from libs/settings and the provider registry; checked by providerSettings.spec.ts -->',
    '<!-- settings-table: end -->',
    settingsTable(systemSettings()),
  ],
];

let text = readFileSync(README, 'utf8');
for (const [start, end, table] of TABLES) {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
  text = `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
}
writeFileSync(README, text);
console.log('README.md: endpoint and settings tables written');
