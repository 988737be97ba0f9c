/**
 * One writing server per project. `polyhead serve` takes an exclusive lock on `DIR/server.lock`
 * (a small SQLite file held in exclusive locking mode, so the lock is the operating system's
 * file lock: it goes away with the process, even after kill -9, and cannot be left stale) and
 * records who holds it in the project's settings. A second server on the same folder is
 * refused, naming the holder; `--read-only` servers, the CLI and the desktop app take no lock
 * and keep writing through SQLite as before.
 */
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store/store.js';

export const LOCK_FILE = 'server.lock';
const HOLDER_KEY = 'server.holder';

export interface LockHolder {
  pid: number;
  host: string;
  user: string;
  since: string;
  url?: string;
}

export class ServerLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid} on ${holder.host} (user ${holder.user}, since ${holder.since}${holder.url ? `, serving ${holder.url}` : ''})`
      : 'another process';
    super(
      `Another Polyhead server is serving ${dataDir}: ${who}. One server writes to a project at a time; ` +
        'open that one, stop it first, or start this one with --read-only.',
    );
    this.name = 'ServerLockedError';
  }
}

export class ServerLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly store: Store,
    private holder: LockHolder,
  ) {}

  /** Takes the project's server lock, or throws ServerLockedError naming the server that holds it. */
  static acquire(dataDir: string, store: Store): ServerLock {
    const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = DELETE');
      // The first write takes the exclusive lock, and exclusive locking mode keeps it until close.
      db.exec('CREATE TABLE IF NOT EXISTS held (at TEXT NOT NULL); DELETE FROM held');
      db.prepare('INSERT INTO held (at) VALUES (?)').run(new Date().toISOString());
    } catch (error) {
      db.close();
      if (/^SQLITE_BUSY|^SQLITE_LOCKED/.test((error as { code?: string }).code ?? '')) {
        throw new ServerLockedError(dataDir, store.setting<LockHolder>(HOLDER_KEY));
      }
      throw error;
    }
    const holder: LockHolder = { pid: process.pid, host: os.hostname(), user: safeUser(), since: new Date().toISOString() };
    store.write(() => store.putSetting(HOLDER_KEY, holder));
    return new ServerLock(db, store, holder);
  }

  /** Records the URL the server answers on, for the message a second server prints. */
  serving(url: string): void {
    this.holder = { ...this.holder, url };
    this.store.write(() => this.store.putSetting(HOLDER_KEY, this.holder));
  }

  release(): void {
    if (!this.db.open) return;
    try {
      if (this.store.db.open) this.store.write(() => this.store.putSetting(HOLDER_KEY, null));
    } finally {
      this.db.close();
    }
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
