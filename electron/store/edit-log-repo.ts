import type { Database, Statement } from 'better-sqlite3';
import type { LabelOrigin } from '../../shared/targets.js';
import type { AnnotationRow } from './annotations-repo.js';

/** A human label as the history stores it, provenance included: null state = not looked at. */
export interface LabelSnapshot {
  state: 'value' | 'unknown' | null;
  text: string | null;
  classId: number | null;
  origin: LabelOrigin | null;
  runId: number | null;
  confidence: number | null;
}

export interface EditChange {
  image_id: number;
  target_id: number;
  before: LabelSnapshot;
  after: LabelSnapshot;
}

/** A class operation an edit group also undoes: a merge (labels moved into `into`) or a deletion. */
export interface ClassOp {
  kind: 'merge' | 'delete';
  targetId: number;
  classId: number;
  name: string;
  into?: number;
}

export interface EditGroup {
  id: number;
  description: string;
  coalesce_key: string | null;
  class_op: string | null;
}

interface ChangeRow {
  image_id: number;
  target_id: number;
  before_state: 'value' | 'unknown' | null;
  before_text: string | null;
  before_class_id: number | null;
  before_origin: LabelOrigin | null;
  before_run_id: number | null;
  before_confidence: number | null;
  after_state: 'value' | 'unknown' | null;
  after_text: string | null;
  after_class_id: number | null;
  after_origin: LabelOrigin | null;
  after_run_id: number | null;
  after_confidence: number | null;
}

const EMPTY: LabelSnapshot = { state: null, text: null, classId: null, origin: null, runId: null, confidence: null };

export function snapshotOf(row: AnnotationRow | undefined): LabelSnapshot {
  if (!row) return EMPTY;
  return { state: row.state, text: row.text_value, classId: row.class_id, origin: row.origin, runId: row.run_id, confidence: row.confidence };
}

const side = (r: ChangeRow, s: 'before' | 'after'): LabelSnapshot => ({
  state: r[`${s}_state`],
  text: r[`${s}_text`],
  classId: r[`${s}_class_id`],
  origin: r[`${s}_origin`],
  runId: r[`${s}_run_id`],
  confidence: r[`${s}_confidence`],
});

/** The undo/redo history. Undone groups always form the newest suffix: a new edit deletes them. */
export class EditLogRepo {
  private readonly stmts: {
    insertGroup: Statement<{ description: string; coalesceKey: string | null; classOp: string | null; now: string }>;
    depth: Statement<[], { undo: number; redo: number }>;
    top: Statement<[], EditGroup>;
    nextRedo: Statement<[], EditGroup>;
    dropRedo: Statement<[]>;
    setUndone: Statement<{ id: number; undone: number }>;
    record: Statement<Record<string, unknown>>;
    changes: Statement<[number], ChangeRow>;
  };

  constructor(db: Database) {
    this.stmts = {
      insertGroup: db.prepare('INSERT INTO edit_groups (description, coalesce_key, class_op, created_at) VALUES (@description, @coalesceKey, @classOp, @now)'),
      depth: db.prepare('SELECT count(*) FILTER (WHERE undone = 0) AS undo, count(*) FILTER (WHERE undone = 1) AS redo FROM edit_groups'),
      top: db.prepare('SELECT id, description, coalesce_key, class_op FROM edit_groups WHERE undone = 0 ORDER BY id DESC LIMIT 1'),
      nextRedo: db.prepare('SELECT id, description, coalesce_key, class_op FROM edit_groups WHERE undone = 1 ORDER BY id ASC LIMIT 1'),
      dropRedo: db.prepare('DELETE FROM edit_groups WHERE undone = 1'),
      setUndone: db.prepare('UPDATE edit_groups SET undone = @undone WHERE id = @id'),
      record: db.prepare(
        `INSERT INTO edit_changes (group_id, image_id, target_id,
           before_state, before_text, before_class_id, before_origin, before_run_id, before_confidence,
           after_state, after_text, after_class_id, after_origin, after_run_id, after_confidence)
         VALUES (@groupId, @imageId, @targetId,
           @beforeState, @beforeText, @beforeClassId, @beforeOrigin, @beforeRunId, @beforeConfidence,
           @afterState, @afterText, @afterClassId, @afterOrigin, @afterRunId, @afterConfidence)
         ON CONFLICT (group_id, image_id, target_id) DO UPDATE SET
           after_state = excluded.after_state, after_text = excluded.after_text, after_class_id = excluded.after_class_id,
           after_origin = excluded.after_origin, after_run_id = excluded.after_run_id, after_confidence = excluded.after_confidence`,
      ),
      changes: db.prepare('SELECT * FROM edit_changes WHERE group_id = ? ORDER BY image_id, target_id'),
    };
  }

  /**
   * Inside the caller's transaction: the group a new edit goes into. An edit with the same
   * coalesce key as the newest group joins it (typing "123" in one field is one undo step).
   */
  begin(description: string, coalesceKey: string | null, now: string, classOp: ClassOp | null = null): number {
    this.stmts.dropRedo.run();
    const top = this.stmts.top.get();
    if (classOp === null && coalesceKey !== null && top && top.coalesce_key === coalesceKey) return top.id;
    // The history is kept in full: nothing a person did becomes unrecoverable by age.
    return Number(this.stmts.insertGroup.run({ description, coalesceKey, classOp: classOp && JSON.stringify(classOp), now }).lastInsertRowid);
  }

  /** How many groups can be undone and redone. */
  depth(): { undo: number; redo: number } {
    return this.stmts.depth.get()!;
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
      beforeOrigin: before.origin,
      beforeRunId: before.runId,
      beforeConfidence: before.confidence,
      afterState: after.state,
      afterText: after.text,
      afterClassId: after.classId,
      afterOrigin: after.origin,
      afterRunId: after.runId,
      afterConfidence: after.confidence,
    });
  }

  undoable(): EditGroup | undefined {
    return this.stmts.top.get();
  }

  redoable(): EditGroup | undefined {
    return this.stmts.nextRedo.get();
  }

  changes(groupId: number): EditChange[] {
    return this.stmts.changes.all(groupId).map((r) => ({ image_id: r.image_id, target_id: r.target_id, before: side(r, 'before'), after: side(r, 'after') }));
  }

  markUndone(groupId: number, undone: boolean): void {
    this.stmts.setUndone.run({ id: groupId, undone: undone ? 1 : 0 });
  }
}
