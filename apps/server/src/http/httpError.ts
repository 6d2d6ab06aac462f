import type { ErrorStatus } from '@nt/api-contract';
import { BridgeTimeoutError, ConfigError, ConnectionClosedError, NotConnectedError, RemoteError } from '@nt/bridge';
import { ProviderCallError } from '@nt/providers';
import { ProfileError } from '@nt/provisioning';
import { GraphTooLargeError, GraphValidationError, InvalidKeepAliveError, WorkflowFormatError } from '@nt/runtime';
import { AssetTooLargeError } from '../assets/tempAssetFile.js';
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  MisdirectedHostError,
  NotFoundError,
  NotReadyError,
  PayloadTooLargeError,
  ProviderFailedError,
  RangeNotSatisfiableError,
  TooManyRunsError,
  UnsupportedMediaTypeError,
  WorkerUnavailableError,
} from '../errors.js';

/** An error with the HTTP status it answers with; its message is shown to the client. Made only by toHttpError. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The one map from what went wrong to a status, for HTTP responses and WebSocket error messages alike.
 * Code says what happened by the error it throws (errors.ts, and the libraries' own); only this table
 * says which status that is. A subclass answers as its parent (WorkflowNotFoundError as NotFoundError).
 */
const STATUS_OF: ReadonlyArray<readonly [ErrorClass, ErrorStatus, details?: (error: never) => unknown]> = [
  // At most 200 issues travel back: a 10,000-node graph of typos should not answer with megabytes.
  [GraphValidationError, 400, (error: GraphValidationError) => ({ issues: error.issues.slice(0, 200), issue_count: error.issues.length })],
  [WorkflowFormatError, 400],
  [InvalidRequestError, 400],
  [InvalidKeepAliveError, 400],
  [ProfileError, 400, (error: ProfileError) => ({ field: error.field })],
  [AuthenticationError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [GraphTooLargeError, 413, (error: GraphTooLargeError) => ({ limit: error.limit, actual: error.actual, max: error.max })],
  [PayloadTooLargeError, 413],
  [AssetTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [RangeNotSatisfiableError, 416],
  [MisdirectedHostError, 421],
  // A provider key that is missing or refused: the server's configuration, named, never the key.
  [ConfigError, 424, (error: ConfigError) => ({ setting: error.setting })],
  [TooManyRunsError, 429],
  // The worker's own answer to a request the server passed on (a model download it could not do): its words, a gateway's status.
  [RemoteError, 502],
  [ProviderCallError, 502],
  [ProviderFailedError, 502],
  [WorkerUnavailableError, 503],
  [NotConnectedError, 503],
  [ConnectionClosedError, 503],
  [NotReadyError, 503],
  [BridgeTimeoutError, 504],
];

/** What `error` answers: its status from the table, its message; anything unknown is a 500 that says nothing of the internals. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  for (const [kind, status, details] of STATUS_OF) {
    if (error instanceof kind) return new HttpError(status, (error as Error).message, details?.(error as never));
  }
  return new HttpError(500, 'internal server error');
}

/** The status `error` answers with (the table's, or 500). */
export function statusOf(error: unknown): number {
  return toHttpError(error).status;
}
