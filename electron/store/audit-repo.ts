import type { Database, Statement } from 'better-sqlite3';

export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditRow {
  id: number;
  at: string;
  user: string;
  action: string;
  outcome: AuditOutcome;
  /** JSON: what the change named (ids, values; long lists summarised). */
  detail: string | null;
}

/** Who changed what, when: one row per change made through the API, and per refused attempt. */
export class AuditRepo {
  private readonly stmts: {
    insert: Statement<{ at: string; user: string; action: string; outcome: AuditOutcome; detail: string | null }>;
    since: Statement<{ since: string; after: number; limit: number }, AuditRow>;
  };

  constructor(db: Database) {
    this.stmts = {
      insert: db.prepare('INSERT INTO audit_log (at, user, action, outcome, detail) VALUES (@at, @user, @action, @outcome, @detail)'),
      since: db.prepare('SELECT id, at, user, action, outcome, detail FROM audit_log WHERE at >= @since AND id > @after ORDER BY id LIMIT @limit'),
    };
  }

  record(user: string, action: string, outcome: AuditOutcome, detail: unknown): void {
    this.stmts.insert.run({ at: new Date().toISOString(), user, action, outcome, detail: detail === undefined ? null : JSON.stringify(detail) });
  }

  /** Entries from `since` (an ISO time) on, in order, a page at a time (`after`: the last id already read). */
  page(since: string, after: number, limit: number): AuditRow[] {
    return this.stmts.since.all({ since, after, limit });
  }
}
