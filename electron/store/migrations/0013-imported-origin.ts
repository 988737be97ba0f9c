import { rebuildTable } from './rebuild-table.js';
import type { Migration } from './types.js';

/**
 * A human label that came in with an import (a labels file, folder names, `.gt.txt`
 * transcripts, an IDX labels file, a Polyhead export read back) has its own origin, 'imported',
 * instead of 'typed': a person labeled it, but not here. The origin's CHECK constraint allows it
 * only in a rebuilt table; the rebuild copies every row and keeps the table's indexes and the
 * triggers of migrations 7, 10 and 11 (re-made from their stored SQL), and does not touch the
 * counts those triggers keep (a copy fires no trigger; the rows, and so the counts, are the same).
 *
 * Existing labels: a typed label written at the very instant its image was imported (its
 * updated_at is the image's imported_at, as the importer writes both) came with that import and
 * has not been changed since (every later write, undo included, takes a new time). Labels a
 * later labels-file import gave to images already in the project cannot be told from typed
 * ones and stay 'typed'.
 */
export const migration0013: Migration = {
  version: 13,
  name: '0013-imported-origin',
  rebuildsTables: true,
  up(db) {
    rebuildTable(
      db,
      'annotations',
      `CREATE TABLE annotations_new (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('human', 'model')),
        state TEXT NOT NULL CHECK (state IN ('value', 'unknown')),
        text_value TEXT,
        class_id INTEGER REFERENCES target_classes(id) ON DELETE RESTRICT,
        confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
        run_id INTEGER,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        origin TEXT CHECK (origin IS NULL OR origin IN ('typed', 'accepted', 'derived', 'imported')),
        author TEXT,
        has_human INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (image_id, target_id, source),
        CHECK (
          (state = 'unknown' AND text_value IS NULL AND class_id IS NULL)
          OR (state = 'value' AND ((text_value IS NULL) <> (class_id IS NULL)))
        )
      ) STRICT, WITHOUT ROWID`,
      `INSERT INTO annotations_new (image_id, target_id, source, state, text_value, class_id, confidence, run_id, updated_at, version, origin, author, has_human)
        SELECT a.image_id, a.target_id, a.source, a.state, a.text_value, a.class_id, a.confidence, a.run_id, a.updated_at, a.version,
          CASE WHEN a.source = 'human' AND a.origin = 'typed' AND a.updated_at = (SELECT i.imported_at FROM images i WHERE i.id = a.image_id)
            THEN 'imported' ELSE a.origin END,
          a.author, a.has_human
        FROM annotations a`,
    );
  },
};
