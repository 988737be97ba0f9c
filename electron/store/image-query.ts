import type { ImageFilter } from '../../shared/image-filter.js';

export interface BuiltQuery {
  /** FROM images i [JOIN …] WHERE … — without SELECT and ORDER BY. */
  from: string;
  order: string;
  params: Record<string, number>;
}

const HUMAN_ANSWERS = "(SELECT count(*) FROM annotations a0 WHERE a0.image_id = i.id AND a0.source = 'human')";

/** Turns an image filter into SQL. Only fixed SQL text is produced; every value is a bound parameter. */
export function buildImageQuery(filter: ImageFilter, targetCount: number): BuiltQuery {
  const where: string[] = [];
  const joins: string[] = [];
  const params: Record<string, number> = {};
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
  let order = 'ORDER BY i.id';
  const t = filter.target;
  if (t) {
    params.targetId = t.targetId;
    const noHuman = "NOT EXISTS (SELECT 1 FROM annotations h WHERE h.image_id = i.id AND h.target_id = @targetId AND h.source = 'human')";
    if (t.source === 'model') {
      joins.push("JOIN annotations t ON t.image_id = i.id AND t.target_id = @targetId AND t.source = 'model'");
      where.push(noHuman);
      if (t.maxConfidence !== undefined) {
        where.push('t.confidence <= @maxConfidence');
        params.maxConfidence = t.maxConfidence;
      }
      if (filter.order === 'confidence') order = 'ORDER BY t.confidence ASC, i.id';
    } else if (t.state === 'pending') {
      where.push(noHuman);
    } else if (t.state !== undefined || t.classId !== undefined) {
      joins.push("JOIN annotations t ON t.image_id = i.id AND t.target_id = @targetId AND t.source = 'human'");
    }
    if (joins.length > 0) {
      if (t.state === 'unknown') where.push("t.state = 'unknown'");
      if (t.state === 'value') where.push("t.state = 'value'");
      if (t.state === 'pending' && t.source === 'model') where.push('0');
      if (t.classId !== undefined) {
        where.push('t.class_id = @classId');
        params.classId = t.classId;
      }
    } else if (t.classId !== undefined) {
      where.push('0');
    }
  }
  const from = `FROM images i ${joins.join(' ')} WHERE ${where.length > 0 ? where.join(' AND ') : '1'}`;
  return { from, order, params };
}
