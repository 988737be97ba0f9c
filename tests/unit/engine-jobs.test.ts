import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolyheadEvents, RunSummary } from '../../shared/api/contract.js';
import { Project } from '../../electron/domain/project.js';
import { selectBackend } from '../../electron/engine/backend.js';
import { ENGINE_HEAP_ENV, engineHeapLimitMB } from '../../electron/engine/heap-limit.js';
import { forkHost, threadHost, type SpawnHost } from '../../electron/engine/host.js';
import { EngineJobs } from '../../electron/engine/jobs.js';
import { predictLabels } from '../../electron/engine/predict.js';
import type { JobKind, PredictedLabel } from '../../electron/engine/protocol.js';
import { repoRoot } from '../helpers.js';
import { useSampleRuntime } from '../runtime-fixture.js';

/** Every job the services start goes through the configured host: count them by kind, and keep their heap limits. */
const spawned: JobKind[] = [];
const heapLimits: (number | undefined)[] = [];
const countingHost: SpawnHost = (job) => {
  spawned.push(job.kind);
  heapLimits.push(job.heapLimitMB);
  return threadHost(job);
};

const sample = useSampleRuntime({ trainingHost: countingHost });
const { messages } = sample;
const call = <T>(method: string, payload: unknown) => sample.call<T>(method, payload);
const eventsOf = <E extends keyof PolyheadEvents>(event: E) => messages.filter((m) => m.event === event).map((m) => m.payload as PolyheadEvents[E]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const spec = {
  name: 'jobs tiny',
  inputs: [{ name: 'x', height: 16, width: 32 }],
  trunk: { preset: 'mlp', hidden: [32] },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
    { name: 'd1', target: { kind: 'position', target: 'digits', position: 1 } },
    { name: 'font', target: { kind: 'target', target: 'font_style' } },
  ],
  training: { epochs: 1, batchSize: 32 },
};
let runId: number;

describe('engine jobs through the API: prediction, export and the backend probe run in the engine worker', () => {
  it('trains a tiny run and reports its backend and split as events', async () => {
    const finished = new Promise<RunSummary>((resolve) => {
      const stop = sample.runtime.events.subscribe((m) => {
        if (m.event !== 'training.finished') return;
        stop();
        resolve(m.payload);
      });
    });
    runId = (await call<RunSummary>('training.start', { spec })).id;
    expect(await finished).toMatchObject({ id: runId, status: 'completed' });
    const backend = eventsOf('training.backend');
    expect(backend).toEqual([{ runId, name: process.env.POLYHEAD_BACKEND ?? 'wasm', reason: expect.any(String) }]);
    const [split] = eventsOf('training.split');
    expect(split).toMatchObject({ runId });
    expect(split!.counts.train + split!.counts.validation + split!.counts.test).toBeGreaterThan(200);
    expect(spawned).toEqual(['train']);
  });

  it('answers API calls within a second while a prediction over ~300 images runs, and writes what the in-process prediction would', async () => {
    const images = sample.runtime.project.store.images.count();
    expect(images).toBeGreaterThan(250);
    const progress: { done: number; total: number; at: number }[] = [];
    const stop = sample.runtime.events.subscribe((m) => {
      if (m.event === 'predict.progress') progress.push({ ...m.payload, at: performance.now() });
    });
    const predict = { settled: false };
    const predicting = call<{ images: number; written: Record<string, number> }>('training.predict', { runId, all: true }).finally(
      () => (predict.settled = true),
    );
    const answers: { ms: number; running: boolean; batchesBefore: number }[] = [];
    while (!predict.settled) {
      for (const [method, payload] of [
        ['images.list', { limit: 100 }],
        ['project.stats', {}],
        ['images.get', { id: 1 }],
      ] as const) {
        const started = performance.now();
        await call(method, payload);
        answers.push({ ms: performance.now() - started, running: !predict.settled, batchesBefore: progress.length });
      }
      await sleep(5);
    }
    const result = await predicting;
    stop();
    for (const a of answers) expect(a.ms).toBeLessThan(1000);
    // Calls answered while the prediction ran, between its batches: after the first batch was written and before the last.
    const during = answers.filter((a) => a.running && a.batchesBefore >= 1 && a.batchesBefore < progress.length);
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ done: images, total: images });
    expect(progress.length).toBe(Math.ceil(images / 64));
    expect(eventsOf('annotations.changed').length).toBeGreaterThan(0);

    // What the prediction wrote: exactly the labels the prediction code computes for the same model, in this process.
    expect(result.images).toBe(images);
    await selectBackend();
    const expected: PredictedLabel[] = [];
    const project = Project.open(sample.runtime.project.dataDir);
    try {
      await predictLabels(project, runId, { all: true, onBatch: (labels) => expected.push(...labels) });
    } finally {
      project.close();
    }
    const byTarget: Record<string, number> = {};
    for (const l of expected) byTarget[l.target] = (byTarget[l.target] ?? 0) + 1;
    expect(result.written).toEqual(byTarget);
    expect(Object.keys(result.written).sort()).toEqual(['digits', 'font_style', 'length']);
    expect(result.written.length).toBe(images);
    const stored = sample.runtime.project.store.db
      .prepare(
        "SELECT image_id, target_id, text_value, class_id, confidence FROM annotations WHERE source = 'model' AND run_id = ? ORDER BY image_id, target_id",
      )
      .all(runId) as { image_id: number; target_id: number; text_value: string | null; class_id: number | null; confidence: number }[];
    const want = [...expected].sort((a, b) => a.imageId - b.imageId || a.targetId - b.targetId);
    expect(stored.map((r) => [r.image_id, r.target_id, r.text_value, r.class_id])).toEqual(want.map((l) => [l.imageId, l.targetId, l.textValue, l.classId]));
    stored.forEach((r, i) => expect(r.confidence).toBeCloseTo(want[i]!.confidence, 5));
    expect(spawned.filter((k) => k === 'predict')).toHaveLength(1);
  });

  it('predicts only images without a human label by default, and never touches human labels', async () => {
    const humanRows = () => sample.runtime.project.store.db.prepare("SELECT * FROM annotations WHERE source = 'human' ORDER BY image_id, target_id").all();
    const before = humanRows();
    const { store } = sample.runtime.project;
    const written = ['length', 'font_style', 'digits'].map((name) => store.targets.byName(name)!.id);
    const unlabelled = store.images
      .ids({ status: 'any', order: 'id' }, store.targets.list().length)
      .filter((id) => written.some((t) => !store.annotations.one(id, t, 'human')));
    const result = await call<{ images: number; written: Record<string, number> }>('training.predict', { runId });
    expect(result.images).toBe(unlabelled.length);
    expect(result.written.length).toBe(unlabelled.length);
    expect(humanRows()).toEqual(before);
  });

  it('exports a run through the API: model.json, weights.bin and polyhead.json', async () => {
    const out = path.join(sample.dir, 'export');
    const result = await call<{ dir: string; files: string[] }>('training.export', { runId, out });
    expect(result).toEqual({ dir: out, files: ['model.json', 'weights.bin', 'polyhead.json'] });
    for (const file of result.files) expect(existsSync(path.join(out, file)), file).toBe(true);
    const model = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(model).toMatchObject({ format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'] }] });
    const meta = JSON.parse(readFileSync(path.join(out, 'polyhead.json'), 'utf8')) as { runId: number; heads: { name: string }[] };
    expect(meta.runId).toBe(runId);
    expect(meta.heads.map((h) => h.name)).toEqual(['length', 'd0', 'd1', 'font']);
    expect(await sample.runtime.dispatch('training.export', { runId: 999, out })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('probes the backend in a worker, once per services instance', async () => {
    const before = spawned.filter((k) => k === 'probe').length;
    const first = await call<{ name: string; reason: string }>('training.backend', {});
    expect(first.name).toBe(process.env.POLYHEAD_BACKEND ?? 'wasm');
    expect(first.reason).toBeTruthy();
    expect(await call('training.backend', {})).toEqual(first);
    expect(spawned.filter((k) => k === 'probe').length - before).toBe(1);
  });
});

describe('engine jobs', () => {
  it("run in a separate process too (the path Electron's utilityProcess takes)", async () => {
    const jobs = new EngineJobs(sample.runtime.project, forkHost);
    expect((await jobs.probe('cpu')).name).toBe('cpu');
    const summary = await jobs.predict(runId, { all: true, batchSize: 100 });
    expect(summary).toMatchObject({ runId, images: sample.runtime.project.store.images.count() });
  });

  it('run under a heap limit sized from the project; one that runs out of it stops with an error naming the limit and how to raise it', async () => {
    const images = sample.runtime.project.store.images.count();
    expect(heapLimits.length).toBeGreaterThan(0);
    expect(new Set(heapLimits)).toEqual(new Set([engineHeapLimitMB(images)]));
    expect(engineHeapLimitMB(0)).toBeLessThan(engineHeapLimitMB(100_000));
    expect(engineHeapLimitMB(100_000)).toBeLessThan(engineHeapLimitMB(1_000_000));
    expect(engineHeapLimitMB(1_000_000, { [ENGINE_HEAP_ENV]: '3000' })).toBe(3000);
    process.env[ENGINE_HEAP_ENV] = '4';
    try {
      await expect(new EngineJobs(sample.runtime.project).probe('cpu')).rejects.toThrow(
        `it ran out of its JavaScript heap limit of 4 MB; set ${ENGINE_HEAP_ENV} to a larger number of MB to raise it`,
      );
      await expect(new EngineJobs(sample.runtime.project, forkHost).probe('cpu')).rejects.toThrow(
        `it may have run out of its JavaScript heap limit of 4 MB; set ${ENGINE_HEAP_ENV}`,
      );
    } finally {
      delete process.env[ENGINE_HEAP_ENV];
    }
  });

  it("reject with the worker's message", async () => {
    const jobs = new EngineJobs(sample.runtime.project);
    const bare = sample.runtime.project.store.runs.create('no checkpoint', spec, 1);
    await expect(jobs.predict(bare)).rejects.toThrow(`run ${bare} has no checkpoint yet`);
    await expect(jobs.export(12345, path.join(sample.dir, 'nowhere'))).rejects.toThrow('no run 12345');
    await expect(jobs.probe('tpu')).rejects.toThrow(/POLYHEAD_BACKEND='tpu' is not one of/);
  });
});

/** The files a module loads at run time (type-only imports are erased), following relative imports. */
function runtimeClosure(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(path.join(repoRoot, file), 'utf8');
    const specs = [
      ...[...text.matchAll(/^(?:import|export)\s+(type\s+)?[^;'"]*?\sfrom\s+['"]([^'"]+)['"]/gms)].filter((m) => !m[1]).map((m) => m[2]!),
      ...[...text.matchAll(/^import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
    ];
    seen.set(file, specs);
    for (const specifier of specs) if (specifier.startsWith('.')) visit(path.normalize(path.join(path.dirname(file), specifier.replace(/\.js$/, '.ts'))));
  };
  visit(entry);
  return seen;
}

describe('the process that serves the UI', () => {
  it('never loads TensorFlow.js: the engine is reached only through its workers', () => {
    for (const entry of ['electron/app/runtime.ts', 'electron/server/server.ts', 'electron/main/main.ts']) {
      const closure = runtimeClosure(entry);
      expect(closure.has(path.normalize('electron/services/training.ts')) || entry !== 'electron/app/runtime.ts').toBe(true);
      for (const [file, specs] of closure) {
        expect(file, `${entry} loads ${file}`).not.toBe(path.normalize('electron/engine/tf.ts'));
        for (const specifier of specs) expect(specifier.startsWith('@tensorflow/'), `${file} imports ${specifier}`).toBe(false);
      }
    }
  });
});
