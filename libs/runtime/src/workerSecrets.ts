import { ConfigError } from '@nt/bridge';
import { isSystemCredential } from '@nt/providers';

/**
 * Which of this process's settings a worker may receive. A node lists the settings it needs
 * (`required_settings`) and the runtime sends their values with execute, so the list is the worker's
 * to choose: without an allowlist a worker, or anyone in the middle of a plain ws:// link, could ask
 * for NODETOOL_WORKER_TOKEN or AWS_SECRET_ACCESS_KEY and get it.
 */
export interface SecretPolicy {
  /** Names that may be sent (NODETOOL_WORKER_SECRETS, default HF_TOKEN). */
  allowed: ReadonlySet<string>;
  /** Where values come from. */
  env: NodeJS.ProcessEnv;
}

export const WORKER_SECRETS_ENV = 'NODETOOL_WORKER_SECRETS';
export const DEFAULT_WORKER_SECRETS = ['HF_TOKEN'];

export function secretPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): SecretPolicy {
  const raw = env[WORKER_SECRETS_ENV];
  const names =
    raw === undefined
      ? DEFAULT_WORKER_SECRETS
      : raw
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError(WORKER_SECRETS_ENV, `${WORKER_SECRETS_ENV} must be a comma-separated list of variable names, got ${JSON.stringify(name)}`);
    }
    if (isSystemCredential(name)) {
      throw new ConfigError(WORKER_SECRETS_ENV, `${WORKER_SECRETS_ENV} names ${name}, a credential of this system that is never sent to a worker`);
    }
  }
  return { allowed: new Set(names), env };
}

export interface WithheldSetting {
  setting: string;
  reason: string;
}

/**
 * The values to send for a node's required settings, and the ones held back with the reason. Only
 * settings this process actually has are reported as withheld: an unset one is simply absent.
 */
export function pickSecrets(
  required: readonly string[],
  policy: SecretPolicy,
  linkConfidential: boolean,
): { secrets: Record<string, string>; withheld: WithheldSetting[] } {
  const secrets: Record<string, string> = {};
  const withheld: WithheldSetting[] = [];
  for (const setting of new Set(required)) {
    const value = policy.env[setting];
    if (!value) continue;
    if (isSystemCredential(setting)) withheld.push({ setting, reason: 'it is a credential of this system and is never sent to a worker' });
    else if (!policy.allowed.has(setting)) withheld.push({ setting, reason: `it is not listed in ${WORKER_SECRETS_ENV}` });
    else if (!linkConfidential)
      withheld.push({ setting, reason: 'the worker link is plain ws:// to another host, where it could be read; use wss:// or a private tunnel' });
    else secrets[setting] = value;
  }
  return { secrets, withheld };
}
