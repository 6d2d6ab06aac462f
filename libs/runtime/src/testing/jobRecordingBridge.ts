import { EventEmitter } from 'node:events';
import type { PythonBridge } from '@nt/bridge';
import type { JobEndReply } from '@nt/protocol';

/**
 * TEST FIXTURE: a bridge that only answers the run-boundary and eviction requests, keeping the
 * worker's job bookkeeping (which node ids each open job executed) the way the real worker does,
 * so a test can see what a release would free. Used for the keep-alive's unit specs; the real
 * worker's behaviour is covered by the integration suites.
 */
export class JobRecordingBridge extends EventEmitter {
  /** Requests in order: "start <job>", "end <job>", "evict". */
  readonly calls: string[] = [];
  /** Open jobs on the "worker": job id → node ids it executed. */
  readonly openJobs = new Map<string, Set<string>>();
  /** Set to make the next requests fail, as over a lost link. */
  failing: Error | null = null;

  /** What the worker notes when an execute arrives. */
  executed(jobId: string, nodeId: string): void {
    let nodes = this.openJobs.get(jobId);
    if (!nodes) this.openJobs.set(jobId, (nodes = new Set()));
    nodes.add(nodeId);
  }

  async startJob({ jobId }: { jobId: string }): Promise<void> {
    if (this.failing) throw this.failing;
    this.calls.push(`start ${jobId}`);
    if (!this.openJobs.has(jobId)) this.openJobs.set(jobId, new Set());
  }

  async endJob({ jobId }: { jobId: string }): Promise<JobEndReply> {
    if (this.failing) throw this.failing;
    this.calls.push(`end ${jobId}`);
    const nodes = this.openJobs.get(jobId);
    this.openJobs.delete(jobId);
    if (!nodes) return { job_id: jobId, released_nodes: [], known: false };
    const stillOpen = new Set([...this.openJobs.values()].flatMap((other) => [...other]));
    return { job_id: jobId, released_nodes: [...nodes].filter((node) => !stillOpen.has(node)).sort(), known: true };
  }

  async evictModels(): Promise<{ evicted: string[] }> {
    if (this.failing) throw this.failing;
    this.calls.push('evict');
    return { evicted: ['all'] };
  }
}

export function jobRecordingBridge(): JobRecordingBridge & PythonBridge {
  return new JobRecordingBridge() as JobRecordingBridge & PythonBridge;
}
