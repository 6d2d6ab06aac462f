import { AssetRef } from '@nt/api-contract';

/**
 * A file the person chose, uploaded to the server's asset store as it is read (POST /api/assets, raw
 * bytes: a type a form cannot send across origins, which is part of the server's CSRF defence).
 */
export async function uploadAsset(file: File): Promise<AssetRef> {
  const response = await fetch(`/api/assets?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: file,
  });
  const body = (await response.json().catch(() => null)) as { error?: string } | null;
  if (response.status !== 201) throw new Error(`uploading ${file.name} failed: ${body?.error ?? `the server answered ${response.status}`}`);
  return AssetRef.parse(body);
}
