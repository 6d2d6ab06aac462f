import { describe, expect, it } from 'vitest';
import { mediaSourceOf, mediaTypeOf } from './mediaValue.js';

describe('mediaSourceOf', () => {
  it('reads where a media value comes from, as nodetool saves it and as we do', () => {
    const asset = { type: 'asset', id: 'b'.repeat(64), content_type: 'image/png', size: 3, url: '/api/assets/bbb' };
    expect(mediaSourceOf(asset)).toEqual({ kind: 'asset', ref: asset });
    expect(mediaSourceOf({ type: 'image', uri: 'https://example.com/x.jpg', asset_id: null, data: null })).toEqual({
      kind: 'url',
      url: 'https://example.com/x.jpg',
    });
    expect(mediaSourceOf({ type: 'image', uri: '', data: 'AQID' })).toEqual({ kind: 'bytes', bytes: new Uint8Array([1, 2, 3]) });
    expect(mediaSourceOf({ type: 'image', data: [4, 5] })).toEqual({ kind: 'bytes', bytes: new Uint8Array([4, 5]) });
    expect(mediaSourceOf({ type: 'image', uri: 'data:image/png;base64,AQID' })).toEqual({ kind: 'bytes', bytes: new Uint8Array([1, 2, 3]) });
    expect(mediaSourceOf({ type: 'image', uri: '', asset_id: null, data: null })).toEqual({ kind: 'empty' });
    expect(mediaSourceOf(null)).toEqual({ kind: 'empty' });
  });

  it('refuses what it cannot reach, saying why', () => {
    const refused = (value: unknown) => {
      const source = mediaSourceOf(value);
      return source.kind === 'refused' ? source.reason : source.kind;
    };
    expect(refused({ type: 'image', uri: 'ftp://example.com/x.png' })).toMatch(/is a ftp: URI; only http\(s\) URLs are fetched/);
    expect(refused({ type: 'image', uri: 'memory://x' })).toMatch(/is a memory: URI/);
    expect(refused({ type: 'image', uri: 'x.png' })).toMatch(/"x.png" is not a URL/);
    expect(refused({ type: 'image', data: 'not base64!' })).toMatch(/neither base64 text nor a list of bytes/);
    expect(refused({ type: 'audio', uri: '', asset_id: 'abc' })).toMatch(/names the asset "abc" of the nodetool server it was made on/);
    expect(refused(42)).toMatch(/it is a number, not a media value/);
  });
});

describe('mediaTypeOf', () => {
  it('knows single media and lists of them, and nothing else', () => {
    expect(mediaTypeOf('image')).toEqual({ type: 'image', list: false });
    expect(mediaTypeOf('list[audio]')).toEqual({ type: 'audio', list: true });
    expect(mediaTypeOf('Optional[video]')).toEqual({ type: 'video', list: false });
    expect(mediaTypeOf('str')).toBeNull();
    expect(mediaTypeOf('list[str]')).toBeNull();
  });
});
