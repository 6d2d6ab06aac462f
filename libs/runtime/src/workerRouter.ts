import type { PythonBridge } from '@nt/bridge';
import type { ModelKeepAlive } from './models/modelKeepAlive.js';

/** A worker a Python node can run on. */
export interface WorkerHandle {
  bridge: PythonBridge;
  /** How run records name it: its URL without credentials (`bridge.target`). */
  name: string;
  /** Its model keep-alive, when runs on it keep their models. */
  keepAlive?: ModelKeepAlive;
}

/**
 * Which worker runs each Python node of a run. The run has a home worker (chosen before it started;
 * its missing models are fetched there); a node that is about to start goes to the home worker while
 * it is connected, else to another connected worker that offers the node's type.
 */
export interface WorkerRouter {
  readonly home: WorkerHandle;
  /** The worker for a node about to start, never one in `avoid`; null when no worker can run it now. */
  forNode(nodeType: string, avoid?: ReadonlySet<PythonBridge>): WorkerHandle | null;
  /**
   * For a node whose worker was lost, when none can take it now: waits for one that will (a scaled group
   * renting a replacement), or null when none came in time or the run was cancelled. Absent: no waiting.
   */
  waitForNode?(nodeType: string, avoid: ReadonlySet<PythonBridge>, signal: AbortSignal): Promise<WorkerHandle | null>;
}

/** One worker for everything (a CLI, a server with one worker): nodes go to it whatever its state. */
export function singleWorker(bridge: PythonBridge, keepAlive?: ModelKeepAlive): WorkerRouter {
  const home: WorkerHandle = { bridge, name: bridge.target, ...(keepAlive ? { keepAlive } : {}) };
  return { home, forNode: (_type, avoid) => (avoid?.has(bridge) ? null : home) };
}
