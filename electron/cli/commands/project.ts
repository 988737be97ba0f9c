/** Project commands: init, import, info. */
import type { Command } from 'commander';
import { formatImportSummary, formatStats } from '../format.js';
import { UsageError } from '../errors.js';
import { awaitEvent, parseInteger, progressLine, withSession } from '../session.js';

export function registerProjectCommands(program: Command): void {
  program
    .command('init')
    .description('Create an empty project (the database, the images folder and the default targets) in DIR.')
    .option('--data <DIR>', 'the project folder')
    .action(async (options: { data?: string }) =>
      withSession(options.data, 'create', async ({ api }) => {
        const info = await api.project.info({});
        console.log(`project ${info.name} in ${info.dataDir} (schema version ${info.schemaVersion}, ${info.imageCount} images)`);
      }),
    );

  program
    .command('import')
    .description(
      'Import images (folders recursively; PNG, JPEG, WebP, GIF, BMP, TIFF), CSV/JSONL label files keyed by file name, and MNIST-style IDX files. Creates the project if missing.',
    )
    .argument('[PATH...]', 'files and folders to import')
    .option('--data <DIR>', 'the project folder')
    .option('--max-pixels <N>', 'reject images with more pixels than this (width x height)')
    .option('--json', 'print the import summary as JSON')
    .action(async (paths: string[], options: { data?: string; maxPixels?: string; json?: boolean }) =>
      withSession(options.data, 'create', async (session) => {
        if (paths.length === 0) throw new UsageError('give at least one PATH to import');
        const maxPixels = options.maxPixels === undefined ? undefined : parseInteger(options.maxPixels, '--max-pixels', 1);
        const finished = awaitEvent(session, 'import.finished', (job, id) => job.jobId === id);
        const progress = session.on('import.progress', (job) => progressLine(`importing ${job.done}/${job.total}`, job.done === job.total));
        const started = await session.api.imports.start({ paths, maxPixels }).catch((error: unknown) => {
          finished.stop();
          throw error;
        });
        const job = await finished.until(started.jobId);
        progress();
        if (job.state === 'failed' || !job.summary) throw new Error(`the import failed: ${job.error ?? 'no summary'}`);
        console.log(options.json ? JSON.stringify(job.summary, null, 2) : formatImportSummary(job.summary));
      }),
    );

  program
    .command('info')
    .description('Counts per target and class: values, unknowns, and images not looked at yet.')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) =>
      withSession(options.data, 'existing', async ({ api }) => {
        const stats = await api.project.stats({});
        console.log(options.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
      }),
    );
}
