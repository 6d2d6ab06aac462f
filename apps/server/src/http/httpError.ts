import { GraphValidationError, WorkflowFormatError } from '@nt/runtime';
import { WorkerUnavailableError } from '../jobs/jobManager.js';

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

/** Maps any thrown error to a status and a JSON body; unknown errors are 500s without internals. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof GraphValidationError) return new HttpError(400, error.message, { issues: error.issues });
  if (error instanceof WorkflowFormatError) return new HttpError(400, error.message);
  if (error instanceof WorkerUnavailableError) return new HttpError(503, error.message);
  return new HttpError(500, 'internal server error');
}
