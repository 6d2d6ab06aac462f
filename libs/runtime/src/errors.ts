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

/** The graph does not validate; every issue is listed, each naming its node. */
export class GraphValidationError extends Error {
  readonly code = 'WORKFLOW_ERR_INVALID';
  constructor(readonly issues: ValidationIssue[]) {
    super(`The workflow is invalid:\n${issues.map((issue) => `  - ${issue.message}`).join('\n')}`);
    this.name = 'GraphValidationError';
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
