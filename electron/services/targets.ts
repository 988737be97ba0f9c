import { conflict } from '../../shared/errors.js';
import { createSequenceTarget } from '../store/sequence-targets.js';
import { removalSet, removeTarget, targetUsage } from '../store/target-removal.js';
import type { Store } from '../store/store.js';
import type { ServiceContext } from './context.js';
import type { ServiceImpl } from './types.js';

/** Runs whose stored spec names `name` as a head's target or in its split (heads bind targets by name). */
function runsNaming(store: Store, name: string): number[] {
  return store.runs
    .list()
    .filter((run) => {
      try {
        const spec = JSON.parse(run.spec) as {
          heads?: { target?: { target?: string } }[];
          training?: { split?: { groupBy?: unknown; testWhere?: { target?: string } } };
        };
        const split = spec.training?.split;
        const groupBy = split?.groupBy as { target?: string } | undefined;
        return (spec.heads ?? []).some((h) => h.target?.target === name) || groupBy?.target === name || split?.testWhere?.target === name;
      } catch {
        return false;
      }
    })
    .map((run) => run.id)
    .sort((a, b) => a - b);
}

const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function targetsService({ store, events, editsFor }: ServiceContext): ServiceImpl['targets'] {
  return {
    list: async () => store.targets.list(),
    createCategorical: async ({ name, classes }) => {
      const target = store.targets.createCategorical(name, classes);
      events.emit('targets.changed', { targetId: target.id });
      return target;
    },
    createSequence: async ({ name, alphabet, maxLength, lengthName }) => {
      const target = createSequenceTarget(
        store.db,
        store.targets,
        name,
        alphabet.normalize('NFC'),
        maxLength,
        lengthName === undefined ? `${name}_length` : lengthName,
      );
      events.emit('targets.changed', { targetId: target.id });
      return target;
    },
    rename: async ({ targetId, name }) => {
      const previousName = store.targets.byId(targetId).name;
      const target = store.targets.renameTarget(targetId, name);
      events.emit('targets.changed', { targetId });
      return { ...target, previousName, runsNamingPrevious: previousName === name ? [] : runsNaming(store, previousName) };
    },
    remove: async ({ targetId, force }) => {
      const result = store.write(() => {
        const doomed = removalSet(store.targets, targetId);
        const usage = targetUsage(
          store.db,
          doomed.map((t) => t.id),
        );
        if (!force && usage.human + usage.model > 0) {
          const [first, ...rest] = doomed.map((t) => `'${t.name}'`);
          const names = rest.length > 0 ? `${first} (with its length target ${rest.join(', ')})` : first;
          throw conflict(
            `${names} has ${counted(usage.human, 'human label')} and ${counted(usage.model, 'model prediction')}; removing it deletes them and cannot be undone`,
          );
        }
        const removed = removeTarget(store.db, store.targets, targetId).map((t) => ({ id: t.id, name: t.name, kind: t.kind }));
        return { removed, humanLabels: usage.human, modelLabels: usage.model };
      });
      events.emit('targets.changed', { targetId });
      events.emit('annotations.changed', { imageIds: [] });
      return result;
    },
    addClass: async ({ targetId, name }) => {
      const target = store.targets.addClass(targetId, name);
      events.emit('targets.changed', { targetId });
      return target;
    },
    renameClass: async ({ targetId, classId, name }) => {
      const target = store.targets.renameClass(targetId, classId, name);
      events.emit('targets.changed', { targetId });
      return target;
    },
    mergeClass: async ({ targetId, classId, intoClassId }, caller) => {
      const moved = editsFor(caller).mergeClass(targetId, classId, intoClassId);
      events.emit('targets.changed', { targetId });
      events.emit('annotations.changed', { imageIds: [] });
      return { ...store.targets.byId(targetId), moved };
    },
    setHotkey: async ({ targetId, classId, hotkey }) => {
      const target = store.targets.setHotkey(targetId, classId, hotkey);
      events.emit('targets.changed', { targetId });
      return target;
    },
    deleteClass: async ({ targetId, classId, labels }, caller) => {
      const affected = editsFor(caller).deleteClass(targetId, classId, labels);
      events.emit('targets.changed', { targetId });
      events.emit('annotations.changed', { imageIds: [] });
      return { ...store.targets.byId(targetId), affected };
    },
  };
}
