/** Project commands: init, import, info. */
import type { Command } from 'commander';
import { formatImportSummary, formatStats } from '../format.js';
import { UsageError } from '../errors.js';
import { awaitEvent, parseInteger, progressLine, withSession } from '../session.js';

interface ImportOptions {
  data?: string;
  maxPixels?: string;
  transcripts?: string;
  extendAlphabet?: boolean;
  labelFromFolder?: string[];
  defaultTargets: boolean;
  json?: boolean;
}

/** TARGET or TARGET:LEVEL (the last ':' separates; target names cannot contain one). */
function parseFolderRule(value: string): { target: string; level: number } {
  const at = value.lastIndexOf(':');
  if (at < 0) return { target: value, level: 1 };
  const target = value.slice(0, at);
  if (!target) throw new UsageError(`--label-from-folder must be TARGET or TARGET:LEVEL, got '${value}'`);
  return { target, level: parseInteger(value.slice(at + 1), '--label-from-folder LEVEL', 1) };
}

export function registerProjectCommands(program: Command): void {
  program
    .command('init')
    .description('Create an empty project (the database, the images folder and the default targets) in DIR.')
    .option('--data <DIR>', 'the project folder')
    .option('--no-default-targets', 'start a new project without the default targets (digits, length, font_style, script)')
    .action(async (options: { data?: string; defaultTargets: boolean }) =>
      withSession(
        options.data,
        'create',
        async ({ api }) => {
          const info = await api.project.info({});
          const targets = await api.targets.list({});
          console.log(`project ${info.name} in ${info.dataDir} (schema version ${info.schemaVersion}, ${info.imageCount} images)`);
          console.log(`targets: ${targets.map((t) => t.name).join(', ') || 'none yet (add them with `polyhead targets add`)'}`);
        },
        { defaultTargets: options.defaultTargets },
      ),
    );

  program
    .command('import')
    .description(
      'Import images (folders recursively, following links; PNG, JPEG, WebP, GIF, BMP, TIFF), CSV/JSONL label files keyed by file name, and MNIST-style IDX files. Creates the project if missing. Ctrl+C cancels (what was loaded is kept).',
    )
    .argument('[PATH...]', 'files and folders to import')
    .option('--data <DIR>', 'the project folder')
    .option('--max-pixels <N>', 'reject images with more pixels than this (width x height)')
    .option('--transcripts <TARGET>', 'OCR line ground truth: NAME.gt.txt beside NAME.png (UTF-8, one line) becomes the value of this sequence target')
    .option('--extend-alphabet', "with --transcripts: add characters outside the target's alphabet to it (default: report those files, label the rest)")
    .option(
      '--label-from-folder <TARGET[:LEVEL]>',
      "the name of each image's folder (LEVEL folders up, 1 = its parent) is its class of the categorical TARGET, created if missing; repeat for several",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--no-default-targets', 'when the project is new: start it without the default targets')
    .option('--json', 'print the import summary as JSON')
    .action(async (paths: string[], options: ImportOptions) =>
      withSession(
        options.data,
        'create',
        async (session) => {
          if (paths.length === 0) throw new UsageError('give at least one PATH to import');
          if (options.extendAlphabet && !options.transcripts) throw new UsageError('--extend-alphabet goes with --transcripts TARGET');
          const maxPixels = options.maxPixels === undefined ? undefined : parseInteger(options.maxPixels, '--max-pixels', 1);
          const transcripts = options.transcripts ? { target: options.transcripts, extendAlphabet: options.extendAlphabet ?? false } : undefined;
          const labelFromFolder = options.labelFromFolder?.map(parseFolderRule);
          const finished = awaitEvent(session, 'import.finished', (job, id) => job.jobId === id);
          const progress = session.on('import.progress', (job) => progressLine(`importing ${job.done}/${job.total}`, job.done === job.total));
          const started = await session.api.imports.start({ paths, maxPixels, transcripts, labelFromFolder }).catch((error: unknown) => {
            finished.stop();
            throw error;
          });
          // Ctrl+C cancels: what was loaded is stored and the summary printed; a second Ctrl+C ends at once.
          const cancel = () => {
            process.once('SIGINT', () => process.exit(130));
            console.error('\ncancelling the import (Ctrl+C again to quit at once; the next start cleans up)');
            void session.api.imports.cancel({ jobId: started.jobId });
          };
          process.once('SIGINT', cancel);
          const job = await finished.until(started.jobId).finally(() => process.off('SIGINT', cancel));
          progress();
          if (job.summary) console.log(options.json ? JSON.stringify(job.summary, null, 2) : formatImportSummary(job.summary));
          if (job.state === 'cancelled') process.exitCode = 130;
          else if (job.state === 'failed' || !job.summary) throw new Error(`the import failed: ${job.error ?? 'no summary'}`);
        },
        { defaultTargets: options.defaultTargets },
      ),
    );

  program
    .command('info')
    .description('Counts per target and class: values, unknowns, and images not looked at yet.')
    .option('--data <DIR>', 'the project folder (must exist; opened read-only)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) =>
      withSession(options.data, 'read', async ({ api }) => {
        const stats = await api.project.stats({});
        console.log(options.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
      }),
    );
}
