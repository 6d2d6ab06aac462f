import { describe, expect, it } from 'vitest';
import { joinEnvParts } from '../testing/envParts.js';
import { VAST_ENV_VALUE_LIMIT, vastSafeEnv } from './instanceEnv.js';

const pem = `-----BEGIN CERTIFICATE-----\n${'MIIBszCCAVmgAwIBAgIUX'.repeat(30)}\n-----END CERTIFICATE-----\n`;

describe('an instance environment Vast.ai can carry', () => {
  it('keeps short one-line values, and sends a long or multi-line one in base64 parts of at most 256 characters', () => {
    const safe = vastSafeEnv({ NODETOOL_WORKER_TOKEN: 'a'.repeat(64), HF_HOME: '/data/huggingface', NODETOOL_WORKER_TLS_CERT_PEM: pem, NOTE: 'two words' });
    expect(safe['NODETOOL_WORKER_TOKEN']).toBe('a'.repeat(64));
    expect(safe['HF_HOME']).toBe('/data/huggingface');
    expect(safe['NODETOOL_WORKER_TLS_CERT_PEM']).toBeUndefined();
    expect(Number(safe['NODETOOL_WORKER_TLS_CERT_PEM__PARTS'])).toBeGreaterThan(1);
    expect(safe['NOTE__PARTS']).toBe('1');
    for (const value of Object.values(safe)) {
      expect(value.length).toBeLessThanOrEqual(VAST_ENV_VALUE_LIMIT);
      expect(value).not.toMatch(/\s/);
    }
    expect(joinEnvParts(safe)).toEqual({
      NODETOOL_WORKER_TOKEN: 'a'.repeat(64),
      HF_HOME: '/data/huggingface',
      NODETOOL_WORKER_TLS_CERT_PEM: pem,
      NOTE: 'two words',
    });
  });
});
