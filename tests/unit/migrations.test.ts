import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, MigrationError, openDatabase, schemaVersion } from '../../electron/store/database.js';
import { LATEST_SCHEMA_VERSION, migrations } from '../../electron/store/migrations/index.js';
import { Store } from '../../electron/store/store.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const tables = (db: Database.Database) =>
  db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
    name: string;
    strict: number;
  }[];

describe('migrations', () => {
  it('are numbered NNNN-name in order', () => {
    migrations.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name).toMatch(new RegExp(`^${String(i + 1).padStart(4, '0')}-[a-z0-9-]+$`));
    });
  });

  it('create a fresh database at the latest version: WAL, foreign keys, every table STRICT', () => {
    const file = path.join(dir, 'fresh.sqlite');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const all = tables(db);
    expect(all.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'settings',
        'targets',
        'target_classes',
        'images',
        'annotations',
        'import_batches',
        'runs',
        'run_metrics',
        'confusion_matrices',
        'confusion_cells',
        'checkpoints',
        'edit_groups',
        'edit_changes',
      ]),
    );
    expect(all.filter((t) => t.strict !== 1)).toEqual([]);
    db.close();
  });

  it('upgrade an older database and keep its data', () => {
    const file = path.join(dir, 'old.sqlite');
    // A database as version 1 of the code left it, written with that version's SQL.
    const v1 = openDatabase(file, { targetVersion: 1 });
    expect(schemaVersion(v1)).toBe(1);
    expect(tables(v1).map((t) => t.name)).not.toContain('runs');
    v1.exec(`
      INSERT INTO targets (id, name, kind, alphabet, max_length, position, created_at) VALUES (1, 'digits', 'sequence', '0123456789', 5, 0, '2026-01-01');
      INSERT INTO targets (id, name, kind, source_target_id, position, created_at) VALUES (2, 'length', 'length', 1, 1, '2026-01-01');
      INSERT INTO target_classes (id, target_id, name, position) VALUES (10, 2, '2', 2);
      INSERT INTO images (id, sha256, stored_path, original_name, format, width, height, channels, byte_size, thumbnail, imported_at)
        VALUES (1, '${'a'.repeat(64)}', 'images/aa/x.png', 'x.png', 'png', 10, 8, 1, 3, x'010203', '2026-01-01');
      INSERT INTO annotations (image_id, target_id, source, state, text_value, updated_at) VALUES (1, 1, 'human', 'value', '42', '2026-01-01');
      INSERT INTO annotations (image_id, target_id, source, state, class_id, updated_at) VALUES (1, 2, 'human', 'value', 10, '2026-01-01');
      INSERT INTO images (id, sha256, stored_path, original_name, format, width, height, channels, byte_size, thumbnail, imported_at)
        VALUES (2, '${'b'.repeat(64)}', 'images/bb/y.png', 'y.png', 'png', 10, 8, 1, 3, x'010203', '2026-01-01');
      INSERT INTO annotations (image_id, target_id, source, state, class_id, confidence, updated_at) VALUES (1, 2, 'model', 'value', 10, 0.5, '2026-01-01');
      INSERT INTO annotations (image_id, target_id, source, state, class_id, confidence, updated_at) VALUES (2, 2, 'model', 'value', 10, 0.5, '2026-01-01');
    `);
    v1.close();

    const upgraded = Store.open(file);
    expect(upgraded.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(tables(upgraded.db).map((t) => t.name)).toContain('runs');
    expect(upgraded.images.count()).toBe(2);
    expect(upgraded.annotations.forImage(1)).toMatchObject([
      { target_id: 1, text_value: '42', state: 'value' },
      { target_id: 2, class_name: '2', state: 'value', source: 'human' },
      { target_id: 2, source: 'model' },
    ]);
    // 0010: each image's human answers counted, and a prediction under a human label marked as such.
    expect(upgraded.db.prepare('SELECT id, human_answers FROM images ORDER BY id').all()).toEqual([
      { id: 1, human_answers: 2 },
      { id: 2, human_answers: 0 },
    ]);
    expect(upgraded.db.prepare("SELECT image_id, has_human FROM annotations WHERE source = 'model' ORDER BY image_id").all()).toEqual([
      { image_id: 1, has_human: 1 },
      { image_id: 2, has_human: 0 },
    ]);
    // 0011: the human labels counted for the stats (a text's length; a class; no model labels).
    expect(upgraded.db.prepare('SELECT * FROM label_counts ORDER BY target_id').all()).toEqual([
      { target_id: 1, state: 'value', class_id: 0, text_length: 2, n: 1 },
      { target_id: 2, state: 'value', class_id: 10, text_length: -1, n: 1 },
    ]);
    expect(upgraded.db.prepare('SELECT * FROM text_value_counts').all()).toEqual([{ target_id: 1, text_value: '42', n: 1 }]);
    expect(upgraded.targets.list().map((t) => t.name)).toEqual(['digits', 'length']);
    expect(upgraded.edits.undoable('anyone')).toBeUndefined();
    // 0005: labels that existed were typed by people, and every label has a version to compare writes against.
    expect(upgraded.annotations.forImage(1).map((a) => [a.source, a.origin, a.version])).toEqual([
      ['human', 'typed', 1],
      ['human', 'typed', 1],
      ['model', null, 1],
    ]);
    const next = upgraded.write(() =>
      upgraded.annotations.upsert({
        ...upgraded.annotations.forImage(1).map((a) => ({ imageId: 1, targetId: a.target_id }))[0]!,
        source: 'human',
        state: 'value',
        textValue: '43',
        classId: null,
        confidence: null,
        runId: null,
        origin: 'typed',
        updatedAt: '2026-02-01',
      }),
    );
    expect(next).toBe(2);
    upgraded.close();
  });

  it('refuse a database from the future and leave it untouched', () => {
    const file = path.join(dir, 'future.sqlite');
    const raw = new Database(file);
    raw.exec('CREATE TABLE marker (x INTEGER) STRICT');
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(/newer Polyhead/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5);
    expect(tables(after).map((t) => t.name)).toEqual(['marker']);
    expect(after.pragma('journal_mode', { simple: true })).not.toBe('wal');
    after.close();
  });

  it('roll back a failing migration entirely', () => {
    const file = path.join(dir, 'broken.sqlite');
    const broken = [
      migrations[0]!,
      {
        version: 2,
        name: '0002-broken',
        up(db: Database.Database) {
          db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
          throw new Error('boom');
        },
      },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrow(MigrationError);
    const db = new Database(file, { readonly: true });
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db).map((t) => t.name)).not.toContain('half_done');
    db.close();
    expect(existsSync(file)).toBe(true);
  });
});
