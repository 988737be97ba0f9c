import type { Database, Statement } from 'better-sqlite3';
import type { Role } from '../../shared/roles.js';

export interface UserRow {
  id: number;
  name: string;
  role: Role;
  created_at: string;
}

/** The people who may use a served project: a name, a role and the hash of their token. */
export class UsersRepo {
  private readonly stmts: {
    list: Statement<[], UserRow>;
    byName: Statement<[string], UserRow>;
    byHash: Statement<[string], UserRow>;
    insert: Statement<{ name: string; role: Role; hash: string; now: string }>;
    setToken: Statement<{ name: string; hash: string }>;
    setRole: Statement<{ name: string; role: Role }>;
    remove: Statement<[string]>;
  };

  constructor(db: Database) {
    const columns = 'id, name, role, created_at';
    this.stmts = {
      list: db.prepare(`SELECT ${columns} FROM users ORDER BY id`),
      byName: db.prepare(`SELECT ${columns} FROM users WHERE name = ?`),
      byHash: db.prepare(`SELECT ${columns} FROM users WHERE token_hash = ?`),
      insert: db.prepare('INSERT INTO users (name, role, token_hash, created_at) VALUES (@name, @role, @hash, @now)'),
      setToken: db.prepare('UPDATE users SET token_hash = @hash WHERE name = @name'),
      setRole: db.prepare('UPDATE users SET role = @role WHERE name = @name'),
      remove: db.prepare('DELETE FROM users WHERE name = ?'),
    };
  }

  list(): UserRow[] {
    return this.stmts.list.all();
  }

  byName(name: string): UserRow | undefined {
    return this.stmts.byName.get(name);
  }

  /** The user whose token hashes to `hash`. */
  byTokenHash(hash: string): UserRow | undefined {
    return this.stmts.byHash.get(hash);
  }

  /** Inside the caller's transaction. */
  insert(name: string, role: Role, hash: string): void {
    this.stmts.insert.run({ name, role, hash, now: new Date().toISOString() });
  }

  setToken(name: string, hash: string): boolean {
    return this.stmts.setToken.run({ name, hash }).changes > 0;
  }

  setRole(name: string, role: Role): boolean {
    return this.stmts.setRole.run({ name, role }).changes > 0;
  }

  remove(name: string): boolean {
    return this.stmts.remove.run(name).changes > 0;
  }
}
