import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { specsDir } from '../paths.js';
import type { ImageDetail, ImageSummary, ImportJob, ProjectStats, RunSummary, TargetStats } from '../../shared/api/contract.js';
import type { EvaluationReport } from '../../shared/evaluation.js';
import type { TargetDef } from '../../shared/targets.js';
import { conflict, notFound } from '../errors.js';
import type { EventBus } from '../events.js';
import { runImport } from '../importer/importer.js';
import type { Project } from '../project.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import type { ImageRow } from '../store/images-repo.js';
import { ensureBackend } from '../engine/backend.js';
import type { SpawnHost } from '../engine/host.js';
import type { FromWorker } from '../engine/protocol.js';
import { predictRun } from '../engine/predict.js';
import { TrainingRuns } from '../engine/runs.js';
import type { RunRow } from '../store/runs-repo.js';
import { HumanEdits, toView } from './edits.js';
import type { ServiceImpl } from './types.js';

const PROGRESS_INTERVAL_MS = 100;

function runSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    spec: JSON.parse(r.spec) as unknown,
    status: r.status,
    backend: r.backend,
    epochsDone: r.epochs_done,
    stepsDone: r.steps_done,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

function summarize(row: ImageRow, human: AnnotationRow[], targetCount: number): ImageSummary {
  const labels: ImageSummary['labels'] = {};
  for (const a of human) labels[a.target_id] = { state: a.state, value: a.state === 'unknown' ? null : (a.class_name ?? a.text_value) };
  return {
    id: row.id,
    width: row.width,
    height: row.height,
    originalName: row.original_name,
    answered: human.length,
    targetCount,
    labels,
  };
}

/** Per-target counts of human labels: values, explicit unknowns, and images not looked at yet. */
export function projectStats(project: Project): ProjectStats {
  const { store } = project;
  const images = store.images.count();
  const states = store.annotations.stateCounts();
  const classCounts = store.annotations.classCounts();
  const lengthCounts = store.annotations.lengthCounts();
  const targets: TargetStats[] = store.targets.list().map((t: TargetDef) => {
    const labeled = states.find((s) => s.target_id === t.id && s.state === 'value')?.n ?? 0;
    const unknown = states.find((s) => s.target_id === t.id && s.state === 'unknown')?.n ?? 0;
    const counts = new Map(classCounts.filter((c) => c.target_id === t.id).map((c) => [c.class_name, c.n]));
    const stats: TargetStats = {
      targetId: t.id,
      name: t.name,
      kind: t.kind,
      labeled,
      unknown,
      pending: images - labeled - unknown,
      classes: t.classes.map((c) => ({ name: c.name, count: counts.get(c.name) ?? 0 })),
    };
    if (t.kind === 'sequence') {
      stats.lengths = lengthCounts.filter((l) => l.target_id === t.id).map((l) => ({ length: l.len, count: l.n }));
      stats.topValues = store.annotations.topValues(t.id, 20).map((v) => ({ value: v.value, count: v.n }));
    }
    return stats;
  });
  return { images, targets };
}

/** The services behind the API, over one open project. */
export interface ServiceOptions {
  /** Where training runs execute (default: worker threads; the desktop app uses Electron's utilityProcess). */
  trainingHost?: SpawnHost;
}

export function createServices(project: Project, events: EventBus, options: ServiceOptions = {}): ServiceImpl {
  const { store } = project;
  const jobs = new Map<string, ImportJob>();
  const edits = new HumanEdits(store);
  const training = new TrainingRuns(project, options.trainingHost);
  const relay = (runId: () => number) => (message: FromWorker) => {
    if (message.type === 'progress') events.emit('training.progress', { runId: runId(), ...message.progress });
  };
  const changed = (imageIds: number[]) => {
    if (imageIds.length > 0) events.emit('annotations.changed', { imageIds });
  };
  const image = (id: number) => {
    if (!store.images.get(id)) throw notFound(`Image ${id}`);
    return id;
  };

  const imageDetail = (id: number): ImageDetail => {
    const row = store.images.get(id);
    if (!row) throw notFound(`Image ${id}`);
    const annotations = store.annotations.forImage(id);
    return {
      ...summarize(
        row,
        annotations.filter((a) => a.source === 'human'),
        store.targets.list().length,
      ),
      sha256: row.sha256,
      format: row.format,
      byteSize: row.byte_size,
      originalPath: row.original_path,
      importedAt: row.imported_at,
      annotations: annotations.map(toView),
    };
  };

  return {
    project: {
      info: async () => ({
        name: store.setting<string>('project.name') ?? 'project',
        dataDir: project.dataDir,
        schemaVersion: store.schemaVersion,
        imageCount: store.images.count(),
        createdAt: store.setting<string>('project.createdAt') ?? '',
      }),
      stats: async () => projectStats(project),
    },
    targets: {
      list: async () => store.targets.list(),
      createCategorical: async ({ name, classes }) => store.targets.createCategorical(name, classes),
      addClass: async ({ targetId, name }) => store.targets.addClass(targetId, name),
      renameClass: async ({ targetId, classId, name }) => {
        const target = store.targets.renameClass(targetId, classId, name);
        events.emit('targets.changed', { targetId });
        return target;
      },
      mergeClass: async ({ targetId, classId, intoClassId }) => {
        const moved = edits.mergeClass(targetId, classId, intoClassId);
        events.emit('targets.changed', { targetId });
        return { ...store.targets.byId(targetId), moved };
      },
      deleteClass: async ({ targetId, classId, labels }) => {
        const affected = edits.deleteClass(targetId, classId, labels);
        events.emit('targets.changed', { targetId });
        return { ...store.targets.byId(targetId), affected };
      },
    },
    images: {
      list: async ({ offset, limit, filter }) => {
        const targetCount = store.targets.list().length;
        const { total, rows } = store.images.list(filter, targetCount, offset, limit);
        const first = rows[0]?.id ?? 0;
        const last = rows[rows.length - 1]?.id ?? -1;
        const byImage = new Map<number, AnnotationRow[]>();
        for (const a of store.annotations.humanForRange(first, last)) {
          const list = byImage.get(a.image_id) ?? [];
          list.push(a);
          byImage.set(a.image_id, list);
        }
        return { total, offset, items: rows.map((r) => summarize(r, byImage.get(r.id) ?? [], targetCount)) };
      },
      get: async ({ id }) => imageDetail(id),
      ids: async ({ filter }) => ({ ids: store.images.ids(filter, store.targets.list().length) }),
    },
    annotations: {
      set: async ({ imageId, targetId, label, coalesceKey }) => {
        const target = store.targets.byId(targetId);
        const view = edits.set(image(imageId), target, label, coalesceKey)!;
        changed([imageId]);
        return view;
      },
      clear: async ({ imageId, targetId, coalesceKey }) => {
        const cleared = edits.clear(image(imageId), store.targets.byId(targetId), coalesceKey);
        if (cleared) changed([imageId]);
        return { cleared };
      },
      accept: async ({ imageId, targetId }) => {
        const target = store.targets.byId(targetId);
        const predicted = store.annotations.one(image(imageId), targetId, 'model');
        if (!predicted) throw notFound(`A model prediction of ${target.name} for image ${imageId}`);
        const value = predicted.state === 'unknown' ? null : (predicted.class_name ?? predicted.text_value);
        const view = edits.set(imageId, target, value === null ? { kind: 'unknown' } : { kind: 'value', value })!;
        changed([imageId]);
        return view;
      },
      bulkSet: async ({ imageIds, filter, targetId, label }) => {
        const target = store.targets.byId(targetId);
        const ids = imageIds ?? store.images.ids(filter!, store.targets.list().length);
        const missing = imageIds?.find((id) => !store.images.get(id));
        if (missing !== undefined) throw notFound(`Image ${missing}`);
        const updated = edits.bulkSet(ids, target, label);
        changed(updated);
        return { count: updated.length };
      },
      undo: async () => {
        const result = edits.undo();
        changed(result.imageIds);
        return result;
      },
      redo: async () => {
        const result = edits.redo();
        changed(result.imageIds);
        return result;
      },
      history: async () => edits.history(),
    },
    training: {
      backend: async () => {
        const choice = await ensureBackend();
        return { name: choice.name, reason: choice.reason, skipped: choice.skipped };
      },
      specs: async () => {
        const files = (await readdir(specsDir)).filter((f) => f.endsWith('.json')).sort();
        return Promise.all(files.map(async (file) => ({ file, spec: JSON.parse(await readFile(path.join(specsDir, file), 'utf8')) as unknown })));
      },
      runs: async () => store.runs.list().map(runSummary),
      start: async ({ spec, name, backend }) => {
        const handle = training.start(spec, { name, backend, onMessage: relay(() => handle.runId) });
        void handle.done.then((row) => events.emit('training.finished', runSummary(row)));
        return runSummary(store.runs.get(handle.runId)!);
      },
      control: async ({ runId, action }) => {
        const handle = training.get(runId);
        if (!store.runs.get(runId)) throw notFound(`Run ${runId}`);
        if (!handle) throw conflict(`Run ${runId} is not running (status ${store.runs.get(runId)!.status})`);
        handle.control(action);
        if (action !== 'cancel') store.runs.setStatus(runId, action === 'pause' ? 'paused' : 'running');
        return runSummary(store.runs.get(runId)!);
      },
      metrics: async ({ runId }) => {
        if (!store.runs.get(runId)) throw notFound(`Run ${runId}`);
        return { rows: store.runs.metrics(runId) };
      },
      evaluation: async ({ runId }) => {
        const run = store.runs.get(runId);
        if (!run) throw notFound(`Run ${runId}`);
        const report = store.runs.evaluation<EvaluationReport>(runId, 'test');
        if (!report) throw notFound(`A test evaluation of run ${runId} (status ${run.status})`);
        return report;
      },
      cell: async ({ runId, head, trueIndex, predIndex }) => {
        if (!store.runs.get(runId)) throw notFound(`Run ${runId}`);
        return { items: store.runs.cellImages(runId, head, 'test', trueIndex, predIndex) };
      },
      predict: async ({ runId, all }) => {
        if (!store.runs.get(runId)) throw notFound(`Run ${runId}`);
        const summary = await predictRun(project, runId, { all, onProgress: (done, total) => events.emit('predict.progress', { runId, done, total }) });
        events.emit('annotations.changed', { imageIds: [] });
        return { images: summary.images, written: summary.written };
      },
      resume: async ({ runId }) => {
        const run = store.runs.get(runId);
        if (!run) throw notFound(`Run ${runId}`);
        if (run.status === 'completed' || training.get(runId)) throw conflict(`Run ${runId} is ${training.get(runId) ? 'running' : run.status}`);
        const handle = training.resume(runId, { onMessage: relay(() => runId) });
        void handle.done.then((row) => events.emit('training.finished', runSummary(row)));
        return runSummary(store.runs.get(runId)!);
      },
    },
    imports: {
      start: async ({ paths, maxPixels }) => {
        const job: ImportJob = {
          jobId: randomUUID(),
          state: 'running',
          paths,
          done: 0,
          total: 0,
          startedAt: new Date().toISOString(),
          summary: null,
          error: null,
        };
        jobs.set(job.jobId, job);
        let lastEmit = 0;
        runImport(
          { store, dataDir: project.dataDir },
          {
            paths,
            maxPixels,
            onProgress: (done, total) => {
              job.done = done;
              job.total = total;
              const now = Date.now();
              if (now - lastEmit >= PROGRESS_INTERVAL_MS || done === total) {
                lastEmit = now;
                events.emit('import.progress', { ...job });
              }
            },
          },
        ).then(
          (summary) => {
            job.state = 'finished';
            job.summary = summary;
            events.emit('import.finished', { ...job });
          },
          (error: unknown) => {
            job.state = 'failed';
            job.error = error instanceof Error ? error.message : String(error);
            events.emit('import.finished', { ...job });
          },
        );
        return { ...job };
      },
      status: async ({ jobId }) => {
        const job = jobs.get(jobId);
        if (!job) throw notFound(`Import job ${jobId}`);
        return { ...job };
      },
      list: async () => [...jobs.values()].map((j) => ({ ...j })),
    },
  };
}
