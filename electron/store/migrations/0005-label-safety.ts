import type { Migration } from './types.js';

/**
 * What makes label changes deliberate and safe (issue 11):
 * - every annotation has a version from one project-wide clock, so a write names the version
 *   it was made against and a stale one is refused (two tabs, two windows);
 * - a human label says how it came to be: typed, accepted from a model suggestion (with the
 *   run and confidence), or derived (a length that follows typed digits);
 * - classes are deleted softly (hidden, name parked) so merges and deletions can be undone;
 *   the history keeps provenance and records class operations;
 * - targets get a jump key; class keys that the labeler reserves (a, g, q) are freed.
 */
export const migration0005: Migration = {
  version: 5,
  name: '0005-label-safety',
  up(db) {
    db.exec(`
      CREATE TABLE label_clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      ) STRICT;
      INSERT INTO label_clock (id, value) VALUES (1, 1);

      ALTER TABLE annotations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE annotations ADD COLUMN origin TEXT CHECK (origin IS NULL OR origin IN ('typed', 'accepted', 'derived'));
      UPDATE annotations SET origin = 'typed' WHERE source = 'human';

      ALTER TABLE targets ADD COLUMN hotkey TEXT;
      ALTER TABLE target_classes ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1));
      UPDATE target_classes SET hotkey = NULL WHERE hotkey IN ('a', 'g', 'q');

      ALTER TABLE edit_groups ADD COLUMN class_op TEXT;
      ALTER TABLE edit_changes ADD COLUMN before_origin TEXT;
      ALTER TABLE edit_changes ADD COLUMN before_run_id INTEGER;
      ALTER TABLE edit_changes ADD COLUMN before_confidence REAL;
      ALTER TABLE edit_changes ADD COLUMN after_origin TEXT;
      ALTER TABLE edit_changes ADD COLUMN after_run_id INTEGER;
      ALTER TABLE edit_changes ADD COLUMN after_confidence REAL;
      UPDATE edit_changes SET before_origin = CASE WHEN before_state IS NULL THEN NULL ELSE 'typed' END,
                              after_origin = CASE WHEN after_state IS NULL THEN NULL ELSE 'typed' END;
    `);
  },
};
