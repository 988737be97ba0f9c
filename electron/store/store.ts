import type { Database, Statement } from 'better-sqlite3';
import { AnnotationsRepo } from './annotations-repo.js';
import { AuditRepo } from './audit-repo.js';
import { openDatabase, schemaVersion, type OpenOptions } from './database.js';
import { EditLogRepo } from './edit-log-repo.js';
import { ImagesRepo } from './images-repo.js';
import { LabelExportRepo } from './label-export-repo.js';
import { RunLocksRepo } from './run-locks-repo.js';
import { RunsRepo } from './runs-repo.js';
import { TargetsRepo } from './targets-repo.js';
import { UsersRepo } from './users-repo.js';
import { readTransaction, writeTransaction } from './transaction.js';

/** An import batch that never finished: its process was killed, or is still running. */
export interface UnfinishedBatch {
  id: number;
  owner: string | null;
  startedAt: string;
  imported: number;
}

export interface BatchRecord {
  imported: number;
  duplicates: number;
  rejected: number;
  report: unknown;
}

/**
 * The project database: one connection, statements prepared once per repository. Other
 * processes (the CLI, the desktop app, a second server) may write to the same file at any
 * time: what this connection caches (the targets) is dropped whenever SQLite's
 * `data_version` says another connection has committed.
 */
export class Store {
  readonly targets: TargetsRepo;
  readonly images: ImagesRepo;
  readonly annotations: AnnotationsRepo;
  readonly edits: EditLogRepo;
  readonly runs: RunsRepo;
  readonly runLocks: RunLocksRepo;
  readonly labelExports: LabelExportRepo;
  readonly users: UsersRepo;
  readonly audit: AuditRepo;
  private readonly stmts: {
    dataVersion: Statement<[], number>;
    totalChanges: Statement<[], number>;
    getSetting: Statement<[string], { value: string }>;
    putSetting: Statement<{ key: string; value: string }>;
    startBatch: Statement<{ sources: string; now: string; owner: string | null; author: string | null }>;
    unfinishedBatches: Statement<[], UnfinishedBatch>;
    finishBatch: Statement<{ id: number; now: string; imported: number; duplicates: number; rejected: number; report: string }>;
  };

  private lastDataVersion = -1;

  private constructor(
    readonly db: Database,
    readonly file: string,
  ) {
    this.targets = new TargetsRepo(db);
    this.images = new ImagesRepo(db, () => this.changeStamp());
    this.annotations = new AnnotationsRepo(db);
    this.edits = new EditLogRepo(db);
    this.runs = new RunsRepo(db);
    this.runLocks = new RunLocksRepo(db);
    this.labelExports = new LabelExportRepo(db);
    this.users = new UsersRepo(db);
    this.audit = new AuditRepo(db);
    this.targets.freshen = (atTransactionStart) => {
      if (atTransactionStart || !this.db.inTransaction) this.freshen();
    };
    this.stmts = {
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
      getSetting: db.prepare('SELECT value FROM settings WHERE key = ?'),
      putSetting: db.prepare('INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      startBatch: db.prepare('INSERT INTO import_batches (started_at, sources, owner, created_by) VALUES (@now, @sources, @owner, @author)'),
      unfinishedBatches: db.prepare(
        `SELECT b.id, b.owner, b.started_at AS startedAt, (SELECT count(*) FROM images i WHERE i.import_batch_id = b.id) AS imported
         FROM import_batches b WHERE b.finished_at IS NULL ORDER BY b.id`,
      ),
      finishBatch: db.prepare(
        `UPDATE import_batches SET finished_at = @now, imported = @imported, duplicates = @duplicates,
         rejected = @rejected, report = @report WHERE id = @id`,
      ),
    };
  }

  static open(file: string, options?: OpenOptions): Store {
    return new Store(openDatabase(file, options), file);
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** True when the database was opened read-only (reading commands, a --read-only server). */
  get readonly(): boolean {
    return this.db.readonly;
  }

  /**
   * SQLite's `data_version`: it changes whenever another connection (another process) commits.
   * The server polls it to tell its clients about changes made elsewhere.
   */
  dataVersion(): number {
    return this.stmts.dataVersion.get()!;
  }

  /**
   * Changes whenever the database may have: `data_version` counts other connections' commits,
   * `total_changes()` this connection's rows written (a rolled-back write changes it too, which
   * only costs a recount). What is derived from the data is cached against it.
   */
  changeStamp(): string {
    return `${this.dataVersion()}:${this.stmts.totalChanges.get()!}`;
  }

  /**
   * Drops the caches when another connection has committed since the last look. Outside a
   * transaction on every cached read; inside one at its start (no other connection can commit
   * while this one holds the write lock, and a read transaction's snapshot is fixed).
   */
  private freshen(): void {
    const version = this.dataVersion();
    if (version === this.lastDataVersion) return;
    this.lastDataVersion = version;
    this.targets.invalidate();
  }

  /** Runs `fn` in one write transaction (IMMEDIATE: the write lock is taken up front). */
  write<T>(fn: () => T): T {
    return writeTransaction(this.db, () => {
      this.freshen();
      return fn();
    });
  }

  /** Runs `fn`'s reads against one snapshot of the database. */
  read<T>(fn: () => T): T {
    return readTransaction(this.db, () => {
      this.freshen();
      return fn();
    });
  }

  /** A consistent copy of the whole database in `file`, taken with SQLite's online backup API while others keep working. */
  async backup(file: string): Promise<void> {
    await this.db.backup(file);
  }

  setting<T>(key: string): T | undefined {
    const row = this.stmts.getSetting.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** Inside the caller's transaction, or its own. */
  putSetting(key: string, value: unknown): void {
    this.stmts.putSetting.run({ key, value: JSON.stringify(value) });
  }

  /** `owner` names the process running the import (host:pid), `author` the user who asked for it. */
  startBatch(sources: string[], owner: string | null = null, author: string | null = null): number {
    return Number(this.stmts.startBatch.run({ sources: JSON.stringify(sources), now: new Date().toISOString(), owner, author }).lastInsertRowid);
  }

  unfinishedBatches(): UnfinishedBatch[] {
    return this.stmts.unfinishedBatches.all();
  }

  finishBatch(id: number, record: BatchRecord): void {
    this.stmts.finishBatch.run({
      id,
      now: new Date().toISOString(),
      imported: record.imported,
      duplicates: record.duplicates,
      rejected: record.rejected,
      report: JSON.stringify(record.report),
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
