import type { Migration } from './types.js';

/**
 * What makes a run's numbers trustworthy (issue 12):
 * - a run keeps the targets and class lists it was trained with (`targets`), so prediction
 *   and export map outputs by class name, whatever happens to the classes later;
 * - the epoch whose checkpoint was evaluated (`best_epoch`, chosen on validation);
 * - one trainer per run: `lock_owner` and `lock_heartbeat` (a stale lock is taken over);
 * - a run whose trainer died is 'interrupted', not forever 'running' (a new status: the
 *   table is rebuilt, since SQLite cannot alter a CHECK constraint).
 */
export const migration0006: Migration = {
  version: 6,
  name: '0006-trustworthy-runs',
  rebuildsTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE runs_new (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted')),
        spec TEXT NOT NULL,
        seed INTEGER NOT NULL,
        backend TEXT,
        backend_reason TEXT,
        split TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT,
        epochs_done INTEGER NOT NULL DEFAULT 0,
        steps_done INTEGER NOT NULL DEFAULT 0,
        targets TEXT,
        best_epoch INTEGER,
        lock_owner TEXT,
        lock_heartbeat TEXT
      ) STRICT;
      INSERT INTO runs_new (id, name, status, spec, seed, backend, backend_reason, split, created_at, started_at, finished_at, error, epochs_done, steps_done)
        SELECT id, name, status, spec, seed, backend, backend_reason, split, created_at, started_at, finished_at, error, epochs_done, steps_done FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_new RENAME TO runs;
    `);
  },
};
