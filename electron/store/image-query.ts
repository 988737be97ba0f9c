import type { ImageFilter } from '../../shared/image-filter.js';

export interface BuiltQuery {
  /** FROM images i [JOIN …] WHERE … — without SELECT and ORDER BY. */
  from: string;
  order: string;
  params: Record<string, number | string>;
}

const HUMAN_ANSWERS = "(SELECT count(*) FROM annotations a0 WHERE a0.image_id = i.id AND a0.source = 'human')";

/** A name filter with any of these is a glob (over the whole relative name, or the file name when it has no '/'); otherwise a part of the name. */
const GLOB_CHARS = /[*?[]/;

/**
 * The SQL for a file name filter, case-insensitive either way. A part of the name is found with
 * instr (no pattern characters to escape); a glob uses SQLite's GLOB over the lower-cased name
 * and pattern. Both read every name the other filters leave: no index can serve "contains".
 */
export function nameCondition(name: string): { sql: string; param: string } {
  const lowered = name.toLowerCase();
  if (!GLOB_CHARS.test(name)) return { sql: 'instr(lower(i.original_name), @name) > 0', param: lowered };
  if (name.includes('/')) return { sql: 'lower(i.original_name) GLOB @name', param: lowered };
  // A glob without a slash is about the file's own name, wherever its folder: it also matches after the last '/'.
  return { sql: "(lower(i.original_name) GLOB @name OR lower(i.original_name) GLOB '*/' || @name)", param: lowered };
}

/**
 * ORDER BY for an order, each matching an index so the first page of 100,000 images is not a
 * sort of all of them: images_by_name_nocase, images_by_edit (migration 7), the rowid, and
 * annotations_by_confidence for the joined label `t`. The id ends every order (stable pages).
 */
function orderBy(filter: ImageFilter, joinedLabel: boolean): string {
  const flip = filter.reverse === true;
  const asc = flip ? 'DESC' : 'ASC';
  const desc = flip ? 'ASC' : 'DESC';
  switch (filter.order) {
    case 'name':
      return `ORDER BY i.original_name COLLATE NOCASE ${asc}, i.id ${asc}`;
    case 'edited':
      // Most recent first; NULL (never edited) sorts last going down.
      return `ORDER BY i.edited_version ${desc}, i.id ${desc}`;
    case 'confidence':
      // t.image_id (= i.id) rather than i.id: annotations_by_confidence ends on the table's key, so
      // the index gives this order whole; with i.id SQLite sorts every tie of confidence again.
      return joinedLabel ? `ORDER BY t.confidence ${asc}, t.image_id ${asc}` : `ORDER BY i.id ${asc}`;
    case 'id':
      return `ORDER BY i.id ${asc}`;
  }
}

/** Turns an image filter into SQL. Only fixed SQL text is produced; every value is a bound parameter. */
export function buildImageQuery(filter: ImageFilter, targetCount: number): BuiltQuery {
  const where: string[] = [];
  const joins: string[] = [];
  const params: Record<string, number | string> = {};
  switch (filter.status) {
    case 'pending':
      where.push(`${HUMAN_ANSWERS} < @targetCount`);
      params.targetCount = targetCount;
      break;
    case 'complete':
      where.push(`${HUMAN_ANSWERS} >= @targetCount`);
      params.targetCount = targetCount;
      break;
    case 'untouched':
      where.push("NOT EXISTS (SELECT 1 FROM annotations a0 WHERE a0.image_id = i.id AND a0.source = 'human')");
      break;
    case 'any':
      break;
  }
  if (filter.name) {
    const { sql, param } = nameCondition(filter.name);
    where.push(sql);
    params.name = param;
  }
  const t = filter.target;
  if (t) {
    params.targetId = t.targetId;
    const noHuman = "NOT EXISTS (SELECT 1 FROM annotations h WHERE h.image_id = i.id AND h.target_id = @targetId AND h.source = 'human')";
    if (t.source === 'model') {
      joins.push("JOIN annotations t ON t.image_id = i.id AND t.target_id = @targetId AND t.source = 'model'");
      where.push(noHuman);
    } else if (t.source === 'accepted') {
      joins.push("JOIN annotations t ON t.image_id = i.id AND t.target_id = @targetId AND t.source = 'human'");
      where.push("t.origin = 'accepted'");
    } else if (t.state === 'pending') {
      where.push(noHuman);
    } else if (t.state !== undefined || t.classId !== undefined) {
      joins.push("JOIN annotations t ON t.image_id = i.id AND t.target_id = @targetId AND t.source = 'human'");
    }
    if (joins.length > 0) {
      if (t.state === 'unknown') where.push("t.state = 'unknown'");
      if (t.state === 'value') where.push("t.state = 'value'");
      // A joined label exists, so it is never 'not looked at'.
      if (t.state === 'pending' && t.source !== 'human') where.push('0');
      if (t.classId !== undefined) {
        where.push('t.class_id = @classId');
        params.classId = t.classId;
      }
      if (t.source !== 'human' && t.minConfidence !== undefined) {
        where.push('t.confidence >= @minConfidence');
        params.minConfidence = t.minConfidence;
      }
      if (t.source !== 'human' && t.maxConfidence !== undefined) {
        where.push('t.confidence <= @maxConfidence');
        params.maxConfidence = t.maxConfidence;
      }
    } else if (t.classId !== undefined) {
      where.push('0');
    }
  }
  const from = `FROM images i ${joins.join(' ')} WHERE ${where.length > 0 ? where.join(' AND ') : '1'}`;
  return { from, order: orderBy(filter, joins.length > 0), params };
}
