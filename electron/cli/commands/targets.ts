/**
 * `polyhead targets`: list, add, rename and remove a project's targets, through the same
 * targets service as the app's Targets view.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { TargetDef } from '../../../shared/targets.js';
import { UsageError } from '../errors.js';
import { formatTargets } from '../format-targets.js';
import { ApiCallError, parseInteger, withSession, type Session } from '../session.js';

interface DataOption {
  data?: string;
  json?: boolean;
}

async function targetNamed(session: Session, name: string): Promise<TargetDef> {
  const targets = await session.api.targets.list({});
  const target = targets.find((t) => t.name === name);
  if (!target) throw new Error(`no target named '${name}' (targets: ${targets.map((t) => t.name).join(', ') || 'none'})`);
  return target;
}

/** Asks a yes/no question on the terminal; false when there is no terminal to ask on. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerTargetsCommand(program: Command): void {
  // `targets --data DIR add NAME` works too: a subcommand without its own --data takes the one before it.
  const dataOf = (options: { data?: string }) => options.data ?? targets.opts<DataOption>().data;
  const targets: Command = program
    .command('targets')
    // Its own --data only before a subcommand: `targets add NAME --data DIR` gives it to add.
    .enablePositionalOptions()
    .description('List the targets (name, kind, classes or alphabet, label counts); `targets add|rename|remove` change them.')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--json', 'print JSON')
    .action(async (options: DataOption) =>
      withSession(options.data, 'existing', async ({ api }) => {
        const [list, stats] = await Promise.all([api.targets.list({}), api.project.stats({})]);
        console.log(options.json ? JSON.stringify({ targets: list, stats: stats.targets }, null, 2) : formatTargets(list, stats));
      }),
    );

  targets
    .command('add')
    .description('Add a categorical target (--classes) or a sequence target (--alphabet and --max-length; a length target follows it).')
    .argument('<NAME>', 'the new target')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--classes <LIST>', 'categorical: comma-separated class names, e.g. serif,sans,mono')
    .option('--alphabet <CHARS>', "sequence: every character a value may contain, e.g. 0123456789 or 'abc xyz'")
    .option('--max-length <N>', 'sequence: positions a model predicts (1-64); longer values get the length >N')
    .option('--length-name <NAME>', 'sequence: the name of its length target (default NAME_length)')
    .option('--no-length', 'sequence: no length target')
    .action(async (name: string, options: { data?: string; classes?: string; alphabet?: string; maxLength?: string; lengthName?: string; length: boolean }) => {
      if ((options.classes === undefined) === (options.alphabet === undefined)) {
        throw new UsageError('give either --classes a,b,c (a categorical target) or --alphabet CHARS --max-length N (a sequence target)');
      }
      if (options.classes !== undefined && (options.maxLength !== undefined || options.lengthName !== undefined || !options.length)) {
        throw new UsageError('--max-length, --length-name and --no-length belong to a sequence target (--alphabet)');
      }
      if (options.alphabet !== undefined && options.maxLength === undefined) throw new UsageError('a sequence target needs --max-length N (1-64)');
      const maxLength = options.maxLength === undefined ? 0 : parseInteger(options.maxLength, '--max-length', 1);
      await withSession(dataOf(options), 'existing', async ({ api }) => {
        if (options.classes !== undefined) {
          const classes = options.classes
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean);
          const target = await api.targets.createCategorical({ name, classes });
          console.log(`added categorical target '${target.name}' with ${target.classes.length} classes: ${target.classes.map((c) => c.name).join(', ')}`);
        } else {
          const lengthName = options.length ? options.lengthName : null;
          const target = await api.targets.createSequence({ name, alphabet: options.alphabet!, maxLength, lengthName });
          const length = (await api.targets.list({})).find((t) => t.kind === 'length' && t.sourceTargetId === target.id);
          console.log(
            `added sequence target '${target.name}': alphabet '${target.alphabet}' (${[...(target.alphabet ?? '')].length} characters), up to ${target.maxLength} positions modelled` +
              (length ? `; its length target '${length.name}' has classes ${length.classes.map((c) => c.name).join(', ')}` : '; no length target'),
          );
        }
      });
    });

  targets
    .command('rename')
    .description('Rename a target; its labels, classes and keys stay.')
    .argument('<OLD>', 'the target')
    .argument('<NEW>', 'its new name')
    .option('--data <DIR>', 'the project folder (must exist)')
    .action(async (oldName: string, newName: string, options: DataOption) =>
      withSession(dataOf(options), 'existing', async (session) => {
        const target = await targetNamed(session, oldName);
        const renamed = await session.api.targets.rename({ targetId: target.id, name: newName });
        console.log(`renamed target '${renamed.previousName}' to '${renamed.name}'`);
        if (renamed.runsNamingPrevious.length > 0) {
          console.log(
            `note: run(s) ${renamed.runsNamingPrevious.join(', ')} name '${renamed.previousName}' in their specs; their heads on it predict nothing now (specs bind targets by name)`,
          );
        }
      }),
    );

  targets
    .command('remove')
    .description('Remove a target with its labels (and a sequence with its length target). Asks first when labels exist, or needs --force; not undoable.')
    .argument('<NAME>', 'the target')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--force', 'remove it even when it has labels, without asking')
    .action(async (name: string, options: { data?: string; force?: boolean }) =>
      withSession(dataOf(options), 'existing', async (session) => {
        const target = await targetNamed(session, name);
        const remove = (force: boolean) => session.api.targets.remove({ targetId: target.id, force });
        let result;
        try {
          result = await remove(options.force ?? false);
        } catch (error) {
          if (!(error instanceof ApiCallError) || error.body.code !== 'conflict') throw error;
          if (!(await confirm(`${error.message}. Remove it?`))) {
            throw new Error(`${error.message}; nothing was removed (pass --force to remove it)`, { cause: error });
          }
          result = await remove(true);
        }
        const names = result.removed.map((t) => `'${t.name}'`).join(' and ');
        console.log(`removed ${names}: ${result.humanLabels} human label(s) and ${result.modelLabels} model prediction(s) deleted`);
      }),
    );

  for (const command of targets.commands) command.exitOverride();
}
