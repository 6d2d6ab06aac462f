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

/** The request itself is malformed (a field of the wrong type, a bad id). */
export class InvalidRequestError extends DomainError {}

export class WorkflowNotFoundError extends DomainError {
  constructor(readonly workflowId: string) {
    super(`no workflow with id "${workflowId}"`);
  }
}

export class JobNotFoundError extends DomainError {
  constructor(readonly jobId: string) {
    super(`no job with id "${jobId}"`);
  }
}

/** A run with this id exists already. */
export class JobExistsError extends DomainError {
  constructor(readonly jobId: string) {
    super(`a job with id "${jobId}" already exists`);
  }
}

/** A job that has ended cannot be cancelled. */
export class JobNotRunningError extends DomainError {
  constructor(jobId: string, status: string) {
    super(`job "${jobId}" is not running (it is ${status})`);
  }
}

/** A run needs Python nodes but no worker is connected, or the server is shutting down. */
export class WorkerUnavailableError extends DomainError {}

/** The server runs as many runs as it allows and its queue is full (NODETOOL_MAX_QUEUED_RUNS). */
export class TooManyRunsError extends DomainError {}

/** A model (or a download of it) the worker does not have. */
export class ModelNotCachedError extends DomainError {
  constructor(
    readonly model: string,
    message = `${model} is not in the worker's cache`,
  ) {
    super(message);
  }
}

/** The model is being downloaded; deleting it now would race the download. */
export class DownloadInProgressError extends DomainError {
  constructor(readonly model: string) {
    super(`${model} is being downloaded; cancel the download first (POST /api/models/download/cancel)`);
  }
}
