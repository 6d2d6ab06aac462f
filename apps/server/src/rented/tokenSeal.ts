import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '@nt/settings';

/** The sealed form's version: a later scheme reads its own and this one. */
const VERSION = 'v1';

/**
 * Rented workers' tokens, sealed at rest in the database (AES-256-GCM, node:crypto) with a key every
 * replica reads from the same file: a copy of the database, or a backup of it, holds no token anyone
 * can use. Each sealed token is bound to its worker's id, so one cannot be moved to another row.
 */
export class TokenSeal {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key in NODETOOL_SECRETS_KEY_FILE (64 hex characters: `openssl rand -hex 32`). With `create`, a
   * missing file is made (0600): the one-machine default, where no other replica needs the same key.
   */
  static fromFile(path: string, options: { create?: boolean } = {}): TokenSeal {
    if (options.create && !existsSync(path)) writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(
        'NODETOOL_SECRETS_KEY_FILE',
        `cannot read NODETOOL_SECRETS_KEY_FILE ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    if (!/^[0-9a-f]{64}$/i.test(text))
      throw new ConfigError('NODETOOL_SECRETS_KEY_FILE', `NODETOOL_SECRETS_KEY_FILE ${path} must hold 64 hex characters (32 bytes: openssl rand -hex 32)`);
    return new TokenSeal(Buffer.from(text, 'hex'));
  }

  seal(token: string, workerId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(workerId));
    const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  /** The token, or an error that says the key is not the one it was sealed with (never the token or the key). */
  open(sealed: string, workerId: string): string {
    const [version, body] = sealed.split(':');
    if (version !== VERSION || !body) throw new Error(`the token of ${workerId} is sealed in a form this release does not read`);
    const bytes = Buffer.from(body, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(workerId));
    decipher.setAuthTag(bytes.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`the token of ${workerId} cannot be unsealed: NODETOOL_SECRETS_KEY_FILE is not the key it was sealed with`);
    }
  }
}
