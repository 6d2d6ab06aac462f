import type { NodeMetadata } from '@nt/protocol';

/** What a running node may use besides its inputs. */
export interface NodeContext {
  nodeId: string;
  jobId: string;
  workflowId: string;
  signal: AbortSignal;
  reportProgress(progress: number, total: number): void;
  /** A log line the node wrote (the worker's log_update). */
  reportLog(content: string, severity: string): void;
  /** What the node shows while it runs (the worker's preview_update / binary_update); never kept. */
  reportPreview(value: unknown, outputName?: string): void;
  /** A setting the node asked for that this process has but did not send, and why. */
  reportSecretWithheld(setting: string, reason: string): void;
  /** The worker the node runs on (recorded in its run record and its updates). */
  reportWorker(name: string): void;
}

/** Runs one node: property values in (edge inputs already merged over `data`), output slots out. */
export interface NodeExecutor {
  run(values: Record<string, unknown>, context: NodeContext): Promise<Record<string, unknown>>;
  /**
   * For a node whose metadata says `is_streaming_output`: its items as they come, each the output slots
   * it carries this time (a slot left out, or null, produced nothing). Breaking out of the loop stops it.
   */
  stream?(values: Record<string, unknown>, context: NodeContext): AsyncIterable<Record<string, unknown>>;
  /** Where the node would run if it started now, so its first running update can say so. */
  plannedWorker?(): string | undefined;
  /** Preview and Output nodes: every value they receive is announced (output_update) and becomes a run output. */
  readonly isSink?: boolean;
}

/** A node implemented in TypeScript. */
export interface BuiltinNode extends NodeExecutor {
  metadata: NodeMetadata;
}
