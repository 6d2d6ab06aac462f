/** The workflow file cannot be read as a workflow (not JSON, wrong shape). */
export class WorkflowFormatError extends Error {
  readonly code = 'WORKFLOW_ERR_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowFormatError';
  }
}

export interface ValidationIssue {
  /** The node the issue is about, when there is one. */
  nodeId?: string;
  /** Every node it is about, when there are several (an unknown type, said once). */
  nodeIds?: string[];
  message: string;
}

/** Issues listed in full; a graph with thousands of bad nodes gets a count for the rest. */
const LISTED_ISSUES = 50;

/** The graph does not validate; the issues are listed (the first 50 in the message), each naming its node. */
export class GraphValidationError extends Error {
  readonly code = 'WORKFLOW_ERR_INVALID';
  constructor(readonly issues: ValidationIssue[]) {
    const listed = issues.slice(0, LISTED_ISSUES).map((issue) => `  - ${issue.message}`);
    if (issues.length > LISTED_ISSUES) listed.push(`  - … and ${issues.length - LISTED_ISSUES} more`);
    super(`The workflow is invalid:\n${listed.join('\n')}`);
    this.name = 'GraphValidationError';
  }
}

/** The graph is larger than the configured limits allow; refused before any validation work. */
export class GraphTooLargeError extends Error {
  readonly code = 'WORKFLOW_ERR_TOO_LARGE';
  constructor(
    readonly limit: string,
    readonly actual: number,
    readonly max: number,
    message: string,
  ) {
    super(message);
    this.name = 'GraphTooLargeError';
  }
}

/** A node failed while running. */
export class NodeFailedError extends Error {
  readonly code = 'WORKFLOW_ERR_NODE_FAILED';
  constructor(
    readonly nodeId: string,
    readonly nodeType: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NodeFailedError';
  }
}

/** A node's worker went away while the node ran: it may or may not have done its work. */
export class WorkerLostError extends Error {
  readonly code = 'RUN_ERR_WORKER_LOST';
  constructor(
    readonly worker: string,
    cause: Error,
    retried: boolean,
  ) {
    super(
      retried
        ? `the worker ${worker} was lost while this node ran, for the second time (${cause.message})`
        : `the worker ${worker} was lost while this node ran (${cause.message}); it was not run again elsewhere, since it may have had effects (retry_on_worker_loss allows one more try on another worker)`,
      { cause },
    );
    this.name = 'WorkerLostError';
  }
}
