import type { Database, Statement } from 'better-sqlite3';
import { writeTransaction } from './transaction.js';
import type { RunMetric, RunStatus } from '../../shared/runs.js';

export type { RunStatus };

export interface RunRow {
  id: number;
  name: string;
  status: RunStatus;
  spec: string;
  seed: number;
  backend: string | null;
  backend_reason: string | null;
  split: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  epochs_done: number;
  steps_done: number;
  /** JSON: the targets and class lists the run was trained with (null for runs from before they were kept). */
  targets: string | null;
  /** The epoch whose checkpoint was evaluated and is used for prediction and export. */
  best_epoch: number | null;
  lock_owner: string | null;
  lock_heartbeat: string | null;
  /** Who started it (null for runs from before users were recorded). */
  created_by: string | null;
}

export type MetricRow = RunMetric;

export class RunsRepo {
  private readonly stmts: {
    insert: Statement<{ name: string; spec: string; seed: number; targets: string; owner: string; now: string; author: string | null }>;
    best: Statement<{ id: number; epoch: number }>;
    checkpointAt: Statement<{ runId: number; epoch: number }, { epoch: number; step: number; path: string }>;
    dropAfter: Statement<{ runId: number; step: number }>;
    dropCheckpointsAfter: Statement<{ runId: number; epoch: number }>;
    get: Statement<[number], RunRow>;
    list: Statement<[], RunRow>;
    status: Statement<{ id: number; status: RunStatus; error: string | null; now: string }>;
    started: Statement<{ id: number; backend: string; reason: string; now: string }>;
    split: Statement<{ id: number; split: string }>;
    progress: Statement<{ id: number; epochs: number; steps: number }>;
    metric: Statement<MetricRow & { runId: number; now: string }>;
    metrics: Statement<[number], MetricRow>;
    checkpoint: Statement<{ runId: number; epoch: number; step: number; path: string; now: string }>;
    latestCheckpoint: Statement<[number], { epoch: number; step: number; path: string }>;
    matrix: Statement<{ runId: number; head: string; split: string; classes: string; counts: string }>;
    clearCells: Statement<{ runId: number; head: string; split: string }>;
    cell: Statement<{ runId: number; head: string; split: string; t: number; p: number; imageId: number; confidence: number }>;
    report: Statement<{ runId: number; split: string; report: string; now: string }>;
    getReport: Statement<{ runId: number; split: string }, { report: string }>;
    mistakes: Statement<
      { runId: number; head: string | null; limit: number },
      { imageId: number; head: string; t: number; p: number; confidence: number; classes: string }
    >;
    cellImages: Statement<{ runId: number; head: string; split: string; t: number; p: number }, { imageId: number; confidence: number }>;
  };

  constructor(private readonly db: Database) {
    this.stmts = {
      insert: db.prepare(
        "INSERT INTO runs (name, status, spec, seed, targets, lock_owner, lock_heartbeat, created_at, created_by) VALUES (@name, 'queued', @spec, @seed, @targets, @owner, @now, @now, @author)",
      ),
      best: db.prepare('UPDATE runs SET best_epoch = @epoch WHERE id = @id'),
      checkpointAt: db.prepare('SELECT epoch, step, path FROM checkpoints WHERE run_id = @runId AND epoch = @epoch'),
      dropAfter: db.prepare('DELETE FROM run_metrics WHERE run_id = @runId AND step > @step'),
      dropCheckpointsAfter: db.prepare('DELETE FROM checkpoints WHERE run_id = @runId AND epoch > @epoch'),
      get: db.prepare('SELECT * FROM runs WHERE id = ?'),
      list: db.prepare('SELECT * FROM runs ORDER BY id DESC'),
      status: db.prepare(
        `UPDATE runs SET status = @status, error = @error,
         finished_at = CASE WHEN @status IN ('completed', 'failed', 'cancelled', 'interrupted') THEN @now ELSE NULL END WHERE id = @id`,
      ),
      started: db.prepare(
        "UPDATE runs SET status = 'running', backend = @backend, backend_reason = @reason, started_at = coalesce(started_at, @now), error = NULL, finished_at = NULL WHERE id = @id",
      ),
      split: db.prepare('UPDATE runs SET split = @split WHERE id = @id'),
      progress: db.prepare('UPDATE runs SET epochs_done = @epochs, steps_done = @steps WHERE id = @id'),
      metric: db.prepare(
        'INSERT INTO run_metrics (run_id, epoch, step, split, head, metric, value, recorded_at) VALUES (@runId, @epoch, @step, @split, @head, @metric, @value, @now)',
      ),
      metrics: db.prepare('SELECT epoch, step, split, head, metric, value FROM run_metrics WHERE run_id = ? ORDER BY step, rowid'),
      checkpoint: db.prepare(
        `INSERT INTO checkpoints (run_id, epoch, step, path, created_at) VALUES (@runId, @epoch, @step, @path, @now)
         ON CONFLICT (run_id, epoch) DO UPDATE SET step = excluded.step, path = excluded.path, created_at = excluded.created_at`,
      ),
      latestCheckpoint: db.prepare('SELECT epoch, step, path FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1'),
      matrix: db.prepare(
        `INSERT INTO confusion_matrices (run_id, head, split, classes, counts) VALUES (@runId, @head, @split, @classes, @counts)
         ON CONFLICT (run_id, head, split) DO UPDATE SET classes = excluded.classes, counts = excluded.counts`,
      ),
      clearCells: db.prepare('DELETE FROM confusion_cells WHERE run_id = @runId AND head = @head AND split = @split'),
      cell: db.prepare(
        'INSERT INTO confusion_cells (run_id, head, split, true_index, pred_index, image_id, confidence) VALUES (@runId, @head, @split, @t, @p, @imageId, @confidence)',
      ),
      report: db.prepare(
        `INSERT INTO run_evaluations (run_id, split, report, created_at) VALUES (@runId, @split, @report, @now)
         ON CONFLICT (run_id, split) DO UPDATE SET report = excluded.report, created_at = excluded.created_at`,
      ),
      getReport: db.prepare('SELECT report FROM run_evaluations WHERE run_id = @runId AND split = @split'),
      mistakes: db.prepare(
        `SELECT c.image_id AS imageId, c.head, c.true_index AS t, c.pred_index AS p, c.confidence, m.classes
         FROM confusion_cells c JOIN confusion_matrices m ON m.run_id = c.run_id AND m.head = c.head AND m.split = c.split
         WHERE c.run_id = @runId AND c.split = 'test' AND c.true_index <> c.pred_index AND (@head IS NULL OR c.head = @head)
         ORDER BY c.confidence DESC, c.image_id LIMIT @limit`,
      ),
      cellImages: db.prepare(
        `SELECT image_id AS imageId, confidence FROM confusion_cells
         WHERE run_id = @runId AND head = @head AND split = @split AND true_index = @t AND pred_index = @p ORDER BY confidence DESC, image_id`,
      ),
    };
  }

  /** A new run, locked by `owner` from the start, with the targets it trains on. */
  create(name: string, spec: unknown, seed: number, targets: unknown = null, owner = '', author: string | null = null): number {
    const now = new Date().toISOString();
    return Number(this.stmts.insert.run({ name, spec: JSON.stringify(spec), seed, targets: JSON.stringify(targets), owner, now, author }).lastInsertRowid);
  }
  setBestEpoch(id: number, epoch: number): void {
    this.stmts.best.run({ id, epoch });
  }
  checkpointAt(runId: number, epoch: number) {
    return this.stmts.checkpointAt.get({ runId, epoch });
  }
  /** Before a resume from the checkpoint at (epoch, step): what came after it is recorded again, not twice. */
  forgetAfter(runId: number, epoch: number, step: number): void {
    writeTransaction(this.db, () => {
      this.stmts.dropAfter.run({ runId, step });
      this.stmts.dropCheckpointsAfter.run({ runId, epoch });
    });
  }
  get(id: number): RunRow | undefined {
    return this.stmts.get.get(id);
  }
  list(): RunRow[] {
    return this.stmts.list.all();
  }
  setStatus(id: number, status: RunStatus, error: string | null = null): void {
    this.stmts.status.run({ id, status, error, now: new Date().toISOString() });
  }
  started(id: number, backend: string, reason: string): void {
    this.stmts.started.run({ id, backend, reason, now: new Date().toISOString() });
  }
  setSplit(id: number, split: unknown): void {
    this.stmts.split.run({ id, split: JSON.stringify(split) });
  }
  addMetrics(runId: number, rows: MetricRow[], epochsDone: number, stepsDone: number): void {
    const now = new Date().toISOString();
    writeTransaction(this.db, () => {
      for (const r of rows) this.stmts.metric.run({ ...r, runId, now });
      this.stmts.progress.run({ id: runId, epochs: epochsDone, steps: stepsDone });
    });
  }
  metrics(runId: number): MetricRow[] {
    return this.stmts.metrics.all(runId);
  }
  addCheckpoint(runId: number, epoch: number, step: number, path: string): void {
    this.stmts.checkpoint.run({ runId, epoch, step, path, now: new Date().toISOString() });
  }
  latestCheckpoint(runId: number) {
    return this.stmts.latestCheckpoint.get(runId);
  }
  saveEvaluation(
    runId: number,
    split: 'val' | 'test',
    report: {
      heads: {
        head: string;
        classes: string[];
        confusion: number[][];
        cells: { trueIndex: number; predIndex: number; imageId: number; confidence: number }[];
      }[];
    },
  ): void {
    const now = new Date().toISOString();
    writeTransaction(this.db, () => {
      for (const h of report.heads) {
        this.stmts.matrix.run({ runId, head: h.head, split, classes: JSON.stringify(h.classes), counts: JSON.stringify(h.confusion) });
        this.stmts.clearCells.run({ runId, head: h.head, split });
        for (const c of h.cells)
          this.stmts.cell.run({ runId, head: h.head, split, t: c.trueIndex, p: c.predIndex, imageId: c.imageId, confidence: c.confidence });
      }
      const withoutCells = { ...report, heads: report.heads.map(({ cells: _cells, ...rest }) => rest) };
      this.stmts.report.run({ runId, split, report: JSON.stringify(withoutCells), now });
    });
  }
  /** Test images a head got wrong, most confident first, with the class names. */
  mistakes(runId: number, head: string | null, limit: number) {
    return this.stmts.mistakes.all({ runId, head, limit }).map((r) => {
      const classes = JSON.parse(r.classes) as string[];
      return { imageId: r.imageId, head: r.head, trueClass: classes[r.t]!, predicted: classes[r.p]!, confidence: r.confidence };
    });
  }
  /** The images behind one confusion-matrix cell, most confident first. */
  cellImages(runId: number, head: string, split: 'val' | 'test', trueIndex: number, predIndex: number) {
    return this.stmts.cellImages.all({ runId, head, split, t: trueIndex, p: predIndex });
  }

  evaluation<T>(runId: number, split: 'val' | 'test'): T | undefined {
    const row = this.stmts.getReport.get({ runId, split });
    return row ? (JSON.parse(row.report) as T) : undefined;
  }
}
