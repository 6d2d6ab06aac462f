import { newJobId, type ClientCommand } from '@nt/api-contract';
import { toJsonValue } from '@nt/runtime';
import type { JobManager } from '../jobs/jobManager.js';
import { JobNotFoundError } from '../errors.js';
import { readRunRequest, type RunRequestDeps } from '../runs/runRequest.js';

/** What the commands use of the server: the runs, and what reading a run request needs. */
export interface CommandDeps extends RunRequestDeps {
  runs: Pick<JobManager, 'start' | 'get' | 'cancel'>;
}

/** What a command's handler may do to the client that sent it; the hub gives one per message. */
export interface CommandContext {
  app: CommandDeps;
  /** Sends the sender a message, with the request_id it gave. */
  reply(message: object): void;
  watch(jobId: string): void;
  unwatch(jobId: string): void;
  /** reconnect_job's replay (the hub's: it writes events in the same turn as it starts watching). */
  resume(jobId: string, lastSeq: number): Promise<void>;
}

type CommandOf<C extends ClientCommand['command']> = Extract<ClientCommand, { command: C }>;

/** One handler per command of the contract, typed from its schema: a missing or mistyped one is a compile error. */
export type CommandHandlers = { [C in ClientCommand['command']]: (command: CommandOf<C>, context: CommandContext) => void | Promise<void> };

export const COMMAND_HANDLERS: CommandHandlers = {
  run_job: async ({ data }, { app, reply, watch, unwatch }) => {
    const run = await readRunRequest(app, data);
    const jobId = run.jobId ?? newJobId();
    // Watching starts before the run does: its first events go out while start() runs.
    watch(jobId);
    try {
      await app.runs.start(run.workflow, run.params, jobId, run.models);
    } catch (error) {
      unwatch(jobId);
      throw error;
    }
    reply({ type: 'job_started', job_id: jobId });
  },
  reconnect_job: ({ data }, { resume }) => resume(data.job_id, data.last_seq),
  subscribe: async ({ data }, { app, reply, watch }) => {
    const job = await app.runs.get(data.job_id);
    if (!job) throw new JobNotFoundError(data.job_id);
    watch(data.job_id);
    // The state so far, so a late subscriber (or a reloaded page) is not left guessing.
    reply({ type: 'subscribed', job_id: data.job_id, job: toJsonValue(job) });
  },
  unsubscribe: ({ data }, { reply, unwatch }) => {
    unwatch(data.job_id);
    reply({ type: 'unsubscribed', job_id: data.job_id });
  },
  cancel_job: async ({ data }, { app, reply }) => reply({ type: 'cancel_result', job_id: data.job_id, cancelled: await app.runs.cancel(data.job_id) }),
};

/** Runs `command` by its handler. */
export async function runCommand(command: ClientCommand, context: CommandContext): Promise<void> {
  const handle = COMMAND_HANDLERS[command.command] as (command: ClientCommand, context: CommandContext) => void | Promise<void>;
  await handle(command, context);
}
