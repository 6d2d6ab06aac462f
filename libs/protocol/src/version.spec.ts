import { describe, expect, it } from 'vitest';
import { capabilitiesOf, checkProtocolVersion, readProtocolVersion } from './version.js';

describe('protocol versions', () => {
  it('reads a missing or non-numeric version as 1', () => {
    expect(readProtocolVersion(undefined)).toBe(1);
    expect(readProtocolVersion('4')).toBe(1);
    expect(readProtocolVersion(6)).toBe(6);
  });

  it('refuses versions below the floor and warns above our own', () => {
    expect(checkProtocolVersion(0)).toMatchObject({ ok: false });
    expect(checkProtocolVersion(4)).toEqual({ ok: true });
    expect(checkProtocolVersion(99)).toMatchObject({ ok: true, warning: expect.stringMatching(/protocol 99/) });
  });

  it('gates features on worker.status, closed when no status arrived', () => {
    expect(capabilitiesOf(null)).toEqual({
      modelManagement: false,
      comfy: false,
      jobLifecycle: false,
      modelEviction: false,
      chunkedBlobs: false,
      assetOffload: false,
    });
    const v3 = { protocol_version: 3, node_count: 0, namespaces: [], load_errors: [], transport: 'stdio' };
    expect(capabilitiesOf(v3)).toMatchObject({ modelManagement: true, comfy: false, jobLifecycle: false });
    expect(capabilitiesOf({ ...v3, comfy: { enabled: true } }).comfy).toBe(true);
    expect(capabilitiesOf({ ...v3, protocol_version: 4 }).jobLifecycle).toBe(true);
    expect(capabilitiesOf({ ...v3, protocol_version: 4 }).chunkedBlobs).toBe(false);
    expect(capabilitiesOf({ ...v3, protocol_version: 5 }).chunkedBlobs).toBe(true);
  });
});
