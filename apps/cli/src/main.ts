import { ConfigError } from '@nt/bridge';
import { models, MODELS_HELP } from './commands/models.js';
import { nodesList, NODES_LIST_HELP } from './commands/nodesList.js';
import { rentedWorkers, RENTED_WORKERS_HELP } from './commands/rentedWorkers.js';
import { workerProfile, WORKER_PROFILE_HELP } from './commands/workerProfile.js';
import { workerStatus, WORKER_STATUS_HELP } from './commands/workerStatus.js';
import { workflowsRun, WORKFLOWS_RUN_HELP } from './commands/workflowsRun.js';
import { EXIT, type ExitCode } from './exitCodes.js';
import { processIo, type Io } from './io.js';

export { EXIT, type ExitCode } from './exitCodes.js';

const HELP = `Usage: nodetool <command>

Commands:
  workflows run    Run a workflow file (.json or .ts)
  run              Run every workflow a .ts DSL file exports
  nodes list       List the node types a run can use
  worker status    Check a worker: protocol, nodes, namespaces, round trip
  worker profile   Add, list, show or remove the profiles GPU workers are rented from
  worker create | list | stop | start | destroy   Rent and release GPU workers (through the server)
  models           List, download, evict or delete the worker's HuggingFace models

Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 worker unreachable, 4 token rejected.

${WORKFLOWS_RUN_HELP}

${NODES_LIST_HELP}

${WORKER_STATUS_HELP}

${WORKER_PROFILE_HELP}

${RENTED_WORKERS_HELP}

${MODELS_HELP}`;

/** Runs one command line and returns its exit code; never calls process.exit. */
export async function runCli(argv: string[], io: Io = processIo): Promise<ExitCode> {
  const [group, command, ...rest] = argv;
  try {
    if (group === 'worker' && command === 'status') return await workerStatus(rest, io);
    if (group === 'worker' && command === 'profile') return await workerProfile(rest, io);
    if (group === 'worker' && ['create', 'list', 'stop', 'start', 'destroy'].includes(command as string))
      return await rentedWorkers(command as string, rest, io, io.confirm);
    if (group === 'workflows' && command === 'run') return await workflowsRun(rest, io, 'one');
    if (group === 'run') return await workflowsRun(argv.slice(1), io, 'all');
    if (group === 'nodes' && command === 'list') return await nodesList(rest, io);
    if (group === 'models') return await models(argv.slice(1), io);
    if (group === undefined || group === '--help' || group === '-h' || group === 'help') {
      io.out(HELP);
      return EXIT.ok;
    }
    io.err(`nodetool: unknown command "${[group, command].filter(Boolean).join(' ')}"\n\n${HELP}`);
    return EXIT.usage;
  } catch (error) {
    // parseArgs throws on unknown or malformed options.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`nodetool: ${(error as Error).message}`);
      return EXIT.usage;
    }
    // A setting that cannot work (a workers file with a typo, say) is one line naming it.
    if (error instanceof ConfigError) {
      io.err(`nodetool: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}
