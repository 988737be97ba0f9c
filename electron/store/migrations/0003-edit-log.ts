import type { Migration } from './types.js';

/**
 * The persisted undo/redo history of human labeling: each user action (a keystroke burst
 * in one field, a class key, a bulk edit, an undo) is a group of changes with the label
 * before and after. A NULL state means "not looked at" (no annotation).
 */
export const migration0003: Migration = {
  version: 3,
  name: '0003-edit-log',
  up(db) {
    db.exec(`
      CREATE TABLE edit_groups (
        id INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        coalesce_key TEXT,
        undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX edit_groups_by_undone ON edit_groups (undone, id);

      CREATE TABLE edit_changes (
        group_id INTEGER NOT NULL REFERENCES edit_groups(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
        before_state TEXT CHECK (before_state IN ('value', 'unknown')),
        before_text TEXT,
        before_class_id INTEGER,
        after_state TEXT CHECK (after_state IN ('value', 'unknown')),
        after_text TEXT,
        after_class_id INTEGER,
        PRIMARY KEY (group_id, image_id, target_id)
      ) STRICT;
      CREATE INDEX edit_changes_by_class ON edit_changes (before_class_id, after_class_id);
    `);
  },
};
