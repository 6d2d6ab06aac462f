import { apiContract, routesOf, websocketEndpoint } from './contract.js';

/** The README's endpoint table, from the contract: one row per route, then the WebSocket. */
export function endpointTable(): string {
  const rows = routesOf(apiContract).map(
    ({ route }) => `| \`${route.method} ${route.path}\` | ${route.access === 'public' ? 'public' : 'token'} | ${route.summary} |`,
  );
  return ['| endpoint | access | what |', '|---|---|---|', ...rows, `| \`WS ${websocketEndpoint.path}\` | token | ${websocketEndpoint.summary} |`].join('\n');
}
