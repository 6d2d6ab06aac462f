/**
 * The token handshake table. Each case is what a client presents and what
 * the worker must answer when it runs with `token`. Values are built from the
 * token at run time, so no test output ever needs to print one.
 */
export interface HandshakeCase {
  name: string;
  /** Headers to send; the URL suffix carries the query-string case. */
  headers: (token: string) => Record<string, string>;
  urlSuffix?: (token: string) => string;
  expect: 'accepted' | 'rejected';
}

export const HANDSHAKE_CASES: HandshakeCase[] = [
  { name: 'no Authorization header', headers: () => ({}), expect: 'rejected' },
  { name: 'an empty Authorization header', headers: () => ({ Authorization: '' }), expect: 'rejected' },
  { name: 'a wrong token', headers: (t) => ({ Authorization: `Bearer ${t}-wrong` }), expect: 'rejected' },
  { name: 'a prefix of the token', headers: (t) => ({ Authorization: `Bearer ${t.slice(0, -1)}` }), expect: 'rejected' },
  { name: 'lower-case "bearer"', headers: (t) => ({ Authorization: `bearer ${t}` }), expect: 'rejected' },
  { name: 'two spaces after Bearer', headers: (t) => ({ Authorization: `Bearer  ${t}` }), expect: 'rejected' },
  { name: '"Bearer" with no token', headers: () => ({ Authorization: 'Bearer ' }), expect: 'rejected' },
  { name: 'the Basic scheme', headers: (t) => ({ Authorization: `Basic ${t}` }), expect: 'rejected' },
  { name: 'the token in the query string', headers: () => ({}), urlSuffix: (t) => `/?token=${t}`, expect: 'rejected' },
  // HTTP strips optional whitespace around a header value before the worker sees it,
  // so a trailing space reaches the comparison as the exact value (measured on the real worker).
  { name: 'a trailing space (stripped by HTTP)', headers: (t) => ({ Authorization: `Bearer ${t} ` }), expect: 'accepted' },
  { name: 'the right token', headers: (t) => ({ Authorization: `Bearer ${t}` }), expect: 'accepted' },
];
