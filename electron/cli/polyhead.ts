/**
 * The `polyhead` command. Every project command goes through the same services, request
 * validation and events as the app (electron/cli/session.ts); options are per command
 * (commander), `--help` works on each, and unknown options are refused by name.
 */
import { Command, CommanderError } from 'commander';
import { DatabaseDamagedError, DatabaseTooNewError } from '../store/database.js';
import { registerExportCommands } from './commands/export.js';
import { registerMaintenanceCommands } from './commands/maintenance.js';
import { registerProjectCommands } from './commands/project.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSynthCommand } from './commands/synth.js';
import { registerTargetsCommand } from './commands/targets.js';
import { registerTrainingCommands } from './commands/training.js';
import { registerUsersCommand } from './commands/users.js';
import { EXIT, UsageError } from './errors.js';

const EPILOG = `
DIR holds the project: polyhead.sqlite and the stored images. import, init and serve create
it if missing; the other commands refuse a folder without a project.

Exit codes: 0 success; 1 the command failed (e.g. a run that did not complete); 2 usage
(unknown command or option, missing or invalid argument, no project at --data); 3 the
database was written by a newer Polyhead; 4 the database is damaged (see polyhead check).`;

function buildProgram(): Command {
  const program = new Command('polyhead')
    .description('label cropped text images with many targets, train multi-head CNNs')
    .addHelpText('after', EPILOG)
    .showHelpAfterError('(add --help for usage)')
    // Options belong to the command they follow (`targets --data DIR` lists, `targets add NAME --data DIR` adds).
    .enablePositionalOptions()
    .exitOverride();
  registerServeCommand(program);
  registerProjectCommands(program);
  registerTargetsCommand(program);
  registerExportCommands(program);
  registerTrainingCommands(program);
  registerSynthCommand(program);
  registerUsersCommand(program);
  registerMaintenanceCommands(program);
  const overrideAll = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride();
      overrideAll(sub);
    }
  };
  overrideAll(program);
  return program;
}

/** Runs one command. Actions that fail without throwing (a run that did not complete) set process.exitCode themselves. */
async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    process.exitCode = EXIT.usage;
    return;
  }
  const [first, topic] = argv;
  if (first === 'help' && topic !== undefined && !program.commands.some((c) => c.name() === topic)) {
    throw new UsageError(`unknown command '${topic}' (commands: ${program.commands.map((c) => c.name()).join(', ')})`);
  }
  await program.parseAsync(argv, { from: 'user' });
}

// `polyhead … | head` closes the pipe before the output ends: stop quietly as Unix tools do,
// not with an unhandled 'error' event and a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(EXIT.ok);
});

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander has printed the message (or the help) already.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof UsageError) {
    console.error(`polyhead: ${error.message}\n(add --help for usage)`);
    process.exitCode = EXIT.usage;
  } else if (error instanceof DatabaseTooNewError) {
    console.error(`polyhead: ${error.message}`);
    process.exitCode = EXIT.tooNew;
  } else if (error instanceof DatabaseDamagedError) {
    console.error(`polyhead: ${error.message}`);
    process.exitCode = EXIT.damaged;
  } else {
    console.error(`polyhead: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT.failed;
  }
});
