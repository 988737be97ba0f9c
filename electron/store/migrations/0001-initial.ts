import type { Migration } from './types.js';

/** Project settings, targets and their classes, images, annotations, import batches. */
export const migration0001: Migration = {
  version: 1,
  name: '0001-initial',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE targets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('sequence', 'length', 'categorical')),
        alphabet TEXT,
        max_length INTEGER,
        source_target_id INTEGER REFERENCES targets(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        CHECK ((kind = 'sequence') = (alphabet IS NOT NULL AND max_length IS NOT NULL)),
        CHECK ((kind = 'length') = (source_target_id IS NOT NULL))
      ) STRICT;

      CREATE TABLE target_classes (
        id INTEGER PRIMARY KEY,
        target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        hotkey TEXT,
        position INTEGER NOT NULL,
        UNIQUE (target_id, name)
      ) STRICT;

      CREATE TABLE import_batches (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        sources TEXT NOT NULL,
        imported INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        report TEXT
      ) STRICT;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        stored_path TEXT NOT NULL,
        original_path TEXT,
        original_name TEXT NOT NULL,
        format TEXT NOT NULL,
        width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0),
        channels INTEGER NOT NULL,
        byte_size INTEGER NOT NULL,
        thumbnail BLOB NOT NULL,
        import_batch_id INTEGER REFERENCES import_batches(id),
        imported_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE annotations (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('human', 'model')),
        state TEXT NOT NULL CHECK (state IN ('value', 'unknown')),
        text_value TEXT,
        class_id INTEGER REFERENCES target_classes(id) ON DELETE RESTRICT,
        confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
        run_id INTEGER,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (image_id, target_id, source),
        CHECK (
          (state = 'unknown' AND text_value IS NULL AND class_id IS NULL)
          OR (state = 'value' AND ((text_value IS NULL) <> (class_id IS NULL)))
        )
      ) STRICT, WITHOUT ROWID;

      CREATE INDEX annotations_by_target ON annotations (target_id, source, state, class_id);
      CREATE INDEX images_by_name ON images (original_name);
    `);
  },
};
