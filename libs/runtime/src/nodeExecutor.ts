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
  /** A setting the node asked for that this process has but did not send, and why. */
  reportSecretWithheld(setting: string, reason: string): void;
  /** The worker the node runs on (recorded in its run record and its updates). */
  reportWorker(name: string): void;
}

/** Runs one node: property values in (edge inputs already merged over `data`), output slots out. */
export interface NodeExecutor {
  run(values: Record<string, unknown>, context: NodeContext): Promise<Record<string, unknown>>;
  /** Where the node would run if it started now, so its first running update can say so. */
  plannedWorker?(): string | undefined;
}

/** A node implemented in TypeScript. */
export interface BuiltinNode extends NodeExecutor {
  metadata: NodeMetadata;
  /** Preview and Output nodes: their values become run outputs. */
  isSink?: boolean;
}
