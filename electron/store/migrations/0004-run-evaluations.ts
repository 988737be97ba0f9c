import type { Migration } from './types.js';

/** The full evaluation report of a run (per-class metrics, coverage curves), and the run's split and progress. */
export const migration0004: Migration = {
  version: 4,
  name: '0004-run-evaluations',
  up(db) {
    db.exec(`
      CREATE TABLE run_evaluations (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
        report TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, split)
      ) STRICT;
      ALTER TABLE runs ADD COLUMN epochs_done INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN steps_done INTEGER NOT NULL DEFAULT 0;
    `);
  },
};
