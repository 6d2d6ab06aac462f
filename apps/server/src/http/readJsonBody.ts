import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpError.js';

/**
 * Reads a JSON request body, refusing more than `limit` bytes as soon as it is
 * exceeded (413) and naming the problem when the JSON is invalid (400).
 */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes exceeds the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      throw new HttpError(413, `request body exceeds the ${limit}-byte limit`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}
