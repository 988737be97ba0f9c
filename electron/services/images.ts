import { notFound } from '../../shared/errors.js';
import type { AnnotationRow } from '../store/annotations-repo.js';
import type { ServiceContext } from './context.js';
import { toImageDetail, toImageSummary } from './mappers.js';
import type { ServiceImpl } from './types.js';

export function imagesService({ store }: ServiceContext): ServiceImpl['images'] {
  return {
    list: async ({ offset, limit, filter }) => {
      const targetCount = store.targets.list().length;
      const { total, rows } = store.images.list(filter, targetCount, offset, limit);
      const first = rows[0]?.id ?? 0;
      const last = rows[rows.length - 1]?.id ?? -1;
      const byImage = new Map<number, AnnotationRow[]>();
      for (const a of store.annotations.humanForRange(first, last)) {
        const list = byImage.get(a.image_id) ?? [];
        list.push(a);
        byImage.set(a.image_id, list);
      }
      return { total, offset, items: rows.map((r) => toImageSummary(r, byImage.get(r.id) ?? [], targetCount)) };
    },
    get: async ({ id }) => {
      const row = store.images.get(id);
      if (!row) throw notFound(`Image ${id}`);
      return toImageDetail(row, store.annotations.forImage(id), store.targets.list().length);
    },
    ids: async ({ filter }) => ({ ids: store.images.ids(filter, store.targets.list().length) }),
  };
}
