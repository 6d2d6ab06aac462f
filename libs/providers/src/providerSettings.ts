import { SETTINGS, type Setting } from '@nt/settings';
import { PROVIDERS } from './registry.js';

/** A profile may take its provider key from a variable of this form (api_key_env); each is a secret. */
const PROFILE_KEY = /^NODETOOL_[A-Z0-9_]+_API_KEY$/;

/**
 * Each provider's own settings, declared from the registry (libs/settings may import nothing of ours):
 * its API key, a secret, and the URL of its API. A provider added to the registry is declared here
 * with no other step, so --help, the README and redaction all know it.
 */
export function providerSettings(): Record<string, Setting> {
  return Object.fromEntries(
    PROVIDERS.flatMap((provider) => [
      [
        provider.keyVariable,
        {
          kind: 'text',
          readBy: ['server', 'cli'],
          secret: true,
          doc: `${provider.displayName}’s API key (a profile may name another NODETOOL_*_API_KEY).`,
        } satisfies Setting,
      ],
      [
        provider.api.urlVariable,
        {
          kind: 'text',
          default: provider.api.defaultUrl,
          readBy: ['server', 'cli'],
          doc: `${provider.displayName}’s API (tests point it at a fixture).`,
        } satisfies Setting,
      ],
    ]),
  );
}

/**
 * Every setting the server and the CLI know: the declared ones, the providers', and each
 * NODETOOL_*_API_KEY set in `env` (a profile's provider key, under a name only the profile knows).
 * Redaction takes its secrets from here.
 */
export function systemSettings(env: NodeJS.ProcessEnv = {}): Record<string, Setting> {
  const profileKeys = Object.keys(env)
    .filter((name) => PROFILE_KEY.test(name))
    .map((name): [string, Setting] => [name, { kind: 'text', readBy: ['server', 'cli'], secret: true, doc: 'A profile’s provider key (api_key_env).' }]);
  return { ...(SETTINGS as Record<string, Setting>), ...providerSettings(), ...Object.fromEntries(profileKeys) };
}
