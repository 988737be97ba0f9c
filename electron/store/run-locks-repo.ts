import type { Database, Statement } from 'better-sqlite3';
import { writeTransaction } from './transaction.js';

export interface RunLock {
  owner: string | null;
  heartbeat: string | null;
}

/**
 * One trainer per run: a lock row in the run (owner + heartbeat), taken in one IMMEDIATE
 * transaction so two processes cannot both win it. A lock whose heartbeat is older than the
 * caller's `staleBefore` (its process died) may be taken over.
 */
export class RunLocksRepo {
  private readonly stmts: {
    take: Statement<{ id: number; owner: string; now: string; staleBefore: string }>;
    get: Statement<[number], RunLock>;
    beat: Statement<{ id: number; owner: string; now: string }>;
    release: Statement<{ id: number; owner: string }>;
    active: Statement<[], { id: number; lock_owner: string | null; lock_heartbeat: string | null }>;
    interrupt: Statement<{ id: number; now: string }>;
  };

  constructor(private readonly db: Database) {
    this.stmts = {
      take: db.prepare(
        `UPDATE runs SET lock_owner = @owner, lock_heartbeat = @now
         WHERE id = @id AND (lock_owner IS NULL OR lock_owner = @owner OR lock_heartbeat IS NULL OR lock_heartbeat < @staleBefore)`,
      ),
      get: db.prepare('SELECT lock_owner AS owner, lock_heartbeat AS heartbeat FROM runs WHERE id = ?'),
      beat: db.prepare('UPDATE runs SET lock_heartbeat = @now WHERE id = @id AND lock_owner = @owner'),
      release: db.prepare('UPDATE runs SET lock_owner = NULL, lock_heartbeat = NULL WHERE id = @id AND lock_owner = @owner'),
      active: db.prepare("SELECT id, lock_owner, lock_heartbeat FROM runs WHERE status IN ('queued', 'running', 'paused')"),
      interrupt: db.prepare(
        `UPDATE runs SET status = 'interrupted', lock_owner = NULL, lock_heartbeat = NULL, finished_at = @now,
         error = 'interrupted: the process training it stopped without finishing (killed or crashed); resume to continue from its last checkpoint'
         WHERE id = @id`,
      ),
    };
  }

  /** Takes the run's lock for `owner`; returns the current holder when someone else holds it. */
  take(id: number, owner: string, staleBefore: string, isStale: (holder: string) => boolean = () => false): { ok: true } | { ok: false; holder: RunLock } {
    return writeTransaction(this.db, () => {
      const now = new Date().toISOString();
      const holder = this.stmts.get.get(id);
      // A holder known to be dead (its process is gone) is stale whatever its heartbeat says.
      const takeOver = holder?.owner && holder.owner !== owner && isStale(holder.owner) ? '9999' : staleBefore;
      if (this.stmts.take.run({ id, owner, now, staleBefore: takeOver }).changes > 0) return { ok: true as const };
      return { ok: false as const, holder: holder ?? { owner: null, heartbeat: null } };
    });
  }

  heartbeat(id: number, owner: string): void {
    this.stmts.beat.run({ id, owner, now: new Date().toISOString() });
  }

  release(id: number, owner: string): void {
    this.stmts.release.run({ id, owner });
  }

  /** Marks runs whose trainer is gone (no lock, or a stale one) as interrupted; returns their ids. */
  interruptOrphans(staleBefore: string, isStale: (holder: string) => boolean = () => false): number[] {
    return writeTransaction(this.db, () => {
      const now = new Date().toISOString();
      const orphans = this.stmts.active
        .all()
        .filter((r) => r.lock_owner === null || r.lock_heartbeat === null || r.lock_heartbeat < staleBefore || isStale(r.lock_owner));
      for (const r of orphans) this.stmts.interrupt.run({ id: r.id, now });
      return orphans.map((r) => r.id);
    });
  }
}
