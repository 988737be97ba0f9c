import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, MigrationError, openDatabase, schemaVersion } from '../../electron/store/database.js';
import { LATEST_SCHEMA_VERSION, migrations } from '../../electron/store/migrations/index.js';
import { Store } from '../../electron/store/store.js';
import { countDrift, NO_DRIFT } from '../count-drift.js';
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
      INSERT INTO annotations (image_id, target_id, source, state, class_id, updated_at) VALUES (1, 2, 'human', 'value', 10, '2026-01-02');
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
    // 0005: labels that existed were typed by people, and every label has a version to compare writes against;
    // 0013: one written at the instant its image was imported came with that import.
    expect(upgraded.annotations.forImage(1).map((a) => [a.source, a.origin, a.version])).toEqual([
      ['human', 'imported', 1],
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

  it('0013 rebuilds annotations for the imported origin: every row, index, trigger and kept count as it was', () => {
    const file = path.join(dir, 'v12.sqlite');
    // A database as version 12 left it; its triggers keep the counts as the rows go in.
    const v12 = openDatabase(file, { targetVersion: 12 });
    v12.exec(`
      INSERT INTO targets (id, name, kind, alphabet, max_length, position, created_at) VALUES (1, 'digits', 'sequence', '0123456789', 5, 0, 'T');
      INSERT INTO targets (id, name, kind, source_target_id, position, created_at) VALUES (2, 'length', 'length', 1, 1, 'T');
      INSERT INTO targets (id, name, kind, position, created_at) VALUES (3, 'font', 'categorical', 2, 'T');
      INSERT INTO target_classes (id, target_id, name, position) VALUES (10, 2, '2', 2), (11, 2, '3', 3), (20, 3, 'serif', 0), (21, 3, 'mono', 1);
      INSERT INTO images (id, sha256, stored_path, original_name, format, width, height, channels, byte_size, imported_at)
        VALUES (1, '${'a'.repeat(64)}', 'a.png', 'a.png', 'png', 4, 4, 1, 9, '2026-01-01T00:00:00.000Z'),
               (2, '${'b'.repeat(64)}', 'b.png', 'b.png', 'png', 4, 4, 1, 9, '2026-01-01T00:00:00.000Z'),
               (3, '${'c'.repeat(64)}', 'c.png', 'c.png', 'png', 4, 4, 1, 9, '2026-01-02T00:00:00.000Z'),
               (4, '${'d'.repeat(64)}', 'd.png', 'd.png', 'png', 4, 4, 1, 9, '2026-01-02T00:00:00.000Z');
      -- Image 1 came with a labels file (digits and the length they set, at the import's instant); its font was typed later.
      INSERT INTO annotations (image_id, target_id, source, state, text_value, class_id, updated_at, version, origin, author) VALUES
        (1, 1, 'human', 'value', '42', NULL, '2026-01-01T00:00:00.000Z', 2, 'typed', 'ann'),
        (1, 2, 'human', 'value', NULL, 10, '2026-01-01T00:00:00.000Z', 3, 'derived', 'ann'),
        (1, 3, 'human', 'value', NULL, 20, '2026-01-05T00:00:00.000Z', 9, 'typed', 'bob');
      -- Image 2: a prediction under a typed label, another with none; an accepted suggestion.
      INSERT INTO annotations (image_id, target_id, source, state, text_value, class_id, confidence, run_id, updated_at, version, origin) VALUES
        (2, 1, 'model', 'value', '7', NULL, 0.4, 5, '2026-01-03', 4, NULL),
        (2, 3, 'model', 'value', NULL, 21, 0.9, 5, '2026-01-03', 5, NULL),
        (2, 1, 'human', 'value', '77', NULL, NULL, NULL, '2026-01-04', 6, 'typed'),
        (2, 3, 'human', 'value', NULL, 21, 0.9, 5, '2026-01-01T00:00:00.000Z', 7, 'accepted'),
        (3, 3, 'model', 'value', NULL, 20, 0.3, 5, '2026-01-03', 8, NULL),
        (3, 1, 'human', 'unknown', NULL, NULL, NULL, NULL, '2026-01-06', 10, 'typed'),
        (4, 3, 'human', 'value', NULL, 21, NULL, NULL, '2026-01-06', 11, 'typed');
      -- A label cleared again: the clock and the image's last edit move on (migration 7).
      DELETE FROM annotations WHERE image_id = 4;
    `);
    const annotations = (db: Database.Database) =>
      db.prepare('SELECT * FROM annotations ORDER BY image_id, target_id, source').all() as Record<string, unknown>[];
    const kept = (db: Database.Database) => ({
      images: db.prepare('SELECT id, human_answers, edited_version FROM images ORDER BY id').all(),
      labelCounts: db.prepare('SELECT * FROM label_counts ORDER BY 1, 2, 3, 4').all(),
      textCounts: db.prepare('SELECT * FROM text_value_counts ORDER BY 1, 2').all(),
      clock: db.prepare('SELECT value FROM label_clock').pluck().get(),
      schema: db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = 'annotations' AND type <> 'table' ORDER BY name").all(),
    });
    const rowsBefore = annotations(v12);
    const keptBefore = kept(v12);
    expect(keptBefore.schema.filter((r) => (r as { type: string }).type === 'trigger')).toHaveLength(9);
    expect(countDrift(v12)).toEqual(NO_DRIFT);
    v12.close();

    const upgraded = Store.open(file);
    const { db } = upgraded;
    // Every row as it was, only the origin of the label that came with its image's import told apart.
    const imported = (r: Record<string, unknown>) => r.image_id === 1 && r.target_id === 1 && r.source === 'human';
    expect(annotations(db)).toEqual(rowsBefore.map((r) => (imported(r) ? { ...r, origin: 'imported' } : r)));
    expect(kept(db)).toEqual(keptBefore);
    expect(countDrift(db)).toEqual(NO_DRIFT);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'annotations'").pluck().get()).toMatch(/'imported'/);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');

    // The triggers still keep the counts: a new imported label, a prediction under it, a clear.
    upgraded.write(() => {
      const label = { state: 'value' as const, textValue: null, confidence: null, runId: null, updatedAt: 'T2' };
      upgraded.annotations.upsert({ ...label, imageId: 3, targetId: 3, source: 'human', classId: 21, origin: 'imported' });
      upgraded.annotations.upsert({ ...label, imageId: 4, targetId: 3, source: 'model', classId: 20, confidence: 0.5, origin: null });
      upgraded.annotations.upsert({ ...label, imageId: 4, targetId: 1, source: 'human', textValue: '5', classId: null, origin: 'imported' });
      upgraded.annotations.remove(1, 3, 'human');
    });
    expect(countDrift(db)).toEqual(NO_DRIFT);
    expect(db.prepare('SELECT id, human_answers FROM images ORDER BY id').all()).toEqual([
      { id: 1, human_answers: 2 },
      { id: 2, human_answers: 2 },
      { id: 3, human_answers: 2 },
      { id: 4, human_answers: 1 },
    ]);
    expect(db.prepare('SELECT edited_version FROM images WHERE id = 1').pluck().get()).toBeGreaterThan(keptBefore.clock as number);
    upgraded.close();
  });

  it('0014 records an uploaded image by its place in the upload, not the temporary copy removed after its import', () => {
    const file = path.join(dir, 'v13.sqlite');
    const v13 = openDatabase(file, { targetVersion: 13 });
    const upload = '/srv/project/uploads/0b8a3f2e-1c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const image = v13.prepare(
      "INSERT INTO images (sha256, stored_path, original_path, original_name, format, width, height, channels, byte_size, imported_at) VALUES (?, 's', ?, 'n', 'png', 1, 1, 1, 1, 'T')",
    );
    const originals = [
      `${upload}/street crops/c0.png`,
      `${upload}/loose.png`,
      'C:\\p\\uploads\\0b8a3f2e-1c4d-4e5f-8a9b-0c1d2e3f4a5b\\set\\w.png',
      '/home/me/uploads/not-an-upload/b.png',
      null,
    ];
    originals.forEach((p, i) => image.run(String(i).repeat(64), p));
    v13.prepare("INSERT INTO import_batches (started_at, sources) VALUES ('T', ?)").run(JSON.stringify([`${upload}/street crops`, `${upload}/loose.png`]));
    v13.prepare("INSERT INTO import_batches (started_at, sources) VALUES ('T', ?)").run(JSON.stringify(['/home/me/uploads/crops']));
    v13.close();

    const upgraded = Store.open(file);
    expect(upgraded.db.prepare('SELECT original_path FROM images ORDER BY id').pluck().all()).toEqual([
      'upload:street crops/c0.png',
      'upload:loose.png',
      'upload:set/w.png',
      '/home/me/uploads/not-an-upload/b.png',
      null,
    ]);
    expect(upgraded.db.prepare('SELECT sources FROM import_batches ORDER BY id').pluck().all()).toEqual([
      JSON.stringify(['upload:street crops', 'upload:loose.png']),
      JSON.stringify(['/home/me/uploads/crops']),
    ]);
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
