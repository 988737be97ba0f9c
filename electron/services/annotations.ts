import { notFound } from '../../shared/errors.js';
import type { ServiceContext } from './context.js';
import { toAnnotationView } from './mappers.js';
import type { ServiceImpl } from './types.js';

export function annotationsService({ store, events, edits }: ServiceContext): ServiceImpl['annotations'] {
  const changed = (imageIds: number[]) => {
    if (imageIds.length > 0) events.emit('annotations.changed', { imageIds });
  };
  const image = (id: number) => {
    if (!store.images.get(id)) throw notFound(`Image ${id}`);
    return id;
  };
  return {
    set: async ({ imageId, targetId, label, coalesceKey }) => {
      const target = store.targets.byId(targetId);
      const row = edits.set(image(imageId), target, label, coalesceKey)!;
      changed([imageId]);
      return toAnnotationView(row);
    },
    clear: async ({ imageId, targetId, coalesceKey }) => {
      const cleared = edits.clear(image(imageId), store.targets.byId(targetId), coalesceKey);
      if (cleared) changed([imageId]);
      return { cleared };
    },
    accept: async ({ imageId, targetId }) => {
      const target = store.targets.byId(targetId);
      const predicted = store.annotations.one(image(imageId), targetId, 'model');
      if (!predicted) throw notFound(`A model prediction of ${target.name} for image ${imageId}`);
      const value = predicted.state === 'unknown' ? null : (predicted.class_name ?? predicted.text_value);
      const row = edits.set(imageId, target, value === null ? { kind: 'unknown' } : { kind: 'value', value })!;
      changed([imageId]);
      return toAnnotationView(row);
    },
    bulkSet: async ({ imageIds, filter, targetId, label }) => {
      const target = store.targets.byId(targetId);
      const ids = imageIds ?? store.images.ids(filter!, store.targets.list().length);
      const missing = imageIds?.find((id) => !store.images.get(id));
      if (missing !== undefined) throw notFound(`Image ${missing}`);
      const updated = edits.bulkSet(ids, target, label);
      changed(updated);
      return { count: updated.length };
    },
    undo: async () => {
      const result = edits.undo();
      changed(result.imageIds);
      return result;
    },
    redo: async () => {
      const result = edits.redo();
      changed(result.imageIds);
      return result;
    },
    history: async () => edits.history(),
  };
}
