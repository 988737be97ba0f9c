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
  /** Who wrote it (kept so an undo brings back who wrote the label it restores). */
  author: string | null;
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
  /** Whose step it is (null: from before users were recorded; anyone may undo it). */
  author: string | null;
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
  before_author: string | null;
  after_state: 'value' | 'unknown' | null;
  after_text: string | null;
  after_class_id: number | null;
  after_origin: LabelOrigin | null;
  after_run_id: number | null;
  after_confidence: number | null;
  after_author: string | null;
}

const EMPTY: LabelSnapshot = { state: null, text: null, classId: null, origin: null, runId: null, confidence: null, author: null };

export function snapshotOf(row: AnnotationRow | undefined): LabelSnapshot {
  if (!row) return EMPTY;
  return {
    state: row.state,
    text: row.text_value,
    classId: row.class_id,
    origin: row.origin,
    runId: row.run_id,
    confidence: row.confidence,
    author: row.author,
  };
}

const side = (r: ChangeRow, s: 'before' | 'after'): LabelSnapshot => ({
  state: r[`${s}_state`],
  text: r[`${s}_text`],
  classId: r[`${s}_class_id`],
  origin: r[`${s}_origin`],
  runId: r[`${s}_run_id`],
  confidence: r[`${s}_confidence`],
  author: r[`${s}_author`],
});

const toChange = (r: ChangeRow): EditChange => ({ image_id: r.image_id, target_id: r.target_id, before: side(r, 'before'), after: side(r, 'after') });

const GROUP = 'id, description, coalesce_key, class_op, author';
/** The newest (or oldest) group of one author, or of nobody (from before users were recorded), with `undone` as given. */
const ofAuthor = (undone: 0 | 1, order: 'ASC' | 'DESC') =>
  `SELECT * FROM (SELECT ${GROUP} FROM edit_groups WHERE author = @author AND undone = ${undone} ORDER BY id ${order} LIMIT 1)
   UNION ALL SELECT * FROM (SELECT ${GROUP} FROM edit_groups WHERE author IS NULL AND undone = ${undone} ORDER BY id ${order} LIMIT 1)
   ORDER BY id ${order} LIMIT 1`;

/**
 * The undo/redo history, one per user: each user undoes and redoes their own steps (and the
 * steps from before users were recorded). A user's undone groups always form the newest
 * suffix of their history: a new edit of theirs deletes them.
 */
export class EditLogRepo {
  private readonly stmts: {
    insertGroup: Statement<{ description: string; coalesceKey: string | null; classOp: string | null; now: string; author: string }>;
    depth: Statement<{ author: string }, { undo: number; redo: number }>;
    top: Statement<{ author: string }, EditGroup>;
    nextRedo: Statement<{ author: string }, EditGroup>;
    dropRedo: Statement<{ author: string }>;
    setUndone: Statement<{ id: number; undone: number }>;
    record: Statement<Record<string, unknown>>;
    changes: Statement<[number], ChangeRow>;
    changesAfter: Statement<{ groupId: number; imageId: number; targetId: number; limit: number }, ChangeRow>;
  };

  constructor(db: Database) {
    this.stmts = {
      insertGroup: db.prepare(
        'INSERT INTO edit_groups (description, coalesce_key, class_op, created_at, author) VALUES (@description, @coalesceKey, @classOp, @now, @author)',
      ),
      depth: db.prepare(
        `SELECT count(*) FILTER (WHERE undone = 0) AS undo, count(*) FILTER (WHERE undone = 1) AS redo FROM edit_groups
         WHERE author = @author OR author IS NULL`,
      ),
      top: db.prepare(ofAuthor(0, 'DESC')),
      nextRedo: db.prepare(ofAuthor(1, 'ASC')),
      dropRedo: db.prepare('DELETE FROM edit_groups WHERE undone = 1 AND (author = @author OR author IS NULL)'),
      setUndone: db.prepare('UPDATE edit_groups SET undone = @undone WHERE id = @id'),
      record: db.prepare(
        `INSERT INTO edit_changes (group_id, image_id, target_id,
           before_state, before_text, before_class_id, before_origin, before_run_id, before_confidence, before_author,
           after_state, after_text, after_class_id, after_origin, after_run_id, after_confidence, after_author)
         VALUES (@groupId, @imageId, @targetId,
           @beforeState, @beforeText, @beforeClassId, @beforeOrigin, @beforeRunId, @beforeConfidence, @beforeAuthor,
           @afterState, @afterText, @afterClassId, @afterOrigin, @afterRunId, @afterConfidence, @afterAuthor)
         ON CONFLICT (group_id, image_id, target_id) DO UPDATE SET
           after_state = excluded.after_state, after_text = excluded.after_text, after_class_id = excluded.after_class_id,
           after_origin = excluded.after_origin, after_run_id = excluded.after_run_id, after_confidence = excluded.after_confidence,
           after_author = excluded.after_author`,
      ),
      changes: db.prepare('SELECT * FROM edit_changes WHERE group_id = ? ORDER BY image_id, target_id'),
      changesAfter: db.prepare(
        `SELECT * FROM edit_changes WHERE group_id = @groupId AND (image_id, target_id) > (@imageId, @targetId)
         ORDER BY image_id, target_id LIMIT @limit`,
      ),
    };
  }

  /**
   * Inside the caller's transaction: the group a new edit of `author` goes into. An edit with
   * the same coalesce key as the author's newest group joins it (typing "123" in one field is one
   * undo step).
   */
  begin(description: string, coalesceKey: string | null, now: string, classOp: ClassOp | null, author: string): number {
    this.stmts.dropRedo.run({ author });
    const top = this.stmts.top.get({ author });
    if (classOp === null && coalesceKey !== null && top && top.coalesce_key === coalesceKey && top.author === author) return top.id;
    // The history is kept in full: nothing a person did becomes unrecoverable by age.
    return Number(this.stmts.insertGroup.run({ description, coalesceKey, classOp: classOp && JSON.stringify(classOp), now, author }).lastInsertRowid);
  }

  /** How many groups `author` can undo and redo. */
  depth(author: string): { undo: number; redo: number } {
    return this.stmts.depth.get({ author })!;
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
      beforeAuthor: before.author,
      afterAuthor: after.author,
    });
  }

  /** The step `author` would undo next: their newest one not undone. */
  undoable(author: string): EditGroup | undefined {
    return this.stmts.top.get({ author });
  }

  /** The step `author` would redo next: their oldest undone one. */
  redoable(author: string): EditGroup | undefined {
    return this.stmts.nextRedo.get({ author });
  }

  changes(groupId: number): EditChange[] {
    return this.stmts.changes.all(groupId).map(toChange);
  }

  /** A page of a group's changes after (imageId, targetId), in order: a large step is replayed a slice at a time. */
  changesAfter(groupId: number, imageId: number, targetId: number, limit: number): EditChange[] {
    return this.stmts.changesAfter.all({ groupId, imageId, targetId, limit }).map(toChange);
  }

  markUndone(groupId: number, undone: boolean): void {
    this.stmts.setUndone.run({ id: groupId, undone: undone ? 1 : 0 });
  }
}
