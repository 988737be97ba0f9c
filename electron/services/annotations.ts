import type { EditResult } from '../../shared/api/contract.js';
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
  const replayed = (result: EditResult) => {
    if (result.classTargetId !== null) events.emit('targets.changed', { targetId: result.classTargetId });
    changed(result.imageIds);
    return result;
  };
  return {
    set: async ({ imageId, targetId, label, coalesceKey, expectedVersion }) => {
      const target = store.targets.byId(targetId);
      const row = edits.set(image(imageId), target, label, coalesceKey, expectedVersion)!;
      changed([imageId]);
      return toAnnotationView(row);
    },
    clear: async ({ imageId, targetId, coalesceKey, expectedVersion }) => {
      const cleared = edits.clear(image(imageId), store.targets.byId(targetId), coalesceKey, expectedVersion);
      if (cleared) changed([imageId]);
      return { cleared };
    },
    accept: async ({ imageId, targetId, expectedVersion }) => {
      const row = edits.accept(image(imageId), store.targets.byId(targetId), expectedVersion);
      changed([imageId]);
      return toAnnotationView(row);
    },
    acceptMany: async ({ imageId, targets, minConfidence }) => {
      const requests = targets.map((t) => ({ target: store.targets.byId(t.targetId), expectedVersion: t.expectedVersion }));
      const result = edits.acceptMany(image(imageId), requests, minConfidence);
      if (result.accepted.length > 0) changed([imageId]);
      return { accepted: result.accepted.map(toAnnotationView), skipped: result.skipped };
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
    undo: async () => replayed(edits.undo()),
    redo: async () => replayed(edits.redo()),
    history: async () => edits.history(),
  };
}
