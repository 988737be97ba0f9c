import { parseArgs } from 'node:util';
import { DatabaseTooNewError } from '../store/database.js';
import { defaultProjectDir } from '../app/default-project.js';
import { runImport } from '../importer/importer.js';
import { rendererDir, sampleDir } from '../platform/paths.js';
import { importSampleOnce, openRuntime, type Runtime } from '../app/runtime.js';
import { projectStats } from '../services/index.js';
import { startServer } from '../server/server.js';
import { readFile } from 'node:fs/promises';
import type { Evaluation } from '../engine/evaluation.js';
import { EngineJobs } from '../engine/jobs.js';
import type { FromWorker } from '../engine/protocol.js';
import { TrainingRuns } from '../engine/runs.js';
import { contactSheet, synthesize } from '../synth/generator.js';
import { formatEpoch, formatEvaluation, formatImportSummary, formatRuns, formatStats } from './format.js';

const USAGE = `polyhead — label cropped text images with many targets, train multi-head CNNs

Usage:
  polyhead serve  [--data DIR] [--host H] [--port N] [--with-sample]
        Serve the app and its API on http://H:N (default 127.0.0.1, a free port).
        Without --data, opens the desktop app's default project and imports the
        bundled sample on its first start (as does --with-sample).
  polyhead import --data DIR PATH...
        Import images (folders recursively; PNG, JPEG, WebP, GIF, BMP, TIFF),
        CSV/JSONL label files keyed by file name, and MNIST-style IDX files.
  polyhead info   --data DIR [--json]
        Counts per target and class.
  polyhead train  --data DIR --spec FILE [--epochs N] [--backend B] [--name NAME]
  polyhead train  --data DIR --resume RUN
        Train a model spec (resources/specs/ has examples) in a worker thread:
        progress per epoch, a checkpoint each epoch, a test evaluation at the end.
        B forces a backend: tensorflow-gpu, tensorflow, wasm, cpu.
  polyhead runs   --data DIR
        The project's training runs.
  polyhead eval   --data DIR --run RUN
        Per-head metrics and confusion matrices of a finished run.
  polyhead predict --data DIR --run RUN [--all]
        Store the run's predictions as model-sourced labels (never over human ones)
        for images without a human label (--all: every image).
  polyhead export --data DIR --run RUN --out DIR
        The model in TensorFlow.js format (model.json, weights.bin) with its spec.
  polyhead synth  --out DIR --kind house-numbers|script-words --count N
                  [--fonts "Family,Family"] [--seed S] [--holdout SHARE] [--contact-sheet FILE]
        Render labelled synthetic crops with the system's fonts (Debian font packages);
        --holdout puts that share of font families in DIR/heldout, the rest in DIR/train.

DIR holds the SQLite database and the stored images; it is created if missing.`;

class UsageError extends Error {}

/** Opens the project in `dataDir` for one command and always closes it. */
async function withRuntime<T>(dataDir: string, fn: (runtime: Runtime) => Promise<T> | T): Promise<T> {
  const runtime = openRuntime(dataDir);
  try {
    return await fn(runtime);
  } finally {
    runtime.close();
  }
}

function requireRun(run: string | undefined): number {
  const id = Number(run);
  if (!run || !Number.isInteger(id) || id <= 0) throw new UsageError('--run RUN (a run id, see `polyhead runs`) is required');
  return id;
}

async function trainCommand(dataDir: string, values: { spec?: string; epochs?: string; resume?: string; backend?: string; name?: string }): Promise<number> {
  return withRuntime(dataDir, async (runtime) => {
    const runs = new TrainingRuns(runtime.project);
    const onMessage = (m: FromWorker) => {
      if (m.type === 'backend') console.log(`backend: ${m.choice.name} — ${m.choice.reason}`);
      if (m.type === 'split') console.log(`examples: ${m.counts.train} train, ${m.counts.validation} validation, ${m.counts.test} test`);
      if (m.type === 'progress') {
        const p = m.progress;
        if (p.kind === 'step' && process.stderr.isTTY) {
          const width = 24;
          const filled = Math.round((p.step / p.totalSteps) * width);
          const eta = p.etaMs === null ? '' : ` ETA ${Math.round(p.etaMs / 1000)}s`;
          process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}${eta}   `);
        }
        if (p.kind === 'epoch') {
          if (process.stderr.isTTY) process.stderr.write('\r' + ' '.repeat(90) + '\r');
          console.log(formatEpoch(p));
        }
      }
      if (m.type === 'error') console.error(`error: ${m.message}`);
    };
    let handle;
    if (values.resume) {
      handle = runs.resume(requireRun(values.resume), { onMessage, backend: values.backend });
      console.log(`resuming run ${handle.runId}`);
    } else {
      if (!values.spec) throw new UsageError('--spec FILE (or --resume RUN) is required');
      let spec: Record<string, unknown>;
      try {
        spec = JSON.parse(await readFile(values.spec, 'utf8')) as Record<string, unknown>;
      } catch (error) {
        throw new UsageError(`cannot read the spec ${values.spec}: ${(error as Error).message}`);
      }
      if (values.epochs !== undefined) spec.training = { ...(spec.training as object), epochs: Number(values.epochs) };
      handle = runs.start(spec, { onMessage, backend: values.backend, name: values.name });
      console.log(`run ${handle.runId} started`);
    }
    const stop = () => handle.control('cancel');
    process.once('SIGINT', stop);
    const row = await handle.done;
    process.off('SIGINT', stop);
    console.log(`run ${row.id}: ${row.status}${row.error ? ` — ${row.error}` : ''}`);
    const report = runtime.project.store.runs.evaluation<Evaluation>(row.id, 'test');
    if (report) console.log(formatEvaluation(row, report, { matrices: false }));
    return row.status === 'completed' ? 0 : 1;
  });
}

function requireData(data: string | undefined): string {
  if (!data) throw new UsageError('--data DIR is required');
  return data;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      json: { type: 'boolean' },
      'with-sample': { type: 'boolean' },
      'max-pixels': { type: 'string' },
      spec: { type: 'string' },
      epochs: { type: 'string' },
      resume: { type: 'string' },
      run: { type: 'string' },
      backend: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      all: { type: 'boolean' },
      kind: { type: 'string' },
      count: { type: 'string' },
      fonts: { type: 'string' },
      seed: { type: 'string' },
      holdout: { type: 'string' },
      'contact-sheet': { type: 'string' },
    },
  });

  switch (command) {
    case 'serve': {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got '${values.port}'`);
      const dataDir = values.data ?? defaultProjectDir();
      const runtime = openRuntime(dataDir);
      if (values['with-sample'] || values.data === undefined) {
        if (await importSampleOnce(runtime.project, sampleDir)) console.log(`imported the bundled sample into ${runtime.project.dataDir}`);
      }
      const server = await startServer({ ...runtime, rendererDir, host: values.host, port });
      console.log(`Polyhead serving ${runtime.project.dataDir}`);
      console.log(`open ${server.url}/`);
      if (values.host && !['127.0.0.1', 'localhost', '::1'].includes(values.host)) {
        console.warn(`warning: bound to ${values.host}; anyone who can reach it can read and change this project`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      runtime.close();
      return 0;
    }
    case 'import': {
      const dataDir = requireData(values.data);
      if (positionals.length === 0) throw new UsageError('give at least one PATH to import');
      const maxPixels = values['max-pixels'] === undefined ? undefined : Number(values['max-pixels']);
      return withRuntime(dataDir, async (runtime) => {
        let last = 0;
        const summary = await runImport(
          { store: runtime.project.store, dataDir: runtime.project.dataDir },
          {
            paths: positionals,
            maxPixels,
            onProgress: (done, total) => {
              const now = Date.now();
              if (process.stderr.isTTY && (now - last > 200 || done === total)) {
                last = now;
                process.stderr.write(`\rimporting ${done}/${total}`);
                if (done === total) process.stderr.write('\n');
              }
            },
          },
        );
        console.log(formatImportSummary(summary));
        return 0;
      });
    }
    case 'info':
      return withRuntime(requireData(values.data), (runtime) => {
        const stats = projectStats(runtime.project.store);
        console.log(values.json ? JSON.stringify(stats, null, 2) : formatStats(stats));
        return 0;
      });
    case 'train':
      return trainCommand(requireData(values.data), values);
    case 'runs':
      return withRuntime(requireData(values.data), (runtime) => {
        console.log(formatRuns(runtime.project.store.runs.list()));
        return 0;
      });
    case 'eval':
      return withRuntime(requireData(values.data), (runtime) => {
        const runId = requireRun(values.run);
        const run = runtime.project.store.runs.get(runId);
        if (!run) throw new UsageError(`no run ${runId} in this project`);
        const report = runtime.project.store.runs.evaluation<Evaluation>(runId, 'test');
        if (!report) throw new Error(`run ${runId} has no test evaluation (status: ${run.status})`);
        console.log(formatEvaluation(run, report));
        return 0;
      });
    case 'predict':
      return withRuntime(requireData(values.data), async (runtime) => {
        const summary = await new EngineJobs(runtime.project).predict(requireRun(values.run), {
          all: values.all,
          onProgress: (done, total) => process.stderr.isTTY && process.stderr.write(`\rpredicting ${done}/${total}${done === total ? '\n' : ''}`),
        });
        console.log(`predicted ${summary.images} image(s) with run ${summary.runId}`);
        for (const [target, n] of Object.entries(summary.written)) console.log(`  ${target}: ${n} model label(s)`);
        return 0;
      });
    case 'export':
      return withRuntime(requireData(values.data), async (runtime) => {
        if (!values.out) throw new UsageError('--out DIR is required');
        const result = await new EngineJobs(runtime.project).export(requireRun(values.run), values.out);
        console.log(`exported run ${values.run} to ${result.dir}: ${result.files.join(', ')}`);
        return 0;
      });
    case 'synth': {
      if (!values.out) throw new UsageError('--out DIR is required');
      if (values.kind !== 'house-numbers' && values.kind !== 'script-words') throw new UsageError('--kind must be house-numbers or script-words');
      const count = Number(values.count ?? 100);
      if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count must be a positive integer, got '${values.count}'`);
      const result = await synthesize({
        out: values.out,
        kind: values.kind,
        count,
        seed: values.seed === undefined ? 1 : Number(values.seed),
        fonts: values.fonts?.split(',').map((f) => f.trim()).filter(Boolean),
        holdout: values.holdout === undefined ? undefined : Number(values.holdout),
      });
      if (values['contact-sheet']) await contactSheet(result, values['contact-sheet']);
      console.log(`wrote ${result.written} ${values.kind} crops and labels.csv to ${result.dirs.join(' and ')}`);
      console.log(`fonts used (${result.fontsUsed.length}): ${result.fontsUsed.join(', ')}`);
      if (result.heldOut.length > 0) console.log(`held out: ${result.heldOut.join(', ')}`);
      if (result.missing.length > 0) {
        console.log(`fonts not found (${result.missing.length}), skipped:`);
        for (const m of result.missing) console.log(`  - ${m.family} (${m.file}, Debian package ${m.pkg})`);
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`polyhead: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof DatabaseTooNewError) {
      console.error(`polyhead: ${error.message}`);
      process.exitCode = 3;
    } else {
      console.error(`polyhead: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
