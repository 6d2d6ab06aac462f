/**
 * TEST FIXTURE: a local stand-in for the Hugging Face Hub, serving the part of its HTTP layout a
 * worker's `models.download` uses, so the download path runs here with no network. Point the
 * worker at it with HF_ENDPOINT (and HF_HUB_OFFLINE=0); the code path is the one the real Hub
 * takes.
 *
 *   GET  /api/models/<repo>[/revision/<rev>]   model info: sha and siblings (name, size, blob id)
 *   GET  /api/models/<repo>/tree/<rev>[/<dir>]  the entries under a folder (transformers asks while loading)
 *   HEAD /<repo>/resolve/<rev>/<file>          ETag, X-Repo-Commit, Content-Length, Accept-Ranges
 *   GET  /<repo>/resolve/<rev>/<file>          the bytes (a Range header gives 206)
 *   GET  /files/<name>                         a plain file of `options.files` (a workflow's image on the web)
 *
 * Anything else is a 404 with the Hub's error code header (RepoNotFound, EntryNotFound), which
 * huggingface_hub turns into the same exceptions as on the Hub. Listens on 127.0.0.1 only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

export interface FixtureHubRepo {
  repoId: string;
  /** Repo-relative path → contents. */
  files: Record<string, Uint8Array>;
  /** A gated repo: every request for it must carry `Authorization: Bearer <token>`, else 401. */
  token?: string;
}

export interface FixtureHubOptions {
  /** Slows file bodies to about this many bytes per second, so progress and cancel can be seen. */
  bytesPerSecond?: number;
  /** Plain files served at /files/<name>, typed by their extension: media a workflow names by URL. */
  files?: Record<string, Uint8Array>;
}

const FILE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', wav: 'audio/wav', mp4: 'video/mp4' };

export interface FixtureHub {
  /** The value for HF_ENDPOINT. */
  url: string;
  /** Every request as "METHOD path", in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

interface ServedFile {
  bytes: Uint8Array;
  etag: string;
}

interface ServedRepo {
  commit: string;
  files: Map<string, ServedFile>;
  token?: string;
}

/** Every file under dir, with repo-relative POSIX paths (symlinks followed, as a snapshot holds them). */
export function repoFromDirectory(repoId: string, dir: string, extra: Record<string, Uint8Array> = {}): FixtureHubRepo {
  const files: Record<string, Uint8Array> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path).split(sep).join('/')] = readFileSync(path);
    }
  };
  walk(dir);
  return { repoId, files: { ...files, ...extra } };
}

export const MINILM_REPO_ID = 'sentence-transformers/all-MiniLM-L6-v2';

/**
 * all-MiniLM-L6-v2 as `nx run worker:setup-hf` laid it into apps/worker/.hf-home, to serve as if from
 * the Hub. `extra` adds files (a decoy the node does not need, to see that only its files are fetched).
 */
export function installedMiniLmRepo(repoRoot: string, extra: Record<string, Uint8Array> = {}): FixtureHubRepo {
  const cache = join(repoRoot, 'apps', 'worker', '.hf-home', 'hub', 'models--sentence-transformers--all-MiniLM-L6-v2');
  if (!existsSync(join(cache, 'refs', 'main'))) throw new Error(`${cache} is missing: run npx nx run worker:setup-hf`);
  const revision = readFileSync(join(cache, 'refs', 'main'), 'utf8').trim();
  return repoFromDirectory(MINILM_REPO_ID, join(cache, 'snapshots', revision), extra);
}

function serve(repo: FixtureHubRepo): ServedRepo {
  const files = new Map<string, ServedFile>();
  const listing = createHash('sha1');
  for (const [name, bytes] of Object.entries(repo.files).sort(([a], [b]) => a.localeCompare(b))) {
    const etag = createHash('sha256').update(bytes).digest('hex');
    files.set(name, { bytes, etag });
    listing.update(`${name}\0${etag}\0`);
  }
  return { commit: listing.digest('hex'), files, token: repo.token };
}

export async function startFixtureHub(repos: FixtureHubRepo[], options: FixtureHubOptions = {}): Promise<FixtureHub> {
  const served = new Map(repos.map((repo) => [repo.repoId, serve(repo)]));
  const requests: string[] = [];

  const notFound = (res: ServerResponse, code: 'RepoNotFound' | 'EntryNotFound', what: string) => {
    res.writeHead(404, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': what });
    res.end(JSON.stringify({ error: what }));
  };

  const modelInfo = (res: ServerResponse, repoId: string) => {
    const repo = served.get(repoId);
    if (!repo) return notFound(res, 'RepoNotFound', `Repository not found: ${repoId}`);
    const siblings = [...repo.files].map(([rfilename, file]) => ({ rfilename, size: file.bytes.byteLength, blobId: file.etag }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: repoId, modelId: repoId, sha: repo.commit, private: false, gated: false, siblings }));
  };

  const tree = (res: ServerResponse, repoId: string, folder: string) => {
    const repo = served.get(repoId);
    if (!repo) return notFound(res, 'RepoNotFound', `Repository not found: ${repoId}`);
    const prefix = folder ? `${folder}/` : '';
    const entries = new Map<string, object>();
    for (const [name, file] of repo.files) {
      if (!name.startsWith(prefix)) continue;
      const [first, ...rest] = name.slice(prefix.length).split('/');
      const path = `${prefix}${first}`;
      entries.set(
        path,
        rest.length ? { type: 'directory', path, oid: repo.commit, size: 0 } : { type: 'file', path, oid: file.etag, size: file.bytes.byteLength },
      );
    }
    if (!entries.size) return notFound(res, 'EntryNotFound', `Entry not found: ${repoId}/${folder}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([...entries.values()]));
  };

  const resolveFile = async (req: IncomingMessage, res: ServerResponse, repoId: string, name: string) => {
    const repo = served.get(repoId);
    const file = repo?.files.get(name);
    if (!repo) return notFound(res, 'RepoNotFound', `Repository not found: ${repoId}`);
    if (!file) return notFound(res, 'EntryNotFound', `Entry not found: ${repoId}/${name}`);
    const headers = {
      etag: `"${file.etag}"`,
      'x-repo-commit': repo.commit,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Math.min(Number(range[1]), file.bytes.byteLength) : 0;
    const body = file.bytes.subarray(start);
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': String(body.byteLength) });
    if (req.method === 'HEAD') return res.end();
    await writeThrottled(res, body, options.bytesPerSecond);
  };

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    requests.push(`${req.method} ${path}`);
    const gated = [...served].find(([repoId, repo]) => repo.token && (path.startsWith(`/${repoId}/`) || path.startsWith(`/api/models/${repoId}`)))?.[1];
    if (gated && req.headers.authorization !== `Bearer ${gated.token}`) {
      res.writeHead(401, { 'content-type': 'application/json', 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to this repo is restricted' });
      res.end(JSON.stringify({ error: 'Access to this repo is restricted' }));
      return;
    }
    // A repo id is `owner/name`, or a bare `name` for the Hub's older canonical models (distilbert-base-uncased).
    const repo = `(${[...served.keys()].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '[^/]+/[^/]+'}|[^/]+/[^/]+)`;
    const info = new RegExp(`^/api/models/${repo}(?:/revision/[^/]+)?$`).exec(path);
    if (info && req.method === 'GET') return modelInfo(res, info[1] as string);
    const listing = new RegExp(`^/api/models/${repo}/tree/[^/]+(?:/(.*))?$`).exec(path);
    if (listing && req.method === 'GET') return tree(res, listing[1] as string, (listing[2] ?? '').replace(/\/$/, ''));
    const plain = /^\/files\/([^/]+)$/.exec(path)?.[1];
    const plainFile = plain !== undefined && req.method === 'GET' && options.files && Object.hasOwn(options.files, plain) ? options.files[plain] : undefined;
    if (plainFile) {
      res.writeHead(200, {
        'content-type': FILE_TYPES[plain?.split('.').pop() ?? ''] ?? 'application/octet-stream',
        'content-length': String(plainFile.byteLength),
      });
      res.end(plainFile);
      return;
    }
    const file = new RegExp(`^/${repo}/resolve/[^/]+/(.+)$`).exec(path);
    if (file && (req.method === 'GET' || req.method === 'HEAD')) {
      resolveFile(req, res, file[1] as string, file[2] as string).catch(() => res.destroy());
      return;
    }
    notFound(res, 'EntryNotFound', `No such endpoint: ${req.method} ${path}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function writeThrottled(res: ServerResponse, body: Uint8Array, bytesPerSecond: number | undefined): Promise<void> {
  if (!bytesPerSecond) {
    res.end(body);
    return;
  }
  const slice = Math.max(1024, Math.floor(bytesPerSecond / 20));
  for (let offset = 0; offset < body.byteLength; offset += slice) {
    if (res.destroyed) return;
    res.write(body.subarray(offset, offset + slice));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  res.end();
}
