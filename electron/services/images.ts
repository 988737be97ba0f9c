import { notFound } from '../../shared/errors.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import { shownPath } from './caller.js';
import type { ServiceContext } from './context.js';
import { toImageDetail, toImageSummary } from './mappers.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import type { ServiceImpl } from './types.js';

export function imagesService({ store, project }: ServiceContext): ServiceImpl['images'] {
  return {
    list: async ({ offset, limit, filter, after }) => {
      const targetCount = store.targets.list().length;
      const cursor = after === undefined ? undefined : decodeCursor(filter, after);
      const { total, rows, next } = store.images.list(filter, targetCount, offset, limit, cursor);
      const byImage = new Map<number, AnnotationRow[]>();
      // By the page's ids, not an id range: in name or edit order a page spans any ids.
      for (const a of store.annotations.humanForImages(rows.map((r) => r.id))) {
        const list = byImage.get(a.image_id) ?? [];
        list.push(a);
        byImage.set(a.image_id, list);
      }
      return {
        total,
        offset,
        items: rows.map((r) => toImageSummary(r, byImage.get(r.id) ?? [], targetCount)),
        next: next ? encodeCursor(filter, next) : null,
      };
    },
    get: async ({ id }, caller) => {
      const row = store.images.get(id);
      if (!row) throw notFound(`Image ${id}`);
      const detail = toImageDetail(row, store.annotations.forImage(id), store.targets.list().length);
      // Where the image came from on the server is for admins; others see it from its import root.
      return detail.originalPath === null ? detail : { ...detail, originalPath: shownPath(detail.originalPath, caller, project.dataDir) };
    },
    ids: async ({ filter }) => ({ ids: store.images.ids(filter, store.targets.list().length) }),
  };
}
