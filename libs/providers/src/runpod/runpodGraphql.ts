import { callProviderApi, said, type ProviderApi } from '../providerApi.js';
import { ProviderCallError } from '../providerErrors.js';

/**
 * One GraphQL operation against RunPod's API: the data, or a ProviderCallError naming the operation
 * and what RunPod said. With `nullOnError`, an answer that carries both data and errors (a pod that does
 * not exist is `pod: null` with an error) gives the data.
 */
export async function runpodGraphql<T>(api: ProviderApi, document: string, variables: Record<string, unknown>, nullOnError = false): Promise<T> {
  const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? 'query';
  let reply;
  try {
    reply = await callProviderApi(api, '', { method: 'POST', body: { query: document, variables } });
  } catch (error) {
    if (error instanceof ProviderCallError) throw new ProviderCallError(`RunPod ${operation} failed: ${error.message}`);
    throw error;
  }
  const body = (reply.body ?? {}) as { data?: T | null; errors?: unknown[] };
  if (body.errors?.length && !(nullOnError && body.data)) throw new ProviderCallError(`RunPod ${operation} failed: ${said(body) ?? 'an error'}`);
  return (body.data ?? {}) as T;
}
