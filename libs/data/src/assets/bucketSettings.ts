import { resolve } from 'node:path';
import { ConfigError, readSetting } from '@nt/settings';
import type { S3Settings } from './s3AssetBackend.js';

/** ASSET_BUCKET as nodetool reads it: a path (starting with / or .) is a folder, not a bucket. */
const isFolder = (bucket: string) => bucket.startsWith('/') || bucket.startsWith('.');

export function folderBucketOf(env: NodeJS.ProcessEnv): string | null {
  const bucket = readSetting(env, 'ASSET_BUCKET');
  return bucket && isFolder(bucket) ? resolve(bucket) : null;
}

/** The bucket settings, nodetool's names first, the AWS SDK's own chain for what they leave out. */
export function bucketOf(env: NodeJS.ProcessEnv): S3Settings | null {
  const bucket = readSetting(env, 'ASSET_BUCKET');
  if (!bucket || isFolder(bucket)) return null;
  const accessKeyId = readSetting(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = readSetting(env, 'S3_SECRET_ACCESS_KEY');
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new ConfigError(
      accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID',
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither (the AWS chain then)',
    );
  const endpoint = readSetting(env, 'S3_ENDPOINT_URL');
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint))
    throw new ConfigError('S3_ENDPOINT_URL', `S3_ENDPOINT_URL must be an http(s):// URL, got ${JSON.stringify(endpoint)}`);
  return {
    bucket,
    region: readSetting(env, 'S3_REGION') ?? readSetting(env, 'AWS_REGION') ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    ...(readSetting(env, 'ASSET_DOMAIN') ? { publicDomain: readSetting(env, 'ASSET_DOMAIN') } : {}),
  };
}
