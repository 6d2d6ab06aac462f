import { BridgeTimeoutError, ConfigError, ConnectionClosedError, NotConnectedError, RemoteError } from '@nt/bridge';
import { ProviderCallError } from '@nt/providers';
import { ProfileError } from '@nt/provisioning';
import { GraphTooLargeError, GraphValidationError, InvalidKeepAliveError, WorkflowFormatError } from '@nt/runtime';
import { RentError } from '../rented/rentedWorkers.js';
import {
  DownloadInProgressError,
  InvalidRequestError,
  JobExistsError,
  JobNotFoundError,
  JobNotRunningError,
  ModelNotCachedError,
  TooManyRunsError,
  WorkerUnavailableError,
  WorkflowNotFoundError,
} from '../errors.js';

/** An error with the HTTP status it should answer with; its message is shown to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * The one map from what went wrong to a status, for HTTP responses and WebSocket error messages alike.
 * Unknown errors are 500s whose message says nothing of the internals.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // At most 200 issues travel back: a 10,000-node graph of typos should not answer with megabytes.
  if (error instanceof GraphValidationError) return new HttpError(400, error.message, { issues: error.issues.slice(0, 200), issue_count: error.issues.length });
  if (error instanceof WorkflowFormatError || error instanceof InvalidRequestError) return new HttpError(400, error.message);
  if (error instanceof WorkflowNotFoundError || error instanceof JobNotFoundError || error instanceof ModelNotCachedError)
    return new HttpError(404, error.message);
  if (error instanceof JobExistsError || error instanceof JobNotRunningError || error instanceof DownloadInProgressError)
    return new HttpError(409, error.message);
  if (error instanceof InvalidKeepAliveError) return new HttpError(400, error.message);
  if (error instanceof GraphTooLargeError) return new HttpError(413, error.message, { limit: error.limit, actual: error.actual, max: error.max });
  if (error instanceof TooManyRunsError) return new HttpError(429, error.message);
  if (error instanceof WorkerUnavailableError || error instanceof NotConnectedError || error instanceof ConnectionClosedError)
    return new HttpError(503, error.message);
  // The worker's own answer to a request the server passed on (a model download it could not do): its words, a gateway's status.
  if (error instanceof RemoteError) return new HttpError(502, error.message);
  if (error instanceof BridgeTimeoutError) return new HttpError(504, error.message);
  if (error instanceof RentError) return new HttpError(error.status, error.message);
  if (error instanceof ProfileError) return new HttpError(400, error.message, { field: error.field });
  // A provider key that is missing or refused: the server's configuration, named, never the key.
  if (error instanceof ConfigError) return new HttpError(424, error.message, { setting: error.setting });
  if (error instanceof ProviderCallError) return new HttpError(502, error.message);
  return new HttpError(500, 'internal server error');
}
