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
