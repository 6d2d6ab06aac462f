import type { ChunkData, Envelope, ErrorData, ProgressData, UpdateData } from '@nt/protocol';
import { BridgeError, ProtocolError, RemoteError } from '../errors.js';
import type { PendingRequest } from './pendingRequest.js';

/**
 * Routes inbound envelopes to their pending request by `request_id` only.
 * Frames for unknown ids (late frames after a cancel or timeout) and frame
 * types this client does not know are ignored, as the contract requires.
 */
export class RequestTable {
  private readonly pending = new Map<string, PendingRequest>();

  constructor(private readonly onFrameLevelError: (message: string) => void) {}

  get size(): number {
    return this.pending.size;
  }

  add(request: PendingRequest): void {
    this.pending.set(request.id, request);
    request.addCleanup(() => this.pending.delete(request.id));
  }

  dispatch(envelope: Envelope): void {
    if (envelope.request_id === null) {
      if (envelope.type === 'error') this.onFrameLevelError(String((envelope.data as Partial<ErrorData>).error ?? ''));
      return;
    }
    const request = this.pending.get(envelope.request_id);
    if (!request) return;
    const { handlers } = request;
    switch (envelope.type) {
      case 'progress':
        handlers.onProgress?.(envelope.data as unknown as ProgressData);
        return;
      case 'update':
        handlers.onUpdate?.(envelope.data as unknown as UpdateData);
        return;
      case 'chunk':
        handlers.onChunk?.(envelope.data as unknown as ChunkData);
        return;
      case 'blob.start':
      case 'blob.chunk':
      case 'blob.end':
      case 'asset.upload_request':
      case 'blob.offloaded':
        try {
          if (!handlers.blobs) return;
          request.assembler ??= handlers.blobs();
          request.assembler.accept(envelope.type, envelope.data);
        } catch (error) {
          request.reject(error as BridgeError);
        }
        return;
      case 'result':
      case 'discover': {
        const fail = (error: unknown) =>
          request.reject(
            error instanceof BridgeError
              ? error
              : new ProtocolError(`the worker's reply to ${request.describe()} breaks the contract: ${(error as Error).message}`),
          );
        const settle = (blobs: Record<string, unknown>) => {
          try {
            const inline = envelope.data['blobs'] as Record<string, unknown> | undefined;
            request.resolve(request.parseReply(request.assembler ? { ...envelope.data, blobs: { ...inline, ...blobs } } : envelope.data));
          } catch (error) {
            fail(error);
          }
        };
        // Blobs streamed to a sink may still be being kept (an asset written out): the reply waits for them.
        if (request.assembler) request.assembler.take().then(settle, fail);
        else settle({});
        return;
      }
      case 'error': {
        const data = envelope.data as Partial<ErrorData>;
        const remote = typeof data.error === 'string' ? data.error : '';
        request.reject(
          new RemoteError(
            `Worker failed ${request.describe()}: ${remote || '(the worker gave no message)'}`,
            remote,
            typeof data.traceback === 'string' ? data.traceback : undefined,
          ),
        );
        return;
      }
      default:
        return;
    }
  }

  /** Rejects every request in flight with an error built for each, so each message names its own node type. */
  rejectAll(makeError: (request: PendingRequest) => BridgeError): void {
    for (const request of [...this.pending.values()]) request.reject(makeError(request));
  }
}
