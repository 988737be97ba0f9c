import type { Database } from 'better-sqlite3';

/**
 * What the triggers of migrations 10 and 11 keep (images.human_answers, a model prediction's
 * has_human, label_counts, text_value_counts) set against a recount from the labels: every row
 * that differs. All four empty when the kept values are right.
 */
export function countDrift(db: Database): { answers: unknown[]; shadows: unknown[]; labelCounts: unknown[]; textCounts: unknown[] } {
  // Kept counts and recounts side by side, each row that is in one and not the other.
  const differ = (kept: string, counted: string) =>
    db.prepare(`SELECT 'kept', * FROM (${kept} EXCEPT ${counted}) UNION ALL SELECT 'counted', * FROM (${counted} EXCEPT ${kept})`).all();
  return {
    answers: db
      .prepare(
        `SELECT i.id, i.human_answers AS kept, (SELECT count(*) FROM annotations a WHERE a.image_id = i.id AND a.source = 'human') AS counted
         FROM images i WHERE kept <> counted`,
      )
      .all(),
    shadows: db
      .prepare(
        `SELECT m.image_id, m.target_id, m.has_human AS kept,
           EXISTS (SELECT 1 FROM annotations h WHERE h.image_id = m.image_id AND h.target_id = m.target_id AND h.source = 'human') AS counted
         FROM annotations m WHERE m.source = 'model' AND kept <> counted`,
      )
      .all(),
    labelCounts: differ(
      'SELECT target_id, state, class_id, text_length, n FROM label_counts',
      `SELECT target_id, state, coalesce(class_id, 0), coalesce(length(text_value), -1), count(*) FROM annotations WHERE source = 'human' GROUP BY 1, 2, 3, 4`,
    ),
    textCounts: differ(
      'SELECT target_id, text_value, n FROM text_value_counts',
      `SELECT target_id, text_value, count(*) FROM annotations WHERE source = 'human' AND state = 'value' AND text_value IS NOT NULL GROUP BY 1, 2`,
    ),
  };
}

/** countDrift with nothing in it. */
export const NO_DRIFT = { answers: [], shadows: [], labelCounts: [], textCounts: [] };
