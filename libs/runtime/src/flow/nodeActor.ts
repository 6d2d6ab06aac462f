import type { NodeRunRecord } from '@nt/api-contract';
import { NodeFailedError } from '../errors.js';
import type { GraphNode } from '../graph.js';
import type { NodeContext, NodeExecutor } from '../nodeExecutor.js';
import type { NodeStatus, RunEvent } from '../runEvents.js';
import { sinkName } from '../sinkName.js';
import { firings, heldInputs, streamFailure } from './firings.js';
import type { EdgeEnd, NodeInbox } from './nodeInbox.js';
import { RecordedItems } from './recordedItems.js';
import type { NodePlan } from './streamPlan.js';

/** What every node of a run shares: the run's identity, its events, and where outputs go. */
export interface RunHost {
  readonly jobId: string;
  readonly workflowId: string;
  readonly signal: AbortSignal;
  readonly maxRecordedItems: number;
  executorFor(node: GraphNode): NodeExecutor;
  emit(event: RunEvent): void;
  /** Puts a value of the node's output slot on every edge leaving that slot. */
  route(nodeId: string, slot: string, value: unknown): void;
  /** Ends every edge leaving the node. */
  endEdges(nodeId: string, end: EdgeEnd): void;
  /** The first failure of the run, with the node it names. */
  failed(error: NodeFailedError): void;
}

/**
 * One node's part of a run: it waits for its inputs as its plan says (firings.ts), fires once or once
 * per batch, sends what it emits on as it is emitted, keeps its record, and ends its outgoing edges
 * with its outcome, which is how the nodes after it learn they can no longer fire.
 *
 * A class rather than closures: a run of a 100,000-node graph makes one per node, and most of them
 * never start (skipped behind a failure); their methods cost nothing until called.
 */
export class NodeActor {
  private executor: NodeExecutor | undefined;
  private context: NodeContext | undefined;
  private started: number | undefined;
  private items = 0;
  /** The outputs of a node that emits a stream, as the record keeps them. */
  private streamed: Map<string, RecordedItems> | null = null;

  constructor(
    private readonly host: RunHost,
    private readonly plan: NodePlan,
    private readonly inbox: NodeInbox,
    private readonly record: NodeRunRecord,
  ) {}

  async run(): Promise<void> {
    const { node } = this.plan;
    try {
      if (this.plan.perItem) {
        for await (const firing of firings(this.plan, this.inbox)) {
          if ('skipped' in firing) return this.skip(firing.skipped);
          await this.fire({ ...node.data, ...firing.inputs });
        }
      } else {
        const firing = await heldInputs(this.plan, this.inbox);
        if ('skipped' in firing) return this.skip(firing.skipped);
        await this.fire({ ...node.data, ...firing.inputs });
      }
      if (!this.executor) {
        // Fed only by streams that brought nothing: it ran zero times, unless a stream's source failed.
        const failure = streamFailure(this.plan, this.inbox);
        if (failure) return this.skip(failure);
        this.started = performance.now();
        this.setStatus('running');
        // A sink still says what it received: nothing.
        if (this.plan.perItem && this.isSink()) this.recorded('output');
      }
      this.keepStreamed();
      this.setStatus('completed', this.elapsed());
      this.host.endEdges(node.id, {});
    } catch (error) {
      this.keepStreamed();
      if (this.host.signal.aborted) {
        if (this.started !== undefined) this.setStatus('cancelled', this.elapsed());
        else this.setStatus('skipped', { error: 'the run was cancelled' });
        this.host.endEdges(node.id, { failure: 'the run was cancelled' });
        return;
      }
      const message = (error as Error).message;
      this.host.failed(new NodeFailedError(node.id, node.type, `node "${node.id}" (${node.type}) failed: ${message}`, { cause: error }));
      // A graph problem found while gathering inputs: the node is shown starting, then failing, as it always was.
      if (this.started === undefined) {
        this.started = performance.now();
        this.setStatus('running');
      }
      this.setStatus('failed', { error: message, ...this.elapsed() });
      this.host.endEdges(node.id, { failure: `skipped because node "${node.id}" failed` });
    } finally {
      if (this.inbox.spilled > 0) this.record.spilled_items = this.inbox.spilled;
      this.inbox.dispose();
    }
  }

  private async fire(values: Record<string, unknown>): Promise<void> {
    const executor = this.executor ?? this.start();
    const context = this.context as NodeContext;
    if (this.plan.streamingOutput && executor.stream) {
      for await (const item of executor.stream(values, context)) this.emitItem(item, true);
      return;
    }
    const outputs = await executor.run(values, context);
    if (this.plan.emitsStream) return this.emitItem(outputs, false);
    if (executor.isSink) this.announce(outputs['output']);
    this.record.outputs = outputs;
    for (const [slot, value] of Object.entries(outputs)) if (value !== undefined) this.host.route(this.plan.node.id, slot, value);
  }

  /** The first firing: the node's executor, its planned worker, its running status. */
  private start(): NodeExecutor {
    const { node } = this.plan;
    this.started = performance.now();
    let unplaceable: unknown;
    try {
      this.executor = this.host.executorFor(node);
      const planned = this.executor.plannedWorker?.();
      if (planned) this.record.worker = planned;
    } catch (error) {
      unplaceable = error;
    }
    this.context = this.makeContext();
    this.setStatus('running');
    // A listener of the running event may have aborted the run already: then the node does not start.
    this.host.signal.throwIfAborted();
    if (!this.executor) throw unplaceable;
    return this.executor;
  }

  /** One item of a stream: recorded, announced by a sink, and on its way to the inputs after it. */
  private emitItem(outputs: Record<string, unknown>, fromStream: boolean): void {
    if (this.executor?.isSink && outputs['output'] !== undefined) this.announce(outputs['output'], this.items);
    this.items++;
    for (const [slot, value] of Object.entries(outputs)) {
      // A streamed item carries the slots it produced this time; a null slot produced nothing.
      if (value === undefined || (fromStream && value === null)) continue;
      this.recorded(slot).push(value);
      this.host.route(this.plan.node.id, slot, value);
    }
  }

  private announce(value: unknown, item?: number): void {
    const { node } = this.plan;
    this.host.emit({
      type: 'output_update',
      job_id: this.host.jobId,
      node_id: node.id,
      node_name: sinkName(node),
      output_name: 'output',
      value,
      ...(item === undefined ? {} : { item }),
    });
  }

  private recorded(slot: string): RecordedItems {
    this.streamed ??= new Map();
    let recorded = this.streamed.get(slot);
    if (!recorded) this.streamed.set(slot, (recorded = new RecordedItems(this.host.maxRecordedItems)));
    return recorded;
  }

  private keepStreamed(): void {
    if (!this.streamed) return;
    const entries = [...this.streamed];
    this.record.outputs = Object.fromEntries(entries.map(([slot, recorded]) => [slot, recorded.value()]));
    this.record.streamed = Object.fromEntries(entries.map(([slot, recorded]) => [slot, { items: recorded.items, left_out: recorded.leftOut }]));
  }

  private skip(reason: string): void {
    this.setStatus('skipped', { error: reason });
    this.host.endEdges(this.plan.node.id, { failure: reason });
  }

  private isSink(): boolean {
    try {
      return this.host.executorFor(this.plan.node).isSink === true;
    } catch {
      return false;
    }
  }

  private elapsed(): { duration_ms?: number } {
    return this.started === undefined ? {} : { duration_ms: Math.round(performance.now() - this.started) };
  }

  private setStatus(status: NodeStatus, extra: { error?: string; duration_ms?: number } = {}): void {
    const { node } = this.plan;
    Object.assign(this.record, { status, ...extra });
    const worker = this.record.worker ? { worker: this.record.worker } : {};
    this.host.emit({ type: 'node_update', job_id: this.host.jobId, node_id: node.id, node_type: node.type, status, ...extra, ...worker });
  }

  private makeContext(): NodeContext {
    return new ActorContext(this.host, this.plan.node.id, (name) => {
      if (this.record.worker === name) return;
      this.record.worker = name;
      this.setStatus('running');
    });
  }
}

/** What a node's executor may report while it runs, as run events of its node. */
class ActorContext implements NodeContext {
  readonly jobId: string;
  readonly workflowId: string;
  readonly signal: AbortSignal;

  constructor(
    private readonly host: RunHost,
    readonly nodeId: string,
    /** Placed elsewhere than planned (its worker went away): say where it really runs. */
    readonly reportWorker: (name: string) => void,
  ) {
    this.jobId = host.jobId;
    this.workflowId = host.workflowId;
    this.signal = host.signal;
  }

  reportProgress(progress: number, total: number): void {
    this.host.emit({ type: 'node_progress', job_id: this.jobId, node_id: this.nodeId, progress, total });
  }

  reportLog(content: string, severity: string): void {
    this.host.emit({ type: 'log_update', job_id: this.jobId, node_id: this.nodeId, content, severity });
  }

  reportPreview(value: unknown, outputName?: string): void {
    this.host.emit({ type: 'node_preview', job_id: this.jobId, node_id: this.nodeId, value, ...(outputName ? { output_name: outputName } : {}) });
  }

  reportSecretWithheld(setting: string, reason: string): void {
    this.host.emit({ type: 'secret_withheld', job_id: this.jobId, node_id: this.nodeId, setting, reason });
  }
}
