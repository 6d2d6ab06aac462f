import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiContract, endpointTable, routesOf } from '../index.js';

const README = new URL('../../../../README.md', import.meta.url);
const START = '<!-- endpoint-table: generated from libs/api-contract; checked by contract.spec.ts -->';
const END = '<!-- endpoint-table: end -->';

describe('the HTTP contract', () => {
  it('is what the README’s endpoint table lists, row for row', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, `README.md has no line ${START}`).toBeGreaterThan(-1);
    const listed = readme.slice(start + START.length, end).trim();
    expect(
      listed,
      `README.md's endpoint table differs from the contract (npx tsx --conditions=@nt/source tools/docs/writeReadmeTables.ts writes it); it should read:\n\n${endpointTable()}\n`,
    ).toBe(endpointTable());
  });

  it('has one route per method and path, each path absolute, each route with a success reply', () => {
    const routes = routesOf(apiContract);
    const keys = routes.map(({ route }) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const { name, route } of routes) {
      expect(route.path, name).toMatch(/^\/(api\/|health$|ready$|metrics$)/);
      expect(
        Object.keys(route.replies).every((status) => Number(status) >= 200 && Number(status) < 400),
        name,
      ).toBe(true);
      // Path params are declared exactly as the path names them.
      const named = [...route.path.matchAll(/:([a-z_]+)/gi)].map((match) => match[1]).sort();
      expect(Object.keys(route.params?.shape ?? {}).sort(), name).toEqual(named);
    }
  });

  it('lets only the probes, login and logout through without the token', () => {
    const open = routesOf(apiContract)
      .filter(({ route }) => route.access === 'public')
      .map(({ name }) => name);
    expect(open).toEqual(['health.get', 'health.ready', 'auth.login', 'auth.logout']);
  });
});
