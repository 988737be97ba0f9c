import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Recorded in PRAGMA user_version once applied. */
  version: number;
  /** NNNN-name, matching the file. */
  name: string;
  up(db: Database): void;
}
