import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileTypeFromFile } from 'file-type';
import type { BlobSink } from '@nt/bridge';
import type { RunAssets } from '@nt/runtime';

/** A binary result written to a file of --output-dir: what the run's result and --json carry instead of its bytes. */
export interface OutputFile {
  type: 'file';
  path: string;
  content_type: string;
  size: number;
  sha256: string;
}

export const isOutputFile = (value: unknown): value is OutputFile =>
  typeof value === 'object' && value !== null && (value as OutputFile).type === 'file' && typeof (value as OutputFile).path === 'string';

/**
 * An in-process run's binary results streamed straight into `dir` as they arrive, one file per result
 * (`<node>-<name>.<ext>`), never held whole; a file appears under its name only once complete.
 */
export function outputDirAssets(dir: string): RunAssets {
  mkdirSync(dir, { recursive: true });
  return {
    sinkFor: (nodeId): BlobSink => ({
      open: (name) => {
        const base = fileBase(nodeId, name);
        const partial = join(dir, `.${base}.part`);
        const fd = openSync(partial, 'w', 0o644);
        let size = 0;
        return {
          write: (bytes) => {
            let written = 0;
            while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
            size += bytes.byteLength;
          },
          close: async (sha256) => {
            closeSync(fd);
            return { type: 'file', ...(await nameByContent(dir, partial, base)), size, sha256 } satisfies OutputFile;
          },
          abort: () => {
            closeSync(fd);
            rmSync(partial, { force: true });
          },
        };
      },
    }),
    read: async () => {
      throw new Error('an asset reference as an input needs the server that holds it: run with --server');
    },
  };
}

/** Renames a complete file to `<base>.<extension its bytes say>`; answers where it is and its type. */
export async function nameByContent(dir: string, partial: string, base: string): Promise<{ path: string; content_type: string }> {
  const sniffed = await fileTypeFromFile(partial);
  const path = join(dir, `${base}.${sniffed?.ext ?? 'bin'}`);
  await rename(partial, path);
  return { path, content_type: sniffed?.mime ?? 'application/octet-stream' };
}

/** `<node>-<name>`, each part letters, digits, dot, dash or underscore only. */
export function fileBase(nodeId: string, name: string): string {
  const safe = (part: string) =>
    part
      .replace(/[^\w.-]+/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 80) || 'output';
  return `${safe(nodeId)}-${safe(name)}`;
}
