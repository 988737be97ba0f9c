import type { Database } from 'better-sqlite3';

/**
 * The one way the store writes: an IMMEDIATE transaction, so the write lock is taken up
 * front and a second writer (another process on the same project) waits for it instead of
 * failing midway when a deferred read transaction tries to upgrade. Inside another
 * transaction it joins it (better-sqlite3 turns nested transactions into savepoints).
 */
export function writeTransaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Several reads from one snapshot of the database (a DEFERRED transaction; under WAL it never blocks writers). */
export function readTransaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).deferred();
}
