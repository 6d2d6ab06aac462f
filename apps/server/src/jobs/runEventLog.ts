import type { ServerRunEvent, UnnumberedRunEvent } from '@nt/api-contract';
import { toJsonValue } from '@nt/runtime';

export interface RunEventLogLimits {
  /** Events kept per job (NODETOOL_RUN_EVENT_BUFFER). */
  events: number;
  /** What they may take per job, as JSON (NODETOOL_RUN_EVENT_BUFFER_BYTES). */
  bytes: number;
  /** How long an ended job's events stay for a client that reconnects late. */
  keepEndedMs?: number;
  /** Ended jobs whose events are kept at once (the newest). */
  keepEndedJobs?: number;
  /** What the events of every ended job may take together (the newest jobs' stay). */
  keepEndedBytes?: number;
}

/** A numbered event, and its JSON text: converted once, for every client and every replay. */
export interface LoggedEvent {
  event: ServerRunEvent;
  text: string;
}

/** What a reconnecting client gets: the events after the `seq` it saw, and how many it can no longer have. */
export interface EventsSince {
  texts: string[];
  /** Events after its `seq` that were dropped before it asked (past the job's bound). */
  skipped: number;
  /** The last `seq` of the job so far. */
  lastSeq: number;
  ended: boolean;
}

interface JobLog {
  seq: number;
  /** The kept events, oldest first (a ring from `start`). */
  texts: string[];
  start: number;
  bytes: number;
  endedAt: number | null;
  /** The order jobs ended in (times may tie). */
  endedAs: number;
}

const DEFAULT_KEEP_ENDED_MS = 5 * 60_000;
const DEFAULT_KEEP_ENDED_JOBS = 32;
const DEFAULT_KEEP_ENDED_BYTES = 64 * 1024 * 1024;

/**
 * Every run's events, numbered 1, 2, 3, … per job (`seq`), with the last ones kept in memory so a
 * client whose connection dropped can ask for what it missed (reconnect_job), the way an EventSource
 * resumes from Last-Event-ID. Bounded per job by count and by bytes (the oldest go first); an ended
 * job's events stay a few minutes for a client that comes back late (the newest ended jobs, within a
 * total), then go.
 */
export class RunEventLog {
  private readonly jobs = new Map<string, JobLog>();
  private ends = 0;

  constructor(private readonly limits: RunEventLogLimits) {}

  /** Numbers the event (the object given becomes the numbered one: pass a fresh object), converts it to JSON once, keeps it. */
  append(unnumbered: UnnumberedRunEvent): LoggedEvent {
    let log = this.jobs.get(unnumbered.job_id);
    if (!log) this.jobs.set(unnumbered.job_id, (log = { seq: 0, texts: [], start: 0, bytes: 0, endedAt: null, endedAs: 0 }));
    const event = unnumbered as ServerRunEvent;
    event.seq = ++log.seq;
    const text = JSON.stringify(toJsonValue(event));
    this.keep(log, text);
    return { event, text };
  }

  /** A run taken over from another replica: its events go on from the last `seq` that replica sent. */
  continueFrom(jobId: string, seq: number): void {
    if (!this.jobs.has(jobId)) this.jobs.set(jobId, { seq, texts: [], start: 0, bytes: 0, endedAt: null, endedAs: 0 });
  }

  /** The job ended: its events stay for a while (keepEndedMs), among the newest keepEndedJobs ended jobs. */
  end(jobId: string): void {
    const log = this.jobs.get(jobId);
    if (log) {
      log.endedAt = Date.now();
      log.endedAs = ++this.ends;
    }
    this.prune();
  }

  /** The events of a job after `lastSeq`, or null when the server holds none of its events. */
  since(jobId: string, lastSeq: number): EventsSince | null {
    this.prune();
    const log = this.jobs.get(jobId);
    if (!log) return null;
    const kept = log.texts.length;
    const oldest = log.seq - kept + 1;
    const from = Math.max(lastSeq + 1, oldest);
    const texts: string[] = [];
    for (let seq = from; seq <= log.seq; seq++) texts.push(log.texts[(log.start + (seq - oldest)) % kept] as string);
    return { texts, skipped: Math.max(0, oldest - (lastSeq + 1)), lastSeq: log.seq, ended: log.endedAt !== null };
  }

  private keep(log: JobLog, text: string): void {
    const bytes = text.length;
    log.bytes += bytes;
    if (log.texts.length < this.limits.events && log.start === 0) log.texts.push(text);
    else {
      // Full by count: the oldest slot is overwritten.
      log.bytes -= (log.texts[log.start] as string).length;
      log.texts[log.start] = text;
      log.start = (log.start + 1) % log.texts.length;
    }
    // Over by bytes: drop the oldest until it fits (the newest stays, whatever its size).
    while (log.bytes > this.limits.bytes && log.texts.length > 1) this.dropOldest(log);
  }

  private dropOldest(log: JobLog): void {
    const ordered = [...log.texts.slice(log.start), ...log.texts.slice(0, log.start)];
    const dropped = ordered.shift() as string;
    log.bytes -= dropped.length;
    log.texts = ordered;
    log.start = 0;
  }

  private prune(): void {
    const keepMs = this.limits.keepEndedMs ?? DEFAULT_KEEP_ENDED_MS;
    const now = Date.now();
    const maxJobs = this.limits.keepEndedJobs ?? DEFAULT_KEEP_ENDED_JOBS;
    const maxBytes = this.limits.keepEndedBytes ?? DEFAULT_KEEP_ENDED_BYTES;
    const ended = [...this.jobs].filter(([, log]) => log.endedAt !== null).sort(([, a], [, b]) => b.endedAs - a.endedAs);
    let bytes = 0;
    ended.forEach(([jobId, log], index) => {
      bytes += log.bytes;
      if (index >= maxJobs || bytes > maxBytes || now - (log.endedAt as number) > keepMs) this.jobs.delete(jobId);
    });
  }
}
