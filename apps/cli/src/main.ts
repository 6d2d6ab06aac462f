import { ConfigError } from '@nt/bridge';
import { systemSettings } from '@nt/providers';
import { settingsHelp } from '@nt/settings';
import { COMMAND_GROUPS, type CommandGroup } from './commandGroups.js';
import { EXIT, type ExitCode } from './exitCodes.js';
import { processIo, type Io } from './io.js';

export { EXIT, type ExitCode } from './exitCodes.js';

const HELP_FLAGS = new Set(['--help', '-h', 'help']);

const HELP = `Usage: nodetool <command>

Commands:
${Object.values(COMMAND_GROUPS)
  .map((group) => `  ${group.summary}`)
  .join('\n')}

Exit codes: 0 ok, 1 failed, 2 usage or invalid input, 3 worker unreachable, 4 token rejected, 5 interrupted (the server stopped during the run).
\`nodetool <group> --help\` (nodetool worker --help) prints one group's usage.

Settings (environment variables):
${settingsHelp(['cli', 'bridge'], systemSettings())}

${[...new Set(Object.values(COMMAND_GROUPS).map((group) => group.usage))].join('\n\n')}`;

/** Runs one command line and returns its exit code; never calls process.exit. */
export async function runCli(argv: string[], io: Io = processIo): Promise<ExitCode> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || HELP_FLAGS.has(first)) {
      // `nodetool help worker` is `nodetool worker --help`.
      const asked = rest[0] !== undefined ? COMMAND_GROUPS[rest[0]] : undefined;
      io.out(asked ? asked.usage : HELP);
      return EXIT.ok;
    }
    const group = Object.hasOwn(COMMAND_GROUPS, first) ? COMMAND_GROUPS[first] : undefined;
    if (!group) {
      io.err(`nodetool: unknown command "${first}"\n\n${HELP}`);
      return EXIT.usage;
    }
    return await runGroup(first, group, rest, io);
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

async function runGroup(name: string, group: CommandGroup, args: string[], io: Io): Promise<ExitCode> {
  if (group.run) return group.run(args, io);
  const [command, ...rest] = args;
  if (command !== undefined && HELP_FLAGS.has(command)) {
    io.out(group.usage);
    return EXIT.ok;
  }
  const run = command !== undefined && group.commands && Object.hasOwn(group.commands, command) ? group.commands[command] : undefined;
  if (!run) {
    const known = Object.keys(group.commands ?? {}).join(', ');
    io.err(
      `${command === undefined ? `nodetool ${name}: which command? (${known})` : `nodetool ${name}: unknown command "${command}" (${known})`}\n\n${group.usage}`,
    );
    return EXIT.usage;
  }
  return run(rest, io);
}
