import type { EditResult } from '../../shared/api/contract.js';
import { notFound } from '../../shared/errors.js';
import type { ServiceContext } from './context.js';
import { toAnnotationView } from './mappers.js';
import type { ServiceImpl } from './types.js';

export function annotationsService({ store, events, editsFor }: ServiceContext): ServiceImpl['annotations'] {
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
    set: async ({ imageId, targetId, label, coalesceKey, expectedVersion }, caller) => {
      const target = store.targets.byId(targetId);
      const row = editsFor(caller).set(image(imageId), target, label, coalesceKey, expectedVersion)!;
      changed([imageId]);
      return toAnnotationView(row);
    },
    clear: async ({ imageId, targetId, coalesceKey, expectedVersion }, caller) => {
      const cleared = editsFor(caller).clear(image(imageId), store.targets.byId(targetId), coalesceKey, expectedVersion);
      if (cleared) changed([imageId]);
      return { cleared };
    },
    accept: async ({ imageId, targetId, expectedVersion }, caller) => {
      const row = editsFor(caller).accept(image(imageId), store.targets.byId(targetId), expectedVersion);
      changed([imageId]);
      return toAnnotationView(row);
    },
    acceptMany: async ({ imageId, targets, minConfidence }, caller) => {
      const requests = targets.map((t) => ({ target: store.targets.byId(t.targetId), expectedVersion: t.expectedVersion }));
      const result = editsFor(caller).acceptMany(image(imageId), requests, minConfidence);
      if (result.accepted.length > 0) changed([imageId]);
      return { accepted: result.accepted.map(toAnnotationView), skipped: result.skipped };
    },
    bulkSet: async ({ imageIds, filter, targetId, label }, caller) => {
      const target = store.targets.byId(targetId);
      const ids = imageIds ?? store.images.ids(filter!, store.targets.list().length);
      if (imageIds) {
        const missing = await store.images.firstMissing(imageIds);
        if (missing !== undefined) throw notFound(`Image ${missing}`);
      }
      const updated = await editsFor(caller).bulkSet(ids, target, label);
      changed(updated);
      return { count: updated.length };
    },
    undo: async (_req, caller) => replayed(await editsFor(caller).undo()),
    redo: async (_req, caller) => replayed(await editsFor(caller).redo()),
    history: async (_req, caller) => editsFor(caller).history(),
  };
}
