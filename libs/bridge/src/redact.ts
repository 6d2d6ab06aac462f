/**
 * A URL fit for logs and errors: scheme, host, port and path only. User info, query and fragment are
 * dropped, since people do paste tokens there. A URL a locator resolves (a cloud instance) keeps its
 * query: its id and options (`?port=…&tls=1`) are no secret, its locator refuses any other parameter,
 * and they tell two workers of one instance apart.
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `${parsed.protocol}//${parsed.host}${parsed.search}`;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '<invalid worker URL>';
  }
}

/** Replaces every occurrence of a secret in text; a last line of defence for text we did not write. */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
