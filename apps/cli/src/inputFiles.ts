import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { AssetRef } from '@nt/api-contract';
import { readSetting } from '@nt/settings';
import { EXIT } from './exitCodes.js';
import { ServerCallError, serverApi } from './serverClient.js';

/** A file given for one of a workflow's inputs: `--input name=path/to/file`. */
export interface InputFile {
  name: string;
  path: string;
  size: number;
}

/** A --input flag that cannot be used (exit 2): the message says which and why. */
export class InputFlagError extends Error {}

/**
 * Reads the --input flags: each `name=path` names an input and an existing regular file. A repeated
 * name, a missing `=`, or a file that cannot be read is an InputFlagError that says which.
 */
export function parseInputFlags(given: readonly string[]): InputFile[] {
  const files: InputFile[] = [];
  for (const flag of given) {
    const at = flag.indexOf('=');
    const name = flag.slice(0, at).trim();
    const path = flag.slice(at + 1);
    if (at <= 0 || !name || !path) throw new InputFlagError(`--input takes name=path/to/file, got ${JSON.stringify(flag)}`);
    if (files.some((file) => file.name === name)) throw new InputFlagError(`--input ${name} is given twice`);
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
      size = stat.size;
    } catch (error) {
      throw new InputFlagError(`--input ${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    files.push({ name, path, size });
  }
  return files;
}

/** For a run in this process: each file's bytes, the value of its input (at most NODETOOL_MAX_ASSET_BYTES each). */
export async function readInputFiles(files: readonly InputFile[], env: NodeJS.ProcessEnv = process.env): Promise<Record<string, Uint8Array>> {
  const maxBytes = readSetting(env, 'NODETOOL_MAX_ASSET_BYTES');
  const values: Record<string, Uint8Array> = {};
  for (const file of files) {
    if (file.size > maxBytes)
      throw new InputFlagError(`--input ${file.name}: ${file.path} is ${file.size} bytes, above the ${maxBytes} an input may be (NODETOOL_MAX_ASSET_BYTES)`);
    values[file.name] = new Uint8Array(await readFile(file.path));
  }
  return values;
}

/** For a run on a server: each file uploaded as an asset (streamed, never read whole), its reference the value of its input. */
export async function uploadInputFiles(files: readonly InputFile[], server: string | undefined): Promise<Record<string, AssetRef>> {
  const { baseUrl, token } = serverApi(server);
  const values: Record<string, AssetRef> = {};
  for (const file of files) {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/assets?name=${encodeURIComponent(basename(file.path))}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(file.size),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: Readable.toWeb(createReadStream(file.path)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
    } catch (error) {
      const reason = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new ServerCallError(EXIT.unreachable, `--input ${file.name}: cannot upload ${file.path} to the server at ${baseUrl} (${reason})`);
    }
    if (response.status === 401)
      throw new ServerCallError(EXIT.tokenRejected, `the server at ${baseUrl} needs its token: set NODETOOL_SERVER_TOKEN or NODETOOL_SERVER_TOKEN_FILE`);
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    if (response.status !== 201) {
      const code = response.status === 413 || response.status === 400 ? EXIT.usage : EXIT.failed;
      throw new ServerCallError(code, `--input ${file.name}: the server refused ${file.path} (${response.status}: ${body?.error ?? 'no reason given'})`);
    }
    values[file.name] = AssetRef.parse(body);
  }
  return values;
}
