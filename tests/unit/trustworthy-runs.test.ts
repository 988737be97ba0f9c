import { cpSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpecInput } from '../../shared/model-spec.js';
import type { EvaluationReport } from '../../shared/evaluation.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { Project } from '../../electron/domain/project.js';
import { EngineJobs } from '../../electron/engine/jobs.js';
import { TrainingRuns } from '../../electron/engine/runs.js';
import { runImport } from '../../electron/importer/importer.js';
import { sampleDir, tempDir } from '../helpers.js';

let runtime: Runtime;
let project: Project;
let dir: string;
let cleanup: () => void;
let runId: number;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  runtime = openRuntime(path.join(dir, 'data'));
  project = runtime.project;
  await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [sampleDir] });
  // A class nobody has used yet: the run leaves it out of the font head.
  await runtime.services.targets.addClass({ targetId: project.store.targets.byName('font_style')!.id, name: 'gothic' }, runtime.local);
  const row = await new TrainingRuns(project).start(spec(2)).done;
  expect(row.status).toBe('completed');
  runId = row.id;
});
afterAll(() => {
  runtime.close();
  cleanup();
});

function spec(epochs: number): ModelSpecInput {
  return {
    name: 'tiny',
    inputs: [{ name: 'x', height: 16, width: 32 }],
    trunk: { preset: 'mlp', hidden: [32] },
    heads: [
      { name: 'length', target: { kind: 'target', target: 'length' } },
      { name: 'font', target: { kind: 'target', target: 'font_style' } },
    ],
    training: { epochs, batchSize: 32, learningRate: 0.003, seed: 5, reportEvery: 2 },
  };
}

/** The model labels of a run, by image and target name, as class names. */
function modelLabels(p: Project): Map<string, string> {
  const rows = p.store.db
    .prepare(
      `SELECT a.image_id, t.name AS target, coalesce(c.name, a.text_value) AS value FROM annotations a
       JOIN targets t ON t.id = a.target_id LEFT JOIN target_classes c ON c.id = a.class_id WHERE a.source = 'model'`,
    )
    .all() as { image_id: number; target: string; value: string }[];
  return new Map(rows.map((r) => [`${r.image_id}/${r.target}`, r.value]));
}

describe('a run is self-contained', () => {
  it('keeps the class lists it was trained with: classes nobody used are left out, and class edits later never shift predictions', async () => {
    const run = project.store.runs.get(runId)!;
    const trained = (JSON.parse(run.targets!) as { name: string; classes: { name: string }[] }[]).find((t) => t.name === 'font_style')!;
    const used = project.store.annotations.classCounts().filter((c) => c.target_id === project.store.targets.byName('font_style')!.id);
    expect(trained.classes.map((c) => c.name).sort()).toEqual(used.map((c) => c.class_name).sort());
    expect(trained.classes.map((c) => c.name)).not.toContain('gothic');
    const report = project.store.runs.evaluation<EvaluationReport>(runId, 'test')!;
    expect(report.heads.find((h) => h.head === 'font')!.classes).not.toContain('gothic');
    expect(report.warnings).toContainEqual({ head: 'font', kind: 'empty-classes', message: expect.stringMatching(/left out of this head: gothic/) });
    const jobs = new EngineJobs(project);
    await jobs.predict(runId, { all: true });
    const before = modelLabels(project);
    expect(before.size).toBeGreaterThan(0);

    // Delete every unused font_style class and re-add one of the used ones at the end (same name, new id and position).
    const font = () => project.store.targets.byName('font_style')!;
    const fontCounts = new Map(
      project.store.annotations
        .classCounts()
        .filter((c) => c.target_id === font().id)
        .map((c) => [c.class_name, c.n]),
    );
    const { services } = runtime;
    for (const c of font().classes.filter((x) => !fontCounts.has(x.name)))
      await services.targets.deleteClass({ targetId: font().id, classId: c.id, labels: 'refuse' }, runtime.local);
    const moved = font().classes[0]!;
    const into = font().classes[1]!;
    await services.targets.mergeClass({ targetId: font().id, classId: moved.id, intoClassId: into.id }, runtime.local);
    await services.targets.addClass({ targetId: font().id, name: moved.name }, runtime.local);

    const again = await jobs.predict(runId, { all: true });
    expect(again.missingClasses).toEqual([]);
    expect(modelLabels(project)).toEqual(before);
  });

  it('a class deleted since training is reported, not guessed', async () => {
    const { services } = runtime;
    const font = project.store.targets.byName('font_style')!;
    const predicted = [...modelLabels(project).entries()].find(([k]) => k.endsWith('/font_style'))![1];
    const cls = font.classes.find((c) => c.name === predicted)!;
    const other = font.classes.find((c) => c.id !== cls.id)!;
    await services.targets.mergeClass({ targetId: font.id, classId: cls.id, intoClassId: other.id }, runtime.local);
    const result = await new EngineJobs(project).predict(runId, { all: true });
    expect(result.missingClasses).toEqual([{ target: 'font_style', classes: [predicted] }]);
    await services.annotations.undo({}, runtime.local);
  });

  it('a copied project keeps every run working: checkpoints are stored relative to it', async () => {
    const stored = project.store.runs.latestCheckpoint(runId)!.path;
    expect(path.isAbsolute(stored)).toBe(false);
    const copy = path.join(dir, 'moved');
    project.store.db.pragma('wal_checkpoint(TRUNCATE)');
    cpSync(project.dataDir, copy, { recursive: true });
    const moved = Project.open(copy);
    try {
      const out = path.join(dir, 'export-from-copy');
      const result = await new EngineJobs(moved).export(runId, out);
      expect(result.files).toEqual(['model.json', 'weights.bin', 'polyhead.json']);
      expect(existsSync(path.join(out, 'weights.bin'))).toBe(true);
    } finally {
      moved.close();
    }
  });
});

describe('evaluation says which checkpoint it used, and warns where it cannot be trusted', () => {
  it('evaluates the epoch with the lowest validation loss and records it', () => {
    const report = project.store.runs.evaluation<EvaluationReport>(runId, 'test')!;
    const valLoss = project.store.runs.metrics(runId).filter((m) => m.split === 'val' && m.head === '' && m.metric === 'loss');
    const best = valLoss.reduce((a, b) => (b.value < a.value ? b : a));
    expect(report.selectedBy).toBe('validation loss');
    expect(report.epoch).toBe(best.epoch + 1);
    expect(project.store.runs.get(runId)!.best_epoch).toBe(report.epoch);
    // A tiny MLP on 300 crops: its heads are weak, and the report says so rather than staying silent.
    expect(report.warnings!.length).toBeGreaterThan(0);
    for (const w of report.warnings!) expect(w.message.length).toBeGreaterThan(10);
    expect(report.warnings!.some((w) => w.kind === 'few-examples' || w.kind === 'chance')).toBe(true);
  });

  it('reports top-k accuracy, a calibration curve per head, and the most confident mistakes as a queue', async () => {
    const report = project.store.runs.evaluation<EvaluationReport>(runId, 'test')!;
    const font = report.heads.find((h) => h.head === 'font')!;
    expect(font.topK!.map((t) => t.k)).toEqual([2, 3]);
    expect(font.topK![0]!.accuracy).toBeGreaterThanOrEqual(font.accuracy!);
    expect(font.topK![1]!.accuracy).toBeGreaterThanOrEqual(font.topK![0]!.accuracy);
    const bins = font.calibration!.bins;
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(font.count);
    for (const b of bins) expect(b.confidence).toBeGreaterThanOrEqual(b.from - 1e-6);
    expect(font.calibration!.ece).toBeGreaterThanOrEqual(0);
    const { items } = await runtime.services.training.mistakes({ runId, head: 'font', limit: 500 }, runtime.local);
    const wrong = font.confusion.reduce((n, row, t) => n + row.reduce((m, v, p) => m + (p === t ? 0 : v), 0), 0);
    expect(items).toHaveLength(wrong);
    expect(items.map((i) => i.confidence)).toEqual([...items.map((i) => i.confidence)].sort((a, b) => b - a));
    for (const i of items) expect(i.trueClass).not.toBe(i.predicted);
  });
});

describe('one trainer per run', () => {
  it('refuses a second resume while the run trains, naming who holds it; marks a dead trainer’s run interrupted', async () => {
    const runs = new TrainingRuns(project);
    const handle = runs.start(spec(30));
    await new Promise<void>((resolve) => setTimeout(resolve, 300));
    // Another process (another TrainingRuns, as a second server or the CLI would be) cannot resume it.
    expect(() => new TrainingRuns(project).resume(handle.runId)).toThrow(
      new RegExp(`run ${handle.runId} is being trained by process ${process.pid} on ${os.hostname()}`),
    );
    handle.control('cancel');
    expect((await handle.done).status).toBe('cancelled');

    // A run left 'running' by a process that no longer exists is interrupted on the next start, and can be resumed.
    project.store.db
      .prepare("UPDATE runs SET status = 'running', lock_owner = ?, lock_heartbeat = ? WHERE id = ?")
      .run(`${os.hostname()}/999999/dead`, new Date().toISOString(), handle.runId);
    new TrainingRuns(project);
    expect(project.store.runs.get(handle.runId)).toMatchObject({ status: 'interrupted', lock_owner: null, error: expect.stringMatching(/^interrupted/) });
  });

  it('a resumed run records no metric twice', async () => {
    const runs = new TrainingRuns(project);
    let checkpoints = 0;
    const handle = runs.start(spec(3), {
      onMessage: (m) => {
        if (m.type === 'checkpoint') checkpoints++;
        if (m.type === 'progress' && m.progress.kind === 'step' && checkpoints === 1 && m.progress.epoch === 1) void handle.worker.terminate();
      },
    });
    await handle.done;
    const row = await runs.resume(handle.runId).done;
    expect(row.status).toBe('completed');
    const dupes = project.store.db
      .prepare('SELECT count(*) AS n FROM (SELECT 1 FROM run_metrics WHERE run_id = ? GROUP BY epoch, step, split, head, metric HAVING count(*) > 1)')
      .get(handle.runId) as { n: number };
    expect(dupes.n).toBe(0);
  });
});

describe('specs are checked against the project before a run exists', () => {
  it('a head on a target with fewer than two labeled classes is refused, saying why', () => {
    const withScript = { ...spec(1), heads: [...spec(1).heads, { name: 'script', target: { kind: 'target' as const, target: 'script' } }] };
    expect(() => new TrainingRuns(project).check(withScript)).toThrow(
      /heads\.2\.classes: a head needs at least two classes \('script' has 1 labeled class\(es\): latin/,
    );
  });

  it('a head on a sequence or length target nobody has labeled is refused before a run exists, naming the head', async () => {
    expect(await runtime.dispatch('targets.createSequence', { name: 'word', alphabet: 'abc', maxLength: 3 })).toMatchObject({ ok: true });
    const count = project.store.runs.list().length;
    const onWord = {
      ...spec(1),
      heads: [
        ...spec(1).heads,
        { name: 'w0', target: { kind: 'position' as const, target: 'word', position: 0 } },
        { name: 'wlen', target: { kind: 'target' as const, target: 'word_length' } },
      ],
    };
    expect(await runtime.dispatch('training.check', { spec: onWord })).toMatchObject({
      ok: true,
      data: {
        ok: false,
        issues: [
          { path: 'spec.heads.2.target.target', message: "'word' has no labeled images yet: label some, or leave head 'w0' out" },
          { path: 'spec.heads.3.target.target', message: "'word_length' has no labeled images yet: label some, or leave head 'wlen' out" },
        ],
      },
    });
    expect(await runtime.dispatch('training.start', { spec: onWord })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(project.store.runs.list()).toHaveLength(count);
  });

  it('a position head past every labeled sequence, or a length head over one length, is refused before a run exists, naming the head', async () => {
    expect(await runtime.dispatch('targets.createSequence', { name: 'code', alphabet: 'abc', maxLength: 3 })).toMatchObject({ ok: true });
    const code = project.store.targets.list().find((t) => t.name === 'code')!;
    for (const [imageId, value] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'a'],
    ] as const)
      expect(await runtime.dispatch('annotations.set', { imageId, targetId: code.id, label: { kind: 'value', value } })).toMatchObject({ ok: true });
    const count = project.store.runs.list().length;
    const onCode = {
      ...spec(1),
      heads: [
        ...spec(1).heads,
        { name: 'c0', target: { kind: 'position' as const, target: 'code', position: 0 } },
        { name: 'c1', target: { kind: 'position' as const, target: 'code', position: 1 } },
        { name: 'clen', target: { kind: 'target' as const, target: 'code_length' } },
      ],
    };
    expect(await runtime.dispatch('training.check', { spec: onCode })).toMatchObject({
      ok: true,
      data: {
        ok: false,
        issues: [
          {
            path: 'spec.heads.3.target.position',
            message: "no labeled 'code' has more than 1 character(s) (the longest has 1), so position 1 has no labels: leave head 'c1' out",
          },
          {
            path: 'spec.heads.4.target.target',
            message: "every labeled 'code_length' is 1: a length head needs images of at least two lengths, or leave head 'clen' out",
          },
        ],
      },
    });
    expect(await runtime.dispatch('training.start', { spec: onCode })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(project.store.runs.list()).toHaveLength(count);
    const fine = { ...onCode, heads: onCode.heads.filter((h) => h.name !== 'c1' && h.name !== 'clen') };
    expect(await runtime.dispatch('training.check', { spec: fine })).toMatchObject({ ok: true, data: { ok: true } });
  });

  it('a head naming a missing target is a 400 naming the field, and no run is created', async () => {
    {
      const count = project.store.runs.list().length;
      const bad = { ...spec(1), heads: [{ name: 'f', target: { kind: 'target', target: 'fontstyle' } }] };
      const started = await runtime.dispatch('training.start', { spec: bad });
      expect(started).toMatchObject({
        ok: false,
        error: { code: 'invalid_request', issues: [{ path: 'spec.heads.0.target.target', message: expect.stringMatching(/no target named 'fontstyle'/) }] },
      });
      expect(project.store.runs.list()).toHaveLength(count);
      expect(await runtime.dispatch('training.check', { spec: bad })).toMatchObject({
        ok: true,
        data: { ok: false, issues: [{ path: 'spec.heads.0.target.target' }] },
      });
      expect(await runtime.dispatch('training.check', { spec: spec(1) })).toEqual({ ok: true, data: { ok: true, issues: [] } });
    }
  });
});
