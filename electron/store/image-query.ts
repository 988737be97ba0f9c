import { sourceHasConfidence, type ImageFilter } from '../../shared/image-filter.js';

export interface BuiltQuery {
  /** FROM images i [JOIN …] WHERE … — without SELECT and ORDER BY. */
  from: string;
  /** SELECT … AS n: how many images match. */
  count: string;
  order: string;
  /** The SQL of the order's key for the cursor of a page's last row (NULL where the order has none). */
  cursorKey: string;
  /** Given a cursor: conditions to add to `from` in turn, the page going on from the first into the next (afterCursor). */
  after: string[];
  params: Record<string, number | string>;
}

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

const NO_HUMAN = "NOT EXISTS (SELECT 1 FROM annotations h WHERE h.image_id = i.id AND h.target_id = @targetId AND h.source = 'human')";
const HUMAN_OF_TARGET = "JOIN annotations h ON h.image_id = i.id AND h.target_id = @targetId AND h.source = 'human'";

/** Where a page ends in its order: the last row's sort key (null where the order has none, or the row's is NULL) and its image id. */
export interface PageCursor {
  key: number | string | null;
  id: number;
}

/** An order as SQL: its sort key besides the id (null: the id alone), the id's expression, and which way both go. */
interface OrderKeys {
  /** The key as ORDER BY and the cursor compare it (with its collation). */
  key: string | null;
  /** The key's value as the page's last row gives it. */
  keyValue: string | null;
  id: string;
  ascending: boolean;
}

/**
 * Each order matches an index so the first page of 100,000 images is not a sort of all of them:
 * images_by_name_nocase, images_by_edit (migration 7), the rowid, and annotations_by_confidence
 * (migration 10) for the joined label `t`. The id ends every order (stable pages).
 */
function orderKeys(filter: ImageFilter, joinedLabel: boolean): OrderKeys {
  const up = filter.reverse !== true;
  switch (filter.order) {
    case 'name':
      return { key: 'i.original_name COLLATE NOCASE', keyValue: 'i.original_name', id: 'i.id', ascending: up };
    case 'edited':
      // Most recent first; NULL (never edited) sorts last going down.
      return { key: 'i.edited_version', keyValue: 'i.edited_version', id: 'i.id', ascending: !up };
    case 'confidence':
      // t.image_id (= i.id) rather than i.id: annotations_by_confidence ends on the image, so
      // the index gives this order whole; with i.id SQLite sorts every tie of confidence again.
      return joinedLabel
        ? { key: 't.confidence', keyValue: 't.confidence', id: 't.image_id', ascending: up }
        : { key: null, keyValue: null, id: 'i.id', ascending: up };
    case 'id':
      return { key: null, keyValue: null, id: 'i.id', ascending: up };
  }
}

function orderBy({ key, id, ascending }: OrderKeys): string {
  const dir = ascending ? 'ASC' : 'DESC';
  return `ORDER BY ${key === null ? '' : `${key} ${dir}, `}${id} ${dir}`;
}

/**
 * The rows after `cursor` in the order (keyset paging), as conditions read in turn: the rest of
 * the page comes from the next when one runs out. Each is one seek in the order's index (the
 * rest of the cursor's tie, then the keys beyond it, then the NULLs where they come last), so a
 * deep page costs what the first does. Split because SQLite seeks on none of an OR, nor on a row
 * value whose last part is the rowid. SQLite sorts NULL first going up and last going down.
 */
function afterCursor({ key, id, ascending }: OrderKeys, cursor: PageCursor): string[] {
  const cmp = ascending ? '>' : '<';
  if (key === null) return [`${id} ${cmp} @afterId`];
  if (cursor.key === null) {
    const nullRun = `${key} IS NULL AND ${id} ${cmp} @afterId`;
    return ascending ? [nullRun, `${key} IS NOT NULL`] : [nullRun];
  }
  const tie = `${key} = @afterKey AND ${id} ${cmp} @afterId`;
  return ascending ? [tie, `${key} > @afterKey`] : [tie, `${key} < @afterKey`, `${key} IS NULL`];
}

/** Turns an image filter into SQL. Only fixed SQL text is produced; every value is a bound parameter. */
export function buildImageQuery(filter: ImageFilter, targetCount: number, after?: PageCursor): BuiltQuery {
  const where: string[] = [];
  const joins: string[] = [];
  const params: Record<string, number | string> = {};
  switch (filter.status) {
    // images.human_answers is kept by triggers (migration 10): no count of labels per image here.
    case 'pending':
      where.push('i.human_answers < @targetCount');
      params.targetCount = targetCount;
      break;
    case 'complete':
      // Equal, not at least: an image has one human label per target at most (the key and the
      // targets' foreign key), and an equality reads the answers indexes in any order.
      where.push('i.human_answers = @targetCount');
      params.targetCount = targetCount;
      break;
    case 'untouched':
      where.push('i.human_answers = 0');
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
  let notLookedAt = false;
  /** The joined label `t`'s conditions besides its image. */
  let labelOn: string | null = null;
  if (t) {
    params.targetId = t.targetId;
    // has_human = 0 on every human row, and on a prediction without a human label (migration 10):
    // both lead the confidence index, so the join reads it in order.
    if (t.source === 'model') {
      labelOn = "t.target_id = @targetId AND t.source = 'model' AND t.has_human = 0";
    } else if (t.source === 'accepted') {
      labelOn = "t.target_id = @targetId AND t.source = 'human' AND t.has_human = 0";
      where.push("t.origin = 'accepted'");
    } else if (t.source === 'imported') {
      labelOn = "t.target_id = @targetId AND t.source = 'human'";
      where.push("t.origin = 'imported'");
    } else if (t.state === 'pending') {
      notLookedAt = true;
    } else if (t.state !== undefined || t.classId !== undefined) {
      labelOn = "t.target_id = @targetId AND t.source = 'human'";
    }
    if (labelOn !== null) {
      joins.push(`JOIN annotations t ON t.image_id = i.id AND ${labelOn}`);
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
      if (sourceHasConfidence(t.source) && t.minConfidence !== undefined) {
        where.push('t.confidence >= @minConfidence');
        params.minConfidence = t.minConfidence;
      }
      if (sourceHasConfidence(t.source) && t.maxConfidence !== undefined) {
        where.push('t.confidence <= @maxConfidence');
        params.maxConfidence = t.maxConfidence;
      }
    } else if (t.classId !== undefined) {
      where.push('0');
    }
  }
  const keys = orderKeys(filter, joins.length > 0);
  if (after) {
    params.afterId = after.id;
    if (keys.key !== null && after.key !== null) params.afterKey = after.key;
  }
  const others = where.length > 0 ? where.join(' AND ') : '1';
  const from = `FROM images i ${joins.join(' ')} WHERE ${notLookedAt ? `${others} AND ${NO_HUMAN}` : others}`;
  // "Not looked at" counted as the images less those with the target's human label: two index
  // counts, where NOT EXISTS would probe every image.
  // Without a condition on the image (status, name) the labels are counted alone: every label has
  // its image (a foreign key), and a count that joins images reads a row of images per label.
  const onImages = filter.status !== 'any' || Boolean(filter.name);
  let count = `SELECT count(*) AS n ${from}`;
  if (notLookedAt && where.length > 0) {
    count = `SELECT (SELECT count(*) FROM images i WHERE ${others}) - (SELECT count(*) FROM images i ${HUMAN_OF_TARGET} WHERE ${others}) AS n`;
  } else if (notLookedAt) {
    count = `SELECT (SELECT count(*) FROM images) - (SELECT count(*) FROM annotations h WHERE h.target_id = @targetId AND h.source = 'human') AS n`;
  } else if (labelOn !== null && !onImages) {
    count = `SELECT count(*) AS n FROM annotations t WHERE ${labelOn} AND ${others}`;
  }
  return { from, count, order: orderBy(keys), cursorKey: keys.keyValue ?? 'NULL', after: after ? afterCursor(keys, after) : [], params };
}
