import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BlobWriter } from '@nt/bridge';
import { openDatabase } from '@nt/data';
import type { AssetBackend } from '@nt/data';
import { AssetStore, type AssetLimits } from './assetStore.js';
import { AssetTooLargeError } from './tempAssetFile.js';

// The asset store over a fake backend (what it was asked to keep, in memory) and an in-memory database:
// results streamed in, refused, abandoned half way, and stream items on disk counted against the run,
// in milliseconds (assets*.integration.ts drive the folder, moto's S3 and the worker).

/**
 * Storage that keeps what it is given in a Map, taking the temporary file as the real backends do (a
 * rename, or an upload and then rm); `failCommits` makes a commit fail, as a full bucket does.
 */
class FakeBackend implements AssetBackend {
  readonly kind = 'local';
  readonly kept = new Map<string, Buffer>();
  failCommits: string | null = null;
  async commit(tempPath: string, id: string): Promise<string> {
    if (this.failCommits) throw new Error(this.failCommits);
    this.kept.set(id, readFileSync(tempPath));
    rmSync(tempPath);
    return `local:${id}`;
  }
  async read(location: string): Promise<Readable> {
    return Readable.from([this.kept.get(location.slice('local:'.length)) ?? Buffer.alloc(0)]);
  }
  async remove(location: string): Promise<void> {
    this.kept.delete(location.slice('local:'.length));
  }
}

const LIMITS: AssetLimits = { assetBytes: 1000, runBytes: 1500, uploadBytes: 1000, inlineMaxBytes: 10, offloadMinBytes: 1 << 20 };
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function store() {
  const backend = new FakeBackend();
  const tmpDir = mkdtempSync(join(tmpdir(), 'nt-assets-spec-'));
  const assets = new AssetStore(await openDatabase({ kind: 'sqlite', path: ':memory:' }), {
    backend,
    backends: [backend],
    tmpDir,
    limits: LIMITS,
    urlTtlSeconds: 60,
  });
  return { assets, backend, tmpDir };
}

/** The files left in `dir` once a discard (which closes the file first) has had time to finish. */
async function leftIn(dir: string): Promise<string[]> {
  for (const deadline = Date.now() + 5_000; readdirSync(dir).length && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 10));
  return readdirSync(dir);
}

async function write(writer: BlobWriter, bytes: Buffer): Promise<void> {
  await writer.write(bytes.subarray(0, bytes.length / 2));
  await writer.write(bytes.subarray(bytes.length / 2));
}

describe('the asset store', () => {
  it('keeps a result streamed in as an asset of its run and node, typed by its bytes, and serves those bytes', async () => {
    const { assets, backend, tmpDir } = await store();
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 7)]);
    const writer = assets.forRun('job-1').sinkFor('img').open('output', png.length) as BlobWriter;
    await write(writer, png);
    const ref = await writer.close(sha(png));
    expect(ref).toEqual({ type: 'asset', id: sha(png), content_type: 'image/png', size: png.length, url: `/api/assets/${sha(png)}` });
    expect(backend.kept.get(sha(png))?.equals(png)).toBe(true);
    expect(await assets.get(sha(png))).toMatchObject({ size: png.length, content_type: 'image/png' });
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('keeps a small result in the record, not as an asset', async () => {
    const { assets, backend } = await store();
    const writer = assets.forRun('job-2').sinkFor('n').open('output', 4) as BlobWriter;
    await writer.write(Buffer.from('tiny'));
    expect(Buffer.from((await writer.close(sha(Buffer.from('tiny')))) as Uint8Array).toString()).toBe('tiny');
    expect(backend.kept.size).toBe(0);
  });

  it('drops a half-written result when its run is cancelled: no file left, no record, nothing stored', async () => {
    const { assets, backend, tmpDir } = await store();
    const bytes = Buffer.alloc(800, 3);
    const writer = assets.forRun('job-3').sinkFor('gen').open('output', bytes.length) as BlobWriter;
    await writer.write(bytes.subarray(0, 400));
    expect(readdirSync(tmpDir)).toHaveLength(1);
    writer.abort();
    expect(await leftIn(tmpDir)).toEqual([]);
    expect(backend.kept.size).toBe(0);
    expect(await assets.get(sha(bytes))).toBeNull();
  });

  it('refuses a result over NODETOOL_MAX_ASSET_BYTES, and a run over NODETOOL_MAX_RUN_ASSET_BYTES, naming node, result and setting', async () => {
    const { assets } = await store();
    const run = assets.forRun('job-4');
    expect(() => run.sinkFor('big').open('output', 1001)).toThrow(
      new AssetTooLargeError('the result "output" of node big is 1001 bytes, above the 1000 bytes an asset may be (NODETOOL_MAX_ASSET_BYTES)'),
    );
    run.sinkFor('a').open('output', 900).abort();
    expect(() => run.sinkFor('b').open('output', 700)).toThrow(
      /the results of this run reach 1600 bytes, above the 1500 bytes a run may make \(NODETOOL_MAX_RUN_ASSET_BYTES\)/,
    );
    // Another run has an allowance of its own.
    expect(() => assets.forRun('job-5').sinkFor('a').open('output', 900).abort()).not.toThrow();
  });

  it('counts stream items waiting on disk against the run while they wait, and gives the room back after', async () => {
    const { assets } = await store();
    const run = assets.forRun('job-6');
    const spill = run.spill!;
    spill.charge(1400);
    expect(() => spill.charge(200)).toThrow(/stream items waiting on disk for a slow node, with this run's results, would reach 1600 bytes/);
    expect(() => run.sinkFor('a').open('output', 200)).toThrow(AssetTooLargeError);
    spill.refund(1400);
    expect(() => run.sinkFor('b').open('output', 200).abort()).not.toThrow();
  });

  it('leaves no file and no record when storage refuses the commit, and says why', async () => {
    const { assets, backend, tmpDir } = await store();
    backend.failCommits = 'the bucket is full';
    const bytes = Buffer.alloc(500, 9);
    const writer = assets.forRun('job-7').sinkFor('n').open('output', bytes.length) as BlobWriter;
    await write(writer, bytes);
    await expect(writer.close(sha(bytes))).rejects.toThrow('the bucket is full');
    expect(await leftIn(tmpDir)).toEqual([]);
    expect(await assets.get(sha(bytes))).toBeNull();
  });
});
