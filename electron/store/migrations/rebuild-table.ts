import type { Database } from 'better-sqlite3';

/**
 * SQLite's documented table rebuild (https://sqlite.org/lang_altertable.html, "other kinds of
 * table schema changes"): a new table `NAME_new` made by `createNew`, every row copied by
 * `copyRows`, the old table dropped (its indexes and triggers go with it), the new one renamed,
 * and the old table's indexes and triggers made again from their stored SQL, in the order they
 * were made. So a rebuild keeps what later migrations hung on the table without copying their
 * SQL. Needs `rebuildsTables: true` on the migration (foreign keys off around it, checked after).
 * Triggers on other tables that name this one are not supported (the rename would rewrite them).
 */
export function rebuildTable(db: Database, name: string, createNew: string, copyRows: string): void {
  const kept = db
    .prepare("SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid")
    .pluck()
    .all(name) as string[];
  const others = db
    .prepare("SELECT name FROM sqlite_schema WHERE type IN ('trigger', 'view') AND tbl_name <> ? AND sql LIKE '%' || ? || '%'")
    .pluck()
    .all(name, name) as string[];
  if (others.length > 0) throw new Error(`cannot rebuild ${name}: ${others.join(', ')} name it`);
  db.exec(createNew);
  db.exec(copyRows);
  db.exec(`DROP TABLE ${name}`);
  db.exec(`ALTER TABLE ${name}_new RENAME TO ${name}`);
  for (const sql of kept) db.exec(sql);
}
