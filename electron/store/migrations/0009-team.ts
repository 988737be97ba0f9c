import type { Migration } from './types.js';

/**
 * A project shared by a team on a server (issue 14):
 * - users, each with a role and a token (stored as its SHA-256: the token itself is shown once);
 * - who did it: every human annotation, history step, run and import batch records its author
 *   (the history keeps the author before and after, so an undo brings back who wrote a label);
 * - the history is per user: `edit_groups.author` (NULL for steps from before users existed,
 *   which anyone may undo);
 * - an audit log of every change made through the API (who, when, which method, what).
 */
export const migration0009: Migration = {
  version: 9,
  name: '0009-team',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('labeler', 'trainer', 'admin')),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
        detail TEXT
      ) STRICT;

      ALTER TABLE annotations ADD COLUMN author TEXT;
      ALTER TABLE edit_groups ADD COLUMN author TEXT;
      ALTER TABLE edit_changes ADD COLUMN before_author TEXT;
      ALTER TABLE edit_changes ADD COLUMN after_author TEXT;
      ALTER TABLE runs ADD COLUMN created_by TEXT;
      ALTER TABLE import_batches ADD COLUMN created_by TEXT;
      CREATE INDEX edit_groups_by_author ON edit_groups (author, undone, id);
    `);
  },
};
