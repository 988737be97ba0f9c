import { describe, expect, it } from 'vitest';
import type { ModelSpecInput } from '../../shared/model-spec.js';
import type { Evaluation } from '../../electron/engine/evaluation.js';
import { forkHost } from '../../electron/engine/host.js';
import { TrainingRuns } from '../../electron/engine/runs.js';
import { useImportedSample } from '../sample-project.js';

const sample = useImportedSample();

const houseNumbers = (epochs: number): ModelSpecInput => ({
  name: 'tiny house numbers',
  inputs: [{ name: 'x', height: 16, width: 32 }],
  trunk: { preset: 'conv', depth: 2, width: 8, dense: 64 },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
    { name: 'd1', target: { kind: 'position', target: 'digits', position: 1 } },
    { name: 'font', target: { kind: 'target', target: 'font_style' }, adversarial: { lambda: { schedule: 'dann', max: 0.1 } } },
  ],
  training: { epochs, batchSize: 32, learningRate: 0.003, reportEvery: 2, seed: 3 },
});

describe('training runs in a worker thread', () => {
  it('trains from the store, records backend, split, metrics, checkpoints and the test evaluation', async () => {
    const runs = new TrainingRuns(sample.project);
    const handle = runs.start(houseNumbers(2));
    const row = await handle.done;
    expect(row.error).toBeNull();
    expect(row.status).toBe('completed');
    expect(row.backend).toBe(process.env.POLYHEAD_BACKEND ?? 'wasm');
    expect(row.backend_reason).toBeTruthy();
    expect(row.epochs_done).toBe(2);
    const split = JSON.parse(row.split!) as { train: number[][]; validation: number[][]; test: number[][] };
    // Every sample image with a digits, length or font label takes part, split ~80/10/10.
    const total = split.train.length + split.validation.length + split.test.length;
    expect(total).toBeGreaterThan(200);
    expect(split.test.length).toBeGreaterThan(15);
    const metrics = sample.project.store.runs.metrics(handle.runId);
    const epochLoss = metrics.filter((m) => m.split === 'val' && m.head === '' && m.metric === 'loss');
    expect(epochLoss).toHaveLength(2);
    expect(metrics.some((m) => m.head === 'font' && m.metric === 'lambda')).toBe(true);
    expect(sample.project.store.runs.latestCheckpoint(handle.runId)?.epoch).toBe(2);
    const report = sample.project.store.runs.evaluation<Evaluation>(handle.runId, 'test')!;
    expect(report.heads.map((h) => h.head)).toEqual(['length', 'd0', 'd1', 'font']);
    const length = report.heads[0]!;
    expect(length.confusion).toHaveLength(7);
    expect(length.confusion.flat().reduce((a, b) => a + b, 0)).toBe(length.count);
    expect(report.heads[3]!.chance).toBeGreaterThan(0);
    // Whole-sequence accuracy counts the sequences the heads model: here lengths 0..2.
    expect(report.sequences).toHaveLength(1);
    const seq = report.sequences[0]!;
    expect(seq).toMatchObject({ target: 'digits', lengthHead: 'length', digitHeads: ['d0', 'd1'] });
    expect(seq.count).toBeGreaterThan(0);
    expect(seq.coverageAt98).toBeGreaterThanOrEqual(0);
    expect(seq.coverageAt98).toBeLessThanOrEqual(1);
    expect(seq.curve.at(-1)!.coverage).toBe(1);
    const cells = sample.project.store.db.prepare('SELECT count(*) AS n FROM confusion_cells WHERE run_id = ? AND head = ?').get(handle.runId, 'length') as {
      n: number;
    };
    expect(cells.n).toBe(length.count);
  });

  it('a worker killed mid-epoch resumes from its last checkpoint and completes', async () => {
    const runs = new TrainingRuns(sample.project);
    let checkpoints = 0;
    const handle = runs.start(houseNumbers(3), {
      onMessage: (m) => {
        if (m.type === 'checkpoint') checkpoints++;
        // Kill it in the middle of epoch 2, after the first checkpoint.
        if (m.type === 'progress' && m.progress.kind === 'step' && checkpoints === 1 && m.progress.epoch === 1) void handle.worker.terminate();
      },
    });
    const killed = await handle.done;
    expect(killed.status).toBe('failed');
    expect(killed.error).toMatch(/exited.*resume the run/);
    expect(sample.project.store.runs.latestCheckpoint(handle.runId)?.epoch).toBe(1);

    const resumed = runs.resume(handle.runId);
    const row = await resumed.done;
    expect(row.error).toBeNull();
    expect(row.status).toBe('completed');
    expect(row.epochs_done).toBe(3);
    expect(sample.project.store.runs.latestCheckpoint(handle.runId)?.epoch).toBe(3);
    expect(sample.project.store.runs.evaluation(handle.runId, 'test')).toBeTruthy();
  });

  it("runs the same way in a separate process (the path Electron's utilityProcess takes)", async () => {
    const runs = new TrainingRuns(sample.project, forkHost);
    const row = await runs.start(houseNumbers(1)).done;
    expect(row.error).toBeNull();
    expect(row.status).toBe('completed');
    expect(row.epochs_done).toBe(1);
  });

  it('refuses an invalid spec with errors naming the fields', () => {
    const runs = new TrainingRuns(sample.project);
    expect(() => runs.start({ ...houseNumbers(1), heads: [{ name: 'x', target: { kind: 'position', target: 'digits', position: -1 } }] })).toThrow(
      /heads\.0\.target\.position/,
    );
  });
});
