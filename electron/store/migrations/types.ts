import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Recorded in PRAGMA user_version once applied. */
  version: number;
  /** NNNN-name, matching the file. */
  name: string;
  up(db: Database): void;
  /**
   * Rebuilds a table that others reference (SQLite cannot alter a CHECK constraint): foreign
   * keys are switched off around the migration's transaction, as SQLite's documented table
   * rebuild requires, and checked (PRAGMA foreign_key_check) before it commits.
   */
  rebuildsTables?: boolean;
}
