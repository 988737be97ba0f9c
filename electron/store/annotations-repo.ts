import type { Database, Statement } from 'better-sqlite3';
import type { LabelOrigin, LabelSource } from '../../shared/targets.js';

export interface AnnotationRow {
  image_id: number;
  target_id: number;
  source: LabelSource;
  state: 'value' | 'unknown';
  text_value: string | null;
  class_id: number | null;
  class_name: string | null;
  confidence: number | null;
  run_id: number | null;
  updated_at: string;
  /** From the project-wide label clock: every write gets a new, larger version. */
  version: number;
  origin: LabelOrigin | null;
  /** Who wrote it (a user; null for labels from before users were recorded). */
  author: string | null;
}

export interface AnnotationWrite {
  imageId: number;
  targetId: number;
  source: LabelSource;
  state: 'value' | 'unknown';
  textValue: string | null;
  classId: number | null;
  confidence: number | null;
  runId: number | null;
  updatedAt: string;
  /** Human labels: how it came to be (model labels: null). */
  origin: LabelOrigin | null;
  /** Who wrote it. */
  author?: string | null;
}

/** One human label of a target as the training data reads it, by ids: [image id, 1 if unknown else 0, class id, text]. */
export type HumanLabelIds = [imageId: number, unknown: number, classId: number | null, text: string | null];

const SELECT = `SELECT a.image_id, a.target_id, a.source, a.state, a.text_value, a.class_id, c.name AS class_name,
  a.confidence, a.run_id, a.updated_at, a.version, a.origin, a.author
  FROM annotations a LEFT JOIN target_classes c ON c.id = a.class_id`;

export class AnnotationsRepo {
  private readonly stmts: {
    upsert: Statement<AnnotationWrite & { version: number; author: string | null }>;
    tick: Statement<[], { value: number }>;
    remove: Statement<{ imageId: number; targetId: number; source: LabelSource }>;
    forImage: Statement<[number], AnnotationRow>;
    humanForImages: Statement<{ ids: string }, AnnotationRow>;
    humanLabelIds: Statement<[number], HumanLabelIds>;
    one: Statement<{ imageId: number; targetId: number; source: LabelSource }, AnnotationRow>;
    stateCounts: Statement<[], { target_id: number; state: 'value' | 'unknown'; n: number }>;
    classCounts: Statement<[], { target_id: number; class_name: string; n: number }>;
    lengthCounts: Statement<[], { target_id: number; len: number; n: number }>;
    topValues: Statement<{ targetId: number; limit: number }, { value: string; n: number }>;
    classUsage: Statement<{ classId: number }, { source: string; n: number }>;
    moveModelClass: Statement<{ from: number; to: number }>;
    deleteModelClass: Statement<{ classId: number }>;
    humanOfClass: Statement<{ classId: number }, AnnotationRow>;
  };

  constructor(db: Database) {
    this.stmts = {
      upsert: db.prepare(
        `INSERT INTO annotations (image_id, target_id, source, state, text_value, class_id, confidence, run_id, updated_at, version, origin, author)
         VALUES (@imageId, @targetId, @source, @state, @textValue, @classId, @confidence, @runId, @updatedAt, @version, @origin, @author)
         ON CONFLICT (image_id, target_id, source) DO UPDATE SET
           state = excluded.state, text_value = excluded.text_value, class_id = excluded.class_id,
           confidence = excluded.confidence, run_id = excluded.run_id, updated_at = excluded.updated_at,
           version = excluded.version, origin = excluded.origin, author = excluded.author`,
      ),
      tick: db.prepare('UPDATE label_clock SET value = value + 1 WHERE id = 1 RETURNING value'),
      remove: db.prepare('DELETE FROM annotations WHERE image_id = @imageId AND target_id = @targetId AND source = @source'),
      forImage: db.prepare(`${SELECT} WHERE a.image_id = ? ORDER BY a.target_id, a.source`),
      humanForImages: db.prepare(`${SELECT} WHERE a.source = 'human' AND a.image_id IN (SELECT value FROM json_each(@ids))`),
      // Raw rows (arrays), no joins: the caller maps class ids to names once per class, not per row. One
      // target at a time, through the (target_id, source, …) indexes: the run's targets only, not every label.
      humanLabelIds: db
        .prepare<[number], HumanLabelIds>("SELECT image_id, state = 'unknown', class_id, text_value FROM annotations WHERE target_id = ? AND source = 'human'")
        .raw(true),
      one: db.prepare(`${SELECT} WHERE a.image_id = @imageId AND a.target_id = @targetId AND a.source = @source`),
      // The stats read label_counts and text_value_counts (migration 11, kept by triggers), not the labels.
      stateCounts: db.prepare('SELECT target_id, state, sum(n) AS n FROM label_counts GROUP BY target_id, state'),
      classCounts: db.prepare(
        `SELECT l.target_id, c.name AS class_name, sum(l.n) AS n FROM label_counts l JOIN target_classes c ON c.id = l.class_id
         WHERE l.state = 'value' GROUP BY l.target_id, c.id ORDER BY l.target_id, c.position`,
      ),
      lengthCounts: db.prepare(
        `SELECT target_id, text_length AS len, sum(n) AS n FROM label_counts
         WHERE state = 'value' AND text_length >= 0 GROUP BY target_id, len ORDER BY target_id, len`,
      ),
      topValues: db.prepare(
        `SELECT text_value AS value, n FROM text_value_counts WHERE target_id = @targetId
         ORDER BY n DESC, text_value LIMIT @limit`,
      ),
      classUsage: db.prepare('SELECT source, count(*) AS n FROM annotations WHERE class_id = @classId GROUP BY source'),
      moveModelClass: db.prepare("UPDATE annotations SET class_id = @to WHERE class_id = @from AND source = 'model'"),
      deleteModelClass: db.prepare("DELETE FROM annotations WHERE class_id = @classId AND source = 'model'"),
      humanOfClass: db.prepare(`${SELECT} WHERE a.class_id = @classId AND a.source = 'human' ORDER BY a.image_id`),
    };
  }

  /** Inside the caller's transaction: writes a label with the next version of the label clock, and returns that version. */
  upsert(write: AnnotationWrite): number {
    const version = this.stmts.tick.get()!.value;
    this.stmts.upsert.run({ ...write, author: write.author ?? null, version });
    return version;
  }

  /** The version of a label as a write compares it: 0 when there is none (not looked at). */
  versionOf(imageId: number, targetId: number, source: LabelSource): number {
    return this.one(imageId, targetId, source)?.version ?? 0;
  }

  remove(imageId: number, targetId: number, source: LabelSource): boolean {
    return this.stmts.remove.run({ imageId, targetId, source }).changes > 0;
  }

  one(imageId: number, targetId: number, source: LabelSource): AnnotationRow | undefined {
    return this.stmts.one.get({ imageId, targetId, source });
  }

  forImage(imageId: number): AnnotationRow[] {
    return this.stmts.forImage.all(imageId);
  }

  /** Human annotations of the given images (a page of the grid in any order: by name, by last edit…). */
  humanForImages(ids: readonly number[]): AnnotationRow[] {
    return ids.length === 0 ? [] : this.stmts.humanForImages.all({ ids: JSON.stringify(ids) });
  }

  /** Every human label of one target, streamed one row at a time (the training data's labels, engine/labels.ts). */
  humanLabelIds(targetId: number): IterableIterator<HumanLabelIds> {
    return this.stmts.humanLabelIds.iterate(targetId);
  }

  stateCounts() {
    return this.stmts.stateCounts.all();
  }
  classCounts() {
    return this.stmts.classCounts.all();
  }
  lengthCounts() {
    return this.stmts.lengthCounts.all();
  }
  /** How many human and model labels use a class. */
  classUsage(classId: number): { human: number; model: number } {
    const rows = this.stmts.classUsage.all({ classId });
    return { human: rows.find((r) => r.source === 'human')?.n ?? 0, model: rows.find((r) => r.source === 'model')?.n ?? 0 };
  }
  /** The human labels that use a class (a merge or deletion rewrites each, versioned and undoable). */
  humanOfClass(classId: number): AnnotationRow[] {
    return this.stmts.humanOfClass.all({ classId });
  }
  /** Inside the caller's transaction: model predictions of class `from` become `to` (a merge), or go (a deletion). */
  moveModelClass(from: number, to: number): void {
    this.stmts.moveModelClass.run({ from, to });
  }
  deleteModelClass(classId: number): void {
    this.stmts.deleteModelClass.run({ classId });
  }

  /** The most common human values of a sequence target. */
  topValues(targetId: number, limit: number) {
    return this.stmts.topValues.all({ targetId, limit });
  }
}
