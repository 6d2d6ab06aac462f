import { callProviderApi, type ProviderApi, type ProviderReply } from '../providerApi.js';
import { ProviderCallError } from '../providerErrors.js';

/**
 * One call to Vast's REST API. NODETOOL_VAST_API_URL is the server (https://console.vast.ai, as the
 * `vastai` client's server_url); the paths carry their version (/api/v0/…, /api/v1/instances/). An
 * answer of `{"success": false}` is a ProviderCallError with Vast's message.
 */
export async function vastCall(
  api: ProviderApi,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { body?: unknown; query?: Record<string, unknown> } = {},
): Promise<ProviderReply> {
  // An older setting pointed at the /api/v0 base: the server is what is left.
  const root = { ...api, baseUrl: api.baseUrl.replace(/\/api\/v0$/, '') };
  const reply = await callProviderApi(root, path, { method, ...options });
  const refused = (reply.body as { success?: boolean; error?: string; msg?: string } | null) ?? null;
  if (refused && refused.success === false && reply.status !== 404) {
    throw new ProviderCallError(`Vast.ai ${method} ${path} failed: ${refused.msg ?? refused.error ?? 'refused'}`);
  }
  return reply;
}
