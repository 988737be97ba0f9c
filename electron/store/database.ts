import { pathToFileURL } from 'node:url';
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

// A project in a folder nobody may write to (a read-only share, a copy on read-only media) is
// opened through SQLite's `immutable` URI: its WAL index cannot be created there. better-sqlite3
// reads this switch when it loads its addon, on the first connection.
process.env.SQLITE_USE_URI ??= '1';

/** SQLite result codes that mean the file is not a sound database. */
const DAMAGED_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * The database failed SQLite's check (or is not a database at all). Nothing was written to it:
 * the message says how to get the project back.
 */
export class DatabaseDamagedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
    super(
      `The project database ${file} is damaged (${shown}). Polyhead will not open it, so nothing more is written over it. ` +
        'To recover: stop every Polyhead process using this project, keep a copy of the damaged file, then copy the newest backup ' +
        `over it and delete ${file}-wal and ${file}-shm if present (backups: \`polyhead backup --data DIR --out FILE\`, and the daily ` +
        "ones a server keeps in DIR/backups/). Without a backup, the sqlite3 shell's `.recover` command salvages what is still " +
        'readable into a new file. `polyhead check --data DIR` runs the full integrity check.',
    );
    this.name = 'DatabaseDamagedError';
  }
}

/** A read-only open of a database an older Polyhead wrote: it needs its migrations, which write. */
export class DatabaseNeedsUpgradeError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly latest: number,
  ) {
    super(`The database ${file} has schema version ${found} and needs upgrading to ${latest}, which a read-only open cannot do`);
    this.name = 'DatabaseNeedsUpgradeError';
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
  /** Opens without writing anything: no migrations, no journal mode change (reading commands). */
  readonly?: boolean;
  /** 'quick' (the default): PRAGMA quick_check before anything else, refusing a damaged file. */
  check?: 'quick' | 'none';
}

/** The problems SQLite's check finds ('quick': quick_check, 'full': integrity_check + foreign keys); empty when sound. */
export function checkDatabase(db: Database.Database, kind: 'quick' | 'full'): string[] {
  const rows = db.pragma(kind === 'quick' ? 'quick_check' : 'integrity_check') as Record<string, string>[];
  const problems = rows.map((r) => Object.values(r)[0]!).filter((p) => p !== 'ok');
  if (kind === 'full') {
    const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    problems.push(...broken.slice(0, 20).map((b) => `row ${b.rowid} of ${b.table} refers to a missing ${b.parent} row`));
  }
  return problems;
}

function connect(file: string, readonly: boolean): Database.Database {
  const db = new Database(file, { readonly, fileMustExist: readonly });
  if (!readonly) return db;
  try {
    schemaVersion(db);
    return db;
  } catch (error) {
    db.close();
    // WAL needs its index file next to the database; in a folder nobody may write, read it as immutable.
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test((error as { code?: string }).code ?? '')) throw error;
    return new Database(`${pathToFileURL(file).href}?immutable=1`, { readonly: true, fileMustExist: true });
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Opens (creating if needed) a project database: checks it (quick_check: a damaged file is
 * refused before anything writes to it), WAL, foreign keys, synchronous FULL (a labeled item
 * survives a crash or power cut once the write returned), then applies pending migrations,
 * each in its own transaction together with its user_version bump.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  const migrations = options.migrations ?? allMigrations;
  const latest = migrations.length;
  const target = options.targetVersion ?? latest;
  let db: Database.Database;
  try {
    db = connect(file, options.readonly ?? false);
  } catch (error) {
    if (DAMAGED_CODES.test((error as { code?: string }).code ?? '')) throw new DatabaseDamagedError(file, [(error as Error).message]);
    throw error;
  }
  try {
    const found = schemaVersion(db);
    if (found > latest) throw new DatabaseTooNewError(file, found, latest);
    if (options.check !== 'none') {
      const problems = checkDatabase(db, 'quick');
      if (problems.length > 0) throw new DatabaseDamagedError(file, problems);
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (options.readonly && found < target) throw new DatabaseNeedsUpgradeError(file, found, target);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db, migrations, target);
    }
    return db;
  } catch (error) {
    db.close();
    if (DAMAGED_CODES.test((error as { code?: string }).code ?? '')) throw new DatabaseDamagedError(file, [(error as Error).message]);
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
