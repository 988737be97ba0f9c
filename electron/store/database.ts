import Database from 'better-sqlite3';
import { migrations as allMigrations } from './migrations/index.js';
import type { Migration } from './migrations/types.js';
import { writeTransaction } from './transaction.js';

export class DatabaseTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `The database ${file} has schema version ${found}, but this version of Polyhead only knows versions up to ${supported}. ` +
        'It was written by a newer Polyhead; upgrade Polyhead to open it. The file was not changed.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

export class MigrationError extends Error {
  constructor(migration: Migration, cause: unknown) {
    super(`Migration ${migration.name} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

export interface OpenOptions {
  /** Stop after this schema version (tests build older databases with it). */
  targetVersion?: number;
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Opens (creating if needed) a project database: WAL, foreign keys, synchronous FULL
 * (a labeled item survives a crash or power cut once the write returned), then applies
 * pending migrations, each in its own transaction together with its user_version bump.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  const migrations = options.migrations ?? allMigrations;
  const latest = migrations.length;
  const target = options.targetVersion ?? latest;
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    const found = schemaVersion(db);
    if (found > latest) throw new DatabaseTooNewError(file, found, latest);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db, migrations, target);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database, migrations: readonly Migration[], target: number): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  for (const migration of migrations) {
    if (migration.version <= schemaVersion(db) || migration.version > target) continue;
    // PRAGMA foreign_keys is a no-op inside a transaction: it is set around it.
    if (migration.rebuildsTables) db.pragma('foreign_keys = OFF');
    try {
      writeTransaction(db, () => {
        migration.up(db);
        if (migration.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`the rebuilt tables break ${broken.length} foreign key(s): ${JSON.stringify(broken.slice(0, 3))}`);
        }
        db.pragma(`user_version = ${migration.version}`);
      });
    } catch (error) {
      throw new MigrationError(migration, error);
    } finally {
      if (migration.rebuildsTables) db.pragma('foreign_keys = ON');
    }
  }
}
