import type { Migration } from './types.js';

/** Training runs, their per-step/epoch metrics, confusion matrices (with the images behind each cell) and checkpoints. */
export const migration0002: Migration = {
  version: 2,
  name: '0002-training',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
        spec TEXT NOT NULL,
        seed INTEGER NOT NULL,
        backend TEXT,
        backend_reason TEXT,
        split TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT
      ) STRICT;

      CREATE TABLE run_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        step INTEGER NOT NULL,
        split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
        head TEXT NOT NULL,
        metric TEXT NOT NULL,
        value REAL NOT NULL,
        recorded_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX run_metrics_by_run ON run_metrics (run_id, head, metric, step);

      CREATE TABLE confusion_matrices (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        head TEXT NOT NULL,
        split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
        classes TEXT NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (run_id, head, split)
      ) STRICT;

      CREATE TABLE confusion_cells (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        head TEXT NOT NULL,
        split TEXT NOT NULL,
        true_index INTEGER NOT NULL,
        pred_index INTEGER NOT NULL,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        confidence REAL NOT NULL
      ) STRICT;
      CREATE INDEX confusion_cells_by_cell ON confusion_cells (run_id, head, split, true_index, pred_index);

      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        step INTEGER NOT NULL,
        path TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, epoch)
      ) STRICT;
    `);
  },
};
