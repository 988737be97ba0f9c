import type { Database, Statement } from 'better-sqlite3';
import type { AnnotationRow } from './annotations-repo.js';

/** Which images an export takes; every part is optional and they combine (AND). */
export interface ExportSelection {
  /** Only images with a human label (a value or unknown) of one of these targets. */
  labeledIn: number[] | null;
  /** Only images whose human label of this target is this class. */
  classOf: { targetId: number; classId: number } | null;
  /** Only these images (a part of a run's split). */
  imageIds: number[] | null;
}

export interface ExportImageRow {
  id: number;
  originalName: string;
  sha256: string;
  storedPath: string;
}

const WHERE = `
  (@labeledIn IS NULL OR EXISTS (SELECT 1 FROM annotations h WHERE h.image_id = i.id AND h.source = 'human'
     AND h.target_id IN (SELECT value FROM json_each(@labeledIn))))
  AND (@classId IS NULL OR EXISTS (SELECT 1 FROM annotations c WHERE c.image_id = i.id AND c.source = 'human'
     AND c.target_id = @classTarget AND c.class_id = @classId))
  AND (@imageIds IS NULL OR i.id IN (SELECT value FROM json_each(@imageIds)))`;

type Params = { labeledIn: string | null; classTarget: number | null; classId: number | null; imageIds: string | null };

/**
 * The reads behind label and dataset exports, a page at a time in image-id order (keyset
 * paging: page N costs what page 1 costs, so 100,000 images export in constant memory).
 */
export class LabelExportRepo {
  private readonly stmts: {
    page: Statement<Params & { after: number; limit: number }, ExportImageRow>;
    count: Statement<Params, { n: number }>;
    annotations: Statement<{ ids: string }, AnnotationRow>;
  };

  constructor(db: Database) {
    this.stmts = {
      page: db.prepare(
        `SELECT i.id, i.original_name AS originalName, i.sha256, i.stored_path AS storedPath FROM images i
         WHERE i.id > @after AND ${WHERE} ORDER BY i.id LIMIT @limit`,
      ),
      count: db.prepare(`SELECT count(*) AS n FROM images i WHERE ${WHERE}`),
      annotations: db.prepare(
        `SELECT a.image_id, a.target_id, a.source, a.state, a.text_value, a.class_id, c.name AS class_name,
           a.confidence, a.run_id, a.updated_at, a.version, a.origin
         FROM annotations a LEFT JOIN target_classes c ON c.id = a.class_id
         WHERE a.image_id IN (SELECT value FROM json_each(@ids)) ORDER BY a.image_id, a.target_id, a.source`,
      ),
    };
  }

  /** The next `limit` images after image id `after`. */
  page(selection: ExportSelection, after: number, limit: number): ExportImageRow[] {
    return this.stmts.page.all({ ...params(selection), after, limit });
  }

  count(selection: ExportSelection): number {
    return this.stmts.count.get(params(selection))!.n;
  }

  /** Every annotation (human and model) of these images. */
  annotations(imageIds: number[]): AnnotationRow[] {
    return imageIds.length === 0 ? [] : this.stmts.annotations.all({ ids: JSON.stringify(imageIds) });
  }
}

function params(s: ExportSelection): Params {
  return {
    labeledIn: s.labeledIn ? JSON.stringify(s.labeledIn) : null,
    classTarget: s.classOf?.targetId ?? null,
    classId: s.classOf?.classId ?? null,
    imageIds: s.imageIds ? JSON.stringify(s.imageIds) : null,
  };
}
