import { DB_HELP } from './commands/databaseHelp.js';
import { models, MODELS_HELP } from './commands/models.js';
import { nodesList, NODES_LIST_HELP } from './commands/nodesList.js';
import { rentedWorkers, RENTED_WORKERS_HELP } from './commands/rentedWorkers.js';
import { workerCapacity, WORKER_CAPACITY_HELP } from './commands/workerCapacity.js';
import { workerProfile, WORKER_PROFILE_HELP } from './commands/workerProfile.js';
import { workerStatus, WORKER_STATUS_HELP } from './commands/workerStatus.js';
import { workflowsRun, WORKFLOWS_RUN_HELP } from './commands/workflowsRun.js';
import type { ExitCode } from './exitCodes.js';
import type { Io } from './io.js';

/** One command of a group: its arguments after `nodetool <group> <command>`. */
export type Command = (args: string[], io: Io) => Promise<ExitCode>;

/**
 * The commands, grouped as the user types them (`nodetool worker status`). A group's usage is what
 * `nodetool <group> --help` prints, and what a missing or unknown command of that group is answered with.
 */
export interface CommandGroup {
  summary: string;
  usage: string;
  /** Named commands; a group without them takes its whole argument list itself (`models`, `run`). */
  commands?: Record<string, Command>;
  run?: Command;
}

const rented =
  (command: string): Command =>
  (args, io) =>
    rentedWorkers(command, args, io, io.confirm);

export const COMMAND_GROUPS: Record<string, CommandGroup> = {
  workflows: {
    summary: 'workflows run    Run a workflow file (.json or .ts)',
    usage: WORKFLOWS_RUN_HELP,
    commands: { run: (args, io) => workflowsRun(args, io, 'one') },
  },
  run: {
    summary: 'run              Run every workflow a .ts DSL file exports',
    usage: WORKFLOWS_RUN_HELP,
    run: (args, io) => workflowsRun(args, io, 'all'),
  },
  nodes: {
    summary: 'nodes list       List the node types a run can use',
    usage: NODES_LIST_HELP,
    commands: { list: nodesList },
  },
  worker: {
    summary: [
      'worker status    Check a worker: protocol, nodes, namespaces, round trip',
      '  worker profile   Add, list, show or remove the profiles GPU workers are rented from',
      '  worker create | list | stop | start | destroy   Rent and release GPU workers (through the server)',
      '  worker capacity  Spend today, each profile’s scale and instances, runs waiting for a worker',
    ].join('\n'),
    usage: [WORKER_STATUS_HELP, WORKER_PROFILE_HELP, RENTED_WORKERS_HELP, WORKER_CAPACITY_HELP].join('\n\n'),
    commands: {
      status: workerStatus,
      profile: workerProfile,
      create: rented('create'),
      list: rented('list'),
      stop: rented('stop'),
      start: rented('start'),
      destroy: rented('destroy'),
      capacity: workerCapacity,
    },
  },
  db: {
    summary: 'db migrate | status | copy   The server’s database (DATABASE_URL or NODETOOL_DB): migrate it, see its schema, copy it to Postgres',
    usage: DB_HELP,
    // Loaded when asked for: no other command opens a database (or needs SQLite's native part built).
    commands: {
      migrate: async (args, io) => (await import('./commands/databaseCommands.js')).dbMigrate(args, io),
      status: async (args, io) => (await import('./commands/databaseCommands.js')).dbStatus(args, io),
      copy: async (args, io) => (await import('./commands/databaseCommands.js')).dbCopy(args, io),
    },
  },
  models: {
    summary: "models           List, download, evict or delete the worker's HuggingFace models",
    usage: MODELS_HELP,
    run: models,
  },
};
