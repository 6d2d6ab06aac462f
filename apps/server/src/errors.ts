/**
 * What can go wrong in the server's own terms. Routes and the WebSocket throw these; one function
 * (http/httpError.ts, toHttpError) turns them into a status, the same over HTTP and WebSocket. Clients
 * read that status (each route's contract lists the ones it answers) and the message; there are no
 * separate error codes.
 */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request itself is malformed (a field of the wrong type, a bad id, a body that is not JSON). */
export class InvalidRequestError extends DomainError {}

/** Something the request names does not exist (a workflow, a job, a profile, a rented worker, an asset). */
export class NotFoundError extends DomainError {}

/** What the request names is in a state that does not allow it (a worker not running, a cap reached). */
export class ConflictError extends DomainError {}

/** No token, or a wrong one. */
export class AuthenticationError extends DomainError {}

/** Refused for where the request comes from (another site, an origin not allowed). */
export class ForbiddenError extends DomainError {}

/** A Host this server does not answer to (a DNS-rebinding page). */
export class MisdirectedHostError extends DomainError {}

/** A body sent with a Content-Type the route does not take. */
export class UnsupportedMediaTypeError extends DomainError {}

/** A body over its limit (an upload over NODETOOL_MAX_UPLOAD_BYTES). */
export class PayloadTooLargeError extends DomainError {}

/** A byte range outside the asset. */
export class RangeNotSatisfiableError extends DomainError {}

/** A provider refused or failed a call the request needed; nothing was left half done. */
export class ProviderFailedError extends DomainError {}

/** The server is up but cannot take work yet (a readiness probe). */
export class NotReadyError extends DomainError {}

export class WorkflowNotFoundError extends NotFoundError {
  constructor(readonly workflowId: string) {
    super(`no workflow with id "${workflowId}"`);
  }
}

export class JobNotFoundError extends NotFoundError {
  constructor(readonly jobId: string) {
    super(`no job with id "${jobId}"`);
  }
}

/** A run with this id exists already. */
export class JobExistsError extends ConflictError {
  constructor(readonly jobId: string) {
    super(`a job with id "${jobId}" already exists`);
  }
}

/** A job that has ended cannot be cancelled. */
export class JobNotRunningError extends ConflictError {
  constructor(jobId: string, status: string) {
    super(`job "${jobId}" is not running (it is ${status})`);
  }
}

/** A run needs Python nodes but no worker is connected, or the server is shutting down. */
export class WorkerUnavailableError extends DomainError {}

/** The server runs as many runs as it allows and its queue is full (NODETOOL_MAX_QUEUED_RUNS). */
export class TooManyRunsError extends DomainError {}

/** A model (or a download of it) the worker does not have. */
export class ModelNotCachedError extends NotFoundError {
  constructor(
    readonly model: string,
    message = `${model} is not in the worker's cache`,
  ) {
    super(message);
  }
}

/** The model is being downloaded; deleting it now would race the download. */
export class DownloadInProgressError extends ConflictError {
  constructor(readonly model: string) {
    super(`${model} is being downloaded; cancel the download first (POST /api/models/download/cancel)`);
  }
}
