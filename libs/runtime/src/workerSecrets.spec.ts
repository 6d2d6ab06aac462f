import { describe, expect, it, vi } from 'vitest';
import { PROVIDERS, systemSettings } from '@nt/providers';
import { redactSecrets, settingsHelp } from '@nt/settings';
import { pickSecrets, secretPolicyFromEnv } from './workerSecrets.js';

// A provider added as the documented steps add one: a line in the provider list, nothing else.
vi.mock('../../providers/src/providerList.ts', async (importOriginal) => {
  const { PROVIDERS: known } = await importOriginal<typeof import('../../providers/src/providerList.ts')>();
  const lambda = {
    ...known[0]!,
    name: 'lambda',
    displayName: 'Lambda',
    keyVariable: 'LAMBDA_API_KEY',
    api: { defaultUrl: 'https://cloud.lambdalabs.com/api/v1', urlVariable: 'NODETOOL_LAMBDA_API_URL' },
  };
  return { PROVIDERS: [...known, lambda] };
});

const KEY = 'secret_lambda_1234567890abcdef';
const PROFILE_KEY = 'rpa_team_key_0987654321fedcba';
const env = { LAMBDA_API_KEY: KEY, NODETOOL_TEAM_RUNPOD_API_KEY: PROFILE_KEY, HF_TOKEN: 'hf_allowed_token_value' };

describe('a provider added to the provider list alone', () => {
  it('is in the registry', () => {
    expect(PROVIDERS.map((provider) => provider.name)).toEqual(['runpod', 'vast', 'lambda']);
  });

  it('has its key taken out of a log line or error, as a profile’s own NODETOOL_*_API_KEY is', () => {
    const line = `the API said: key ${KEY} refused; team key ${PROFILE_KEY} too; HF_TOKEN fine`;
    const redacted = redactSecrets(line, env, systemSettings(env));
    expect(redacted).not.toContain(KEY);
    expect(redacted).not.toContain(PROFILE_KEY);
    expect(redacted).toBe('the API said: key [LAMBDA_API_KEY redacted] refused; team key [NODETOOL_TEAM_RUNPOD_API_KEY redacted] too; HF_TOKEN fine');
    // Without the providers' settings, only what libs/settings declares is known: the key would leak.
    expect(redactSecrets(line, env)).toContain(KEY);
  });

  it('never has its key sent to a worker, whatever a node asks, and refuses it in NODETOOL_WORKER_SECRETS', () => {
    const policy = secretPolicyFromEnv({ ...env, NODETOOL_WORKER_SECRETS: 'HF_TOKEN' });
    const { secrets, withheld } = pickSecrets(['LAMBDA_API_KEY', 'NODETOOL_TEAM_RUNPOD_API_KEY', 'HF_TOKEN'], policy, true);
    expect(secrets).toEqual({ HF_TOKEN: 'hf_allowed_token_value' });
    expect(withheld.map((entry) => entry.setting)).toEqual(['LAMBDA_API_KEY', 'NODETOOL_TEAM_RUNPOD_API_KEY']);
    expect(() => secretPolicyFromEnv({ NODETOOL_WORKER_SECRETS: 'LAMBDA_API_KEY' })).toThrow(/names LAMBDA_API_KEY, a credential of this system/);
  });

  it('is in --help with its key and its API’s URL', () => {
    const help = settingsHelp(['cli'], systemSettings());
    expect(help).toMatch(/LAMBDA_API_KEY\s+Lambda’s API key/);
    expect(help).toMatch(/NODETOOL_LAMBDA_API_URL\s+Lambda’s API .*default: https:\/\/cloud\.lambdalabs\.com\/api\/v1/);
  });
});
