/**
 * Backups of a project's database with SQLite's online backup API (better-sqlite3's
 * `db.backup()`): a consistent copy taken page by page while the project stays in use, written
 * under a temporary name, checked (quick_check), then renamed into place. A serving project
 * keeps daily ones in `DIR/backups/` (the newest `keep`). Stored image files are not in the
 * database: copy the `images/` folder with the backup to restore a whole project elsewhere.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkDatabase, openDatabase } from '../store/database.js';
import type { Store } from '../store/store.js';

export const BACKUP_DIR = 'backups';
const DAY_MS = 24 * 3600 * 1000;

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
}

/** Copies the database to `file` (which must not exist), checked before it gets its name. */
export async function backupDatabase(store: Store, file: string): Promise<BackupResult> {
  const started = performance.now();
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  try {
    await store.backup(partial);
    const copy = openDatabase(partial, { readonly: true, check: 'none' });
    try {
      const problems = checkDatabase(copy, 'quick');
      if (problems.length > 0) throw new Error(`the copy failed its check (${problems.slice(0, 3).join('; ')})`);
    } finally {
      copy.close();
    }
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return { file: target, bytes: statSync(target).size, ms: Math.round(performance.now() - started) };
}

/** The daily backups in `dir`, newest first. */
export function dailyBackups(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^polyhead-\d{8}-\d{6}\.sqlite$/.test(f))
      .sort()
      .reverse()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/**
 * Takes a backup into `DIR/backups/` now if the newest is a day old (or there is none), then
 * once a day, keeping the newest `keep`. Returns the function that stops it. Failures are
 * reported through `log` and retried at the next turn.
 */
export function scheduleDailyBackups(store: Store, dataDir: string, log: (line: string) => void, keep = 7, everyMs = DAY_MS): () => void {
  const dir = path.join(dataDir, BACKUP_DIR);
  let running = false;
  const turn = async () => {
    if (running || !store.db.open) return;
    const newest = dailyBackups(dir)[0];
    if (newest && Date.now() - statSync(newest).mtimeMs < everyMs - 60_000) return;
    running = true;
    try {
      const result = await backupDatabase(store, path.join(dir, `polyhead-${stamp(new Date())}.sqlite`));
      log(`backup: ${result.file} (${(result.bytes / 1e6).toFixed(1)} MB, ${result.ms} ms)`);
      for (const old of dailyBackups(dir).slice(keep)) rmSync(old, { force: true });
    } catch (error) {
      log(`backup failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void turn(), 5_000);
  const timer = setInterval(() => void turn(), Math.min(everyMs, 3600 * 1000));
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
