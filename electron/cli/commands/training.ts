/** Training commands: train, runs, eval, predict, export. Each goes through the training service like the app does. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RunSummary } from '../../../shared/api/contract.js';
import { EXIT, UsageError } from '../errors.js';
import { formatEpoch, formatEvaluation, formatRuns, formatSkipped, formatStepBar } from '../format.js';
import { awaitEvent, parseInteger, parseRunId, progressLine, withSession, type Session } from '../session.js';

type Backend = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: readonly Backend[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

function parseBackend(value: string | undefined): Backend | undefined {
  if (value === undefined) return undefined;
  if (!BACKENDS.includes(value as Backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${value}'`);
  return value as Backend;
}

async function readSpec(file: string, epochs: string | undefined, pixelCacheMB?: string): Promise<Record<string, unknown>> {
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot read the spec ${file}: ${(error as Error).message}`);
  }
  if (epochs !== undefined) spec.training = { ...(spec.training as object), epochs: parseInteger(epochs, '--epochs', 1) };
  if (pixelCacheMB !== undefined) spec.training = { ...(spec.training as object), pixelCacheMB: parseInteger(pixelCacheMB, '--pixel-cache-mb', 1) };
  return spec;
}

/** Prints a run's backend, split and progress as they arrive, and resolves with its final summary. */
async function followRun(session: Session, start: () => Promise<RunSummary>, verb: string): Promise<RunSummary> {
  let runId: number | null = null;
  const mine = (p: { runId: number }) => p.runId === runId;
  const skipped = new Set<string>();
  const stops = [
    session.on('training.backend', (b) => mine(b) && console.log(`backend: ${b.name} — ${b.reason}`)),
    session.on('training.split', (s) => mine(s) && console.log(`examples: ${s.counts.train} train, ${s.counts.validation} validation, ${s.counts.test} test`)),
    session.on('training.progress', (p) => {
      if (!mine(p)) return;
      const lines = formatSkipped(p, skipped);
      if (lines.length > 0) {
        progressLine(' '.repeat(90) + '\r');
        for (const line of lines) console.warn(line);
      }
      if (p.kind === 'step') progressLine(formatStepBar(p));
      else {
        progressLine(' '.repeat(90) + '\r');
        console.log(formatEpoch(p));
      }
    }),
  ];
  const finished = awaitEvent(session, 'training.finished', (run, id) => run.id === id);
  try {
    const run = await start();
    runId = run.id;
    console.log(`${verb} ${run.id}${verb === 'run' ? ' started' : ''}`);
    const cancel = () => void session.api.training.control({ runId: run.id, action: 'cancel' });
    process.once('SIGINT', cancel);
    const done = await finished.until(run.id);
    process.off('SIGINT', cancel);
    return done;
  } finally {
    finished.stop();
    for (const stop of stops) stop();
  }
}

export function registerTrainingCommands(program: Command): void {
  program
    .command('train')
    .description(
      'Train a model spec (resources/specs/ has examples) in a worker: progress per epoch, a checkpoint each epoch, a test evaluation at the end. Ctrl+C cancels; --resume continues.',
    )
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--spec <FILE>', 'the model spec (JSON)')
    .option('--epochs <N>', "override the spec's training.epochs")
    .option('--pixel-cache-mb <MB>', "override the spec's training.pixelCacheMB: memory for decoded images, the rest read back from the run's cache file")
    .option('--name <NAME>', 'a name for the run (default: the spec name)')
    .option('--resume <RUN>', 'continue a stopped run from its last checkpoint instead')
    .option('--backend <B>', `force a backend: ${BACKENDS.join(', ')}`)
    .action(async (options: { data?: string; spec?: string; epochs?: string; pixelCacheMb?: string; name?: string; resume?: string; backend?: string }) =>
      withSession(options.data, 'existing', async (session) => {
        const backend = parseBackend(options.backend);
        let run: RunSummary;
        if (options.resume) {
          const runId = parseRunId(options.resume);
          run = await followRun(session, () => session.api.training.resume({ runId, backend }), 'resuming run');
        } else {
          if (!options.spec) throw new UsageError('--spec FILE (or --resume RUN) is required');
          const spec = await readSpec(options.spec, options.epochs, options.pixelCacheMb);
          run = await followRun(session, () => session.api.training.start({ spec: spec as never, name: options.name, backend }), 'run');
        }
        console.log(`run ${run.id}: ${run.status}${run.error ? ` — ${run.error}` : ''}`);
        if (run.status === 'completed') {
          const report = await session.api.training.evaluation({ runId: run.id }).catch(() => null);
          if (report) console.log(formatEvaluation(run, report, { matrices: false }));
        }
        if (run.status !== 'completed') process.exitCode = EXIT.failed;
      }),
    );

  program
    .command('runs')
    .description("The project's training runs.")
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) =>
      withSession(options.data, 'read', async ({ api }) => {
        const runs = await api.training.runs({});
        console.log(options.json ? JSON.stringify(runs, null, 2) : formatRuns(runs));
      }),
    );

  program
    .command('eval')
    .description('Per-head metrics and confusion matrices of a finished run (its test split).')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--run <RUN>', 'the run id (see `polyhead runs`)')
    .option('--json', 'print the evaluation report as JSON')
    .action(async (options: { data?: string; run?: string; json?: boolean }) =>
      withSession(options.data, 'read', async ({ api }) => {
        const runId = parseRunId(options.run);
        const run = (await api.training.runs({})).find((r) => r.id === runId);
        if (!run) throw new UsageError(`no run ${runId} in this project`);
        const report = await api.training.evaluation({ runId });
        console.log(options.json ? JSON.stringify(report, null, 2) : formatEvaluation(run, report));
      }),
    );

  program
    .command('predict')
    .description(
      "Store the run's predictions as model-sourced labels for images that lack a human label of at least one of the run's targets: every head's prediction is stored for such an image, beside any human label (never replacing one).",
    )
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--run <RUN>', 'the run id (see `polyhead runs`)')
    .option('--all', 'predict every image, not only those lacking a human label of a target')
    .option('--json', 'print the summary as JSON')
    .action(async (options: { data?: string; run?: string; all?: boolean; json?: boolean }) =>
      withSession(options.data, 'existing', async ({ api, on }) => {
        const runId = parseRunId(options.run);
        const stop = on('predict.progress', (p) => p.runId === runId && progressLine(`predicting ${p.done}/${p.total}`, p.done === p.total));
        const summary = await api.training.predict({ runId, all: options.all ?? false }).finally(stop);
        if (options.json) return console.log(JSON.stringify({ runId, ...summary }, null, 2));
        console.log(`predicted ${summary.images} image(s) with run ${runId}`);
        for (const [target, n] of Object.entries(summary.written)) console.log(`  ${target}: ${n} model label(s)`);
      }),
    );

  program
    .command('export')
    .description('The model of a run in TensorFlow.js format (model.json, weights.bin) with its spec and class lists (polyhead.json).')
    .option('--data <DIR>', 'the project folder (must exist)')
    .option('--run <RUN>', 'the run id (see `polyhead runs`)')
    .option('--out <DIR>', 'the folder to write')
    .action(async (options: { data?: string; run?: string; out?: string }) =>
      withSession(options.data, 'existing', async ({ api }) => {
        const runId = parseRunId(options.run);
        if (!options.out) throw new UsageError('--out DIR is required');
        const result = await api.training.export({ runId, out: options.out });
        console.log(`exported run ${runId} to ${result.dir}: ${result.files.join(', ')}`);
      }),
    );
}
