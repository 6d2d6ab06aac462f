/**
 * A URL fit for logs and errors: scheme, host, port and path only. User info,
 * query and fragment are dropped, since people do paste tokens there.
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // A cloud instance: its id and options are no secret, and tell two workers of one instance apart.
    if (parsed.protocol === 'runpod:' || parsed.protocol === 'vast:') return `${parsed.protocol}//${parsed.host}${parsed.search}`;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '<invalid worker URL>';
  }
}

/** Replaces every occurrence of a secret in text; a last line of defence for text we did not write. */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
