import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type S3TestServer } from '@nt/test-fixtures';

export interface TestBucket {
  s3: S3TestServer;
  /** The SDK pointed at it, for what a test checks in the bucket itself. */
  client: S3Client;
  /** The server settings that make it the asset bucket, as an operator sets them. */
  env: Record<string, string>;
}

/** TEST HELPER: moto's S3 server with one empty bucket. */
export async function startTestBucket(bucket: string): Promise<TestBucket> {
  const s3 = await startS3Server();
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const env = {
    ASSET_BUCKET: bucket,
    S3_ENDPOINT_URL: s3.endpoint,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_REGION: s3.region,
  };
  return { s3, client, env };
}
