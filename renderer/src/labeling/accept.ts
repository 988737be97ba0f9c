/**
 * A (accept the active target's suggestion) and Shift+A (every suggestion at or above the
 * floor, as one write): the labels change on screen at once, the write goes to the queue.
 */
import type { Ref } from 'vue';
import type { ImageDetail } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { acceptLabel, type Labels } from './label-state';
import { predictionsToAccept, type Prediction } from './predictions';
import type { WriteQueue } from './write-queue';

export interface AcceptDeps {
  current: Readonly<Ref<ImageDetail | null>>;
  activeTarget: Readonly<Ref<TargetDef | null>>;
  targets: Readonly<Ref<TargetDef[]>>;
  predictions: Readonly<Ref<Record<number, Prediction>>>;
  labels: Ref<Labels>;
  acceptFloor: Readonly<Ref<number>>;
  writes: WriteQueue;
  /** The targets a write of this target changes besides it (a length set by digits). */
  alsoTouched: (targetId: number) => number[];
  say: (text: string) => void;
  /** True when a key must set nothing now (the next image still on its way); it says why. */
  refused: () => boolean;
  /** The next key begins a new edit step. */
  newSession: () => void;
}

export function createAccept(d: AcceptDeps): (all: boolean) => void {
  return (all) => {
    const image = d.current.value;
    const target = d.activeTarget.value;
    if (!image || !target || d.refused()) return;
    const targets = d.targets.value;
    const predictions = d.predictions.value;
    const floor = d.acceptFloor.value;
    const list = all ? predictionsToAccept(targets, predictions, d.labels.value, floor) : predictions[target.id] ? [target] : [];
    if (list.length === 0) {
      const above = floor > 0 ? ` at or above ${Math.round(100 * floor)}%` : '';
      return d.say(all ? `No suggestions${above} to accept on this image` : `No suggestion for ${target.name} to accept`);
    }
    let next = d.labels.value;
    for (const t of list) next = acceptLabel(next, targets, t, predictions[t.id]!);
    const touches = list.flatMap((t) => [t.id, ...d.alsoTouched(t.id)]);
    if (all)
      d.writes.acceptMany(
        image.id,
        list.map((t) => t.id),
        floor,
        touches,
      );
    else d.writes.accept(image.id, target.id, { before: null, after: next[target.id] ?? null, alsoTouches: touches.slice(1) });
    d.labels.value = next;
    d.newSession();
  };
}
