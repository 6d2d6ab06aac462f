import type { Setting } from './settingKinds.js';
import { SETTINGS } from './settings.js';

/**
 * `text` with the value of every secret setting set in `env` replaced: a last line of defence for log
 * lines and errors whose text we did not write (an SDK's, a worker's). `settings`: the declared ones by
 * default; the server and the CLI pass theirs with the providers' keys added (@nt/providers' systemSettings).
 */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv, settings: Record<string, Setting> = SETTINGS): string {
  let redacted = text;
  for (const [name, setting] of Object.entries(settings)) {
    const value = env[name]?.trim();
    // Very short values would mangle ordinary text, and are refused as tokens anyway.
    if (setting.secret && value && value.length >= 8) redacted = redacted.split(value).join(`[${name} redacted]`);
  }
  return redacted;
}
