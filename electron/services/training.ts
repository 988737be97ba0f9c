import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvaluationReport } from '../../shared/evaluation.js';
import { conflict, DomainError, notFound } from '../../shared/errors.js';
import type { BackendInfo } from '../../shared/api/contract.js';
import type { FromWorker } from '../engine/protocol.js';
import { shownPath } from './caller.js';
import type { ServiceContext } from './context.js';
import { exportDir } from './export-dir.js';
import { toRunSummary } from './mappers.js';
import type { ServiceImpl } from './types.js';

/**
 * Training runs, prediction, export and the backend probe: each runs as a job in the engine's
 * worker (engine/runs.ts, engine/jobs.ts), so TensorFlow.js never loads in this process.
 */
export function trainingService({ project, store, events, training, jobs, options }: ServiceContext): ServiceImpl['training'] {
  const relay = (runId: () => number) => (message: FromWorker) => {
    // The owner has recorded it (engine/runs.ts): the event is what a later training.runs serves.
    if (message.type === 'progress') events.emit('training.progress', training.get(runId())?.progress ?? { runId: runId(), ...message.progress });
    if (message.type === 'backend') events.emit('training.backend', { runId: runId(), name: message.choice.name, reason: message.choice.reason });
    if (message.type === 'split') events.emit('training.split', { runId: runId(), counts: message.counts });
  };
  // The probe starts a worker: once per services instance (the Train view asks on every visit).
  let probed: Promise<BackendInfo> | null = null;
  const run = (runId: number) => {
    const row = store.runs.get(runId);
    if (!row) throw notFound(`Run ${runId}`);
    return row;
  };
  return {
    backend: () => {
      probed ??= jobs.probe().then(
        (choice) => ({ name: choice.name, reason: choice.reason, skipped: choice.skipped, ...(choice.adapter ? { adapter: choice.adapter } : {}) }),
        (error: unknown) => {
          probed = null;
          throw error;
        },
      );
      return probed;
    },
    specs: async () => {
      const files = (await readdir(options.specsDir)).filter((f) => f.endsWith('.json')).sort();
      return Promise.all(files.map(async (file) => ({ file, spec: JSON.parse(await readFile(path.join(options.specsDir, file), 'utf8')) as unknown })));
    },
    runs: async () =>
      store.runs.list().map((row) => {
        const progress = training.get(row.id)?.progress;
        return progress ? { ...toRunSummary(row), progress } : toRunSummary(row);
      }),
    start: async ({ spec, name, backend }, caller) => {
      const handle = training.start(spec, { name, backend, author: caller.user, onMessage: relay(() => handle.runId) });
      void handle.done.then((row) => events.emit('training.finished', toRunSummary(row)));
      return toRunSummary(store.runs.get(handle.runId)!);
    },
    control: async ({ runId, action }) => {
      const handle = training.get(runId);
      const row = run(runId);
      if (!handle) throw conflict(`Run ${runId} is not running (status ${row.status})`);
      handle.control(action);
      if (action !== 'cancel') store.runs.setStatus(runId, action === 'pause' ? 'paused' : 'running');
      return toRunSummary(store.runs.get(runId)!);
    },
    metrics: async ({ runId }) => {
      run(runId);
      return { rows: store.runs.metrics(runId) };
    },
    evaluation: async ({ runId }) => {
      const row = run(runId);
      const report = store.runs.evaluation<EvaluationReport>(runId, 'test');
      if (!report) throw notFound(`A test evaluation of run ${runId} (status ${row.status})`);
      return report;
    },
    cell: async ({ runId, head, trueIndex, predIndex }) => {
      run(runId);
      return { items: store.runs.cellImages(runId, head, 'test', trueIndex, predIndex) };
    },
    mistakes: async ({ runId, head, limit }) => {
      run(runId);
      return { items: store.runs.mistakes(runId, head ?? null, limit) };
    },
    check: async ({ spec }) => {
      try {
        training.check(spec);
        return { ok: true, issues: [] };
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'invalid_value') return { ok: false, issues: error.issues ?? [] };
        throw error;
      }
    },
    predict: async ({ runId, all }, caller) => {
      run(runId);
      const summary = await jobs.predict(runId, {
        all,
        author: caller.user,
        onProgress: (done, total) => events.emit('predict.progress', { runId, done, total }),
      });
      events.emit('annotations.changed', { imageIds: [] });
      return { images: summary.images, written: summary.written, missingClasses: summary.missingClasses };
    },
    export: async ({ runId, out }, caller) => {
      run(runId);
      const result = await jobs.export(runId, await exportDir(out, caller, project.dataDir, 'training.export'));
      return { ...result, dir: shownPath(result.dir, caller, project.dataDir) };
    },
    resume: async ({ runId, backend }) => {
      // TrainingRuns.resume refuses a completed run or one another trainer holds (the run lock).
      const handle = training.resume(runId, { backend, onMessage: relay(() => runId) });
      void handle.done.then((done) => events.emit('training.finished', toRunSummary(done)));
      return toRunSummary(store.runs.get(runId)!);
    },
  };
}
