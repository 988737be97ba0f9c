import type { ImageFilter } from '../../shared/image-filter.js';
import { invalidField } from '../../shared/errors.js';
import type { PageCursor } from '../store/image-query.js';

/**
 * The cursor images.list hands out for the page after this one: opaque to clients (base64url
 * JSON), naming the order it belongs to so that a cursor of another order is refused rather
 * than giving a wrong page.
 */
export function encodeCursor(filter: ImageFilter, cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([orderName(filter), cursor.key, cursor.id])).toString('base64url');
}

export function decodeCursor(filter: ImageFilter, text: string): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidField('after', 'not a cursor this server handed out');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalidField('after', 'not a cursor this server handed out');
  const [order, key, id] = parsed as unknown[];
  if (order !== orderName(filter)) throw invalidField('after', `the cursor is for order '${String(order)}', not '${orderName(filter)}'`);
  if (!(typeof id === 'number' && Number.isSafeInteger(id) && id > 0)) throw invalidField('after', 'not a cursor this server handed out');
  if (!(key === null || typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key))))
    throw invalidField('after', 'not a cursor this server handed out');
  return { key, id };
}

const orderName = (filter: ImageFilter) => `${filter.order}${filter.reverse === true ? ' reversed' : ''}`;
