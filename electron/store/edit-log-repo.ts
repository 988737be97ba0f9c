import type { Database, Statement } from 'better-sqlite3';
import type { AnnotationRow } from './annotations-repo.js';

/** A human label as the history stores it: null state = not looked at. */
export interface LabelSnapshot {
  state: 'value' | 'unknown' | null;
  text: string | null;
  classId: number | null;
}

export interface EditChange {
  image_id: number;
  target_id: number;
  before_state: 'value' | 'unknown' | null;
  before_text: string | null;
  before_class_id: number | null;
  after_state: 'value' | 'unknown' | null;
  after_text: string | null;
  after_class_id: number | null;
}

export interface EditGroup {
  id: number;
  description: string;
  coalesce_key: string | null;
}

export function snapshotOf(row: AnnotationRow | undefined): LabelSnapshot {
  return row ? { state: row.state, text: row.text_value, classId: row.class_id } : { state: null, text: null, classId: null };
}

/** The undo/redo history. Undone groups always form the newest suffix: a new edit deletes them. */
export class EditLogRepo {
  private readonly stmts: {
    insertGroup: Statement<{ description: string; coalesceKey: string | null; now: string }>;
    top: Statement<[], EditGroup>;
    nextRedo: Statement<[], EditGroup>;
    dropRedo: Statement<[]>;
    setUndone: Statement<{ id: number; undone: number }>;
    record: Statement<Record<string, unknown>>;
    changes: Statement<[number], EditChange>;
    remapClass: Statement<{ from: number; to: number }>;
    classToUnknown: Statement<{ classId: number }>;
    classToPending: Statement<{ classId: number }>;
    prune: Statement<{ keep: number }>;
  };

  constructor(db: Database) {
    this.stmts = {
      insertGroup: db.prepare('INSERT INTO edit_groups (description, coalesce_key, created_at) VALUES (@description, @coalesceKey, @now)'),
      top: db.prepare('SELECT id, description, coalesce_key FROM edit_groups WHERE undone = 0 ORDER BY id DESC LIMIT 1'),
      nextRedo: db.prepare('SELECT id, description, coalesce_key FROM edit_groups WHERE undone = 1 ORDER BY id ASC LIMIT 1'),
      dropRedo: db.prepare('DELETE FROM edit_groups WHERE undone = 1'),
      setUndone: db.prepare('UPDATE edit_groups SET undone = @undone WHERE id = @id'),
      record: db.prepare(
        `INSERT INTO edit_changes (group_id, image_id, target_id, before_state, before_text, before_class_id, after_state, after_text, after_class_id)
         VALUES (@groupId, @imageId, @targetId, @beforeState, @beforeText, @beforeClassId, @afterState, @afterText, @afterClassId)
         ON CONFLICT (group_id, image_id, target_id) DO UPDATE SET
           after_state = excluded.after_state, after_text = excluded.after_text, after_class_id = excluded.after_class_id`,
      ),
      changes: db.prepare(
        `SELECT image_id, target_id, before_state, before_text, before_class_id, after_state, after_text, after_class_id
         FROM edit_changes WHERE group_id = ? ORDER BY image_id, target_id`,
      ),
      remapClass: db.prepare(
        `UPDATE edit_changes SET
           before_class_id = CASE WHEN before_class_id = @from THEN @to ELSE before_class_id END,
           after_class_id = CASE WHEN after_class_id = @from THEN @to ELSE after_class_id END
         WHERE before_class_id = @from OR after_class_id = @from`,
      ),
      classToUnknown: db.prepare(
        `UPDATE edit_changes SET
           before_state = CASE WHEN before_class_id = @classId THEN 'unknown' ELSE before_state END,
           before_class_id = CASE WHEN before_class_id = @classId THEN NULL ELSE before_class_id END,
           after_state = CASE WHEN after_class_id = @classId THEN 'unknown' ELSE after_state END,
           after_class_id = CASE WHEN after_class_id = @classId THEN NULL ELSE after_class_id END
         WHERE before_class_id = @classId OR after_class_id = @classId`,
      ),
      classToPending: db.prepare(
        `UPDATE edit_changes SET
           before_state = CASE WHEN before_class_id = @classId THEN NULL ELSE before_state END,
           before_class_id = CASE WHEN before_class_id = @classId THEN NULL ELSE before_class_id END,
           after_state = CASE WHEN after_class_id = @classId THEN NULL ELSE after_state END,
           after_class_id = CASE WHEN after_class_id = @classId THEN NULL ELSE after_class_id END
         WHERE before_class_id = @classId OR after_class_id = @classId`,
      ),
      prune: db.prepare('DELETE FROM edit_groups WHERE id <= (SELECT max(id) FROM edit_groups) - @keep'),
    };
  }

  /**
   * Inside the caller's transaction: the group a new edit goes into. An edit with the same
   * coalesce key as the newest group joins it (typing "123" in one field is one undo step).
   */
  begin(description: string, coalesceKey: string | null, now: string): number {
    this.stmts.dropRedo.run();
    const top = this.stmts.top.get();
    if (coalesceKey !== null && top && top.coalesce_key === coalesceKey) return top.id;
    const id = Number(this.stmts.insertGroup.run({ description, coalesceKey, now }).lastInsertRowid);
    this.stmts.prune.run({ keep: 5000 });
    return id;
  }

  /** Records one label change; a second record of the same label in a group keeps the first "before". */
  record(groupId: number, imageId: number, targetId: number, before: LabelSnapshot, after: LabelSnapshot): void {
    this.stmts.record.run({
      groupId,
      imageId,
      targetId,
      beforeState: before.state,
      beforeText: before.text,
      beforeClassId: before.classId,
      afterState: after.state,
      afterText: after.text,
      afterClassId: after.classId,
    });
  }

  undoable(): EditGroup | undefined {
    return this.stmts.top.get();
  }

  redoable(): EditGroup | undefined {
    return this.stmts.nextRedo.get();
  }

  changes(groupId: number): EditChange[] {
    return this.stmts.changes.all(groupId);
  }

  markUndone(groupId: number, undone: boolean): void {
    this.stmts.setUndone.run({ id: groupId, undone: undone ? 1 : 0 });
  }

  /** Keeps the history consistent when a class is merged into another or deleted. */
  remapClass(from: number, to: number): void {
    this.stmts.remapClass.run({ from, to });
  }
  classRemoved(classId: number, becomes: 'unknown' | 'pending'): void {
    (becomes === 'unknown' ? this.stmts.classToUnknown : this.stmts.classToPending).run({ classId });
  }
}
