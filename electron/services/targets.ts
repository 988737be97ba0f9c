import type { ServiceContext } from './context.js';
import type { ServiceImpl } from './types.js';

export function targetsService({ store, events, edits }: ServiceContext): ServiceImpl['targets'] {
  return {
    list: async () => store.targets.list(),
    createCategorical: async ({ name, classes }) => store.targets.createCategorical(name, classes),
    addClass: async ({ targetId, name }) => store.targets.addClass(targetId, name),
    renameClass: async ({ targetId, classId, name }) => {
      const target = store.targets.renameClass(targetId, classId, name);
      events.emit('targets.changed', { targetId });
      return target;
    },
    mergeClass: async ({ targetId, classId, intoClassId }) => {
      const moved = edits.mergeClass(targetId, classId, intoClassId);
      events.emit('targets.changed', { targetId });
      events.emit('annotations.changed', { imageIds: [] });
      return { ...store.targets.byId(targetId), moved };
    },
    setHotkey: async ({ targetId, classId, hotkey }) => {
      const target = store.targets.setHotkey(targetId, classId, hotkey);
      events.emit('targets.changed', { targetId });
      return target;
    },
    deleteClass: async ({ targetId, classId, labels }) => {
      const affected = edits.deleteClass(targetId, classId, labels);
      events.emit('targets.changed', { targetId });
      events.emit('annotations.changed', { imageIds: [] });
      return { ...store.targets.byId(targetId), affected };
    },
  };
}
