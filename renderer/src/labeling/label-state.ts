/**
 * What an edit does to one image's human labels, locally and as writes to the store.
 * Pure: the labeler store applies the local result at once (the UI never waits) and
 * queues the writes.
 */
import { lengthClassOf, type LabelInput, type TargetDef } from '../../../shared/targets.js';
import type { LabelAction } from './keymap';

/** A label as shown: a value, explicitly unknown; absent means not looked at. */
export interface ShownLabel {
  state: 'value' | 'unknown';
  value: string | null;
}
export type Labels = Record<number, ShownLabel>;

/** label null = clear (back to "not looked at"). */
export interface LabelWrite {
  targetId: number;
  label: LabelInput | null;
}

export function stateOf(labels: Labels, targetId: number): 'value' | 'unknown' | 'pending' {
  return labels[targetId]?.state ?? 'pending';
}

function put(labels: Labels, targetId: number, label: LabelInput | null): Labels {
  const next = { ...labels };
  if (label === null) delete next[targetId];
  else next[targetId] = label.kind === 'unknown' ? { state: 'unknown', value: null } : { state: 'value', value: label.value };
  return next;
}

/**
 * Applies a labeling action on `target` to `labels`; returns the new labels and the writes
 * that persist them. `fresh`: the first key typed into a field since it was entered
 * replaces its value, as typing into a selected text field does; later keys append.
 */
export function reduceLabels(
  labels: Labels,
  targets: TargetDef[],
  target: TargetDef,
  action: LabelAction,
  fresh = false,
): { labels: Labels; writes: LabelWrite[] } {
  const writes: LabelWrite[] = [];
  let next = labels;
  const write = (targetId: number, label: LabelInput | null) => {
    next = put(next, targetId, label);
    writes.push({ targetId, label });
  };
  const lengthTarget = target.kind === 'sequence' ? targets.find((t) => t.kind === 'length' && t.sourceTargetId === target.id) : undefined;
  // The store derives length from a typed sequence; mirror it locally.
  const typed = (value: string) => {
    next = put(next, target.id, { kind: 'value', value });
    writes.push({ targetId: target.id, label: { kind: 'value', value } });
    if (lengthTarget) next = put(next, lengthTarget.id, { kind: 'value', value: lengthClassOf(value, target.maxLength ?? 5) });
  };
  const current = labels[target.id];
  switch (action.type) {
    case 'typeChar':
      if (target.kind === 'sequence') typed((current?.state === 'value' && !fresh ? (current.value ?? '') : '') + action.char);
      break;
    case 'backspace': {
      if (target.kind !== 'sequence' || current?.state !== 'value') break;
      const shorter = (current.value ?? '').slice(0, -1);
      if (shorter.length > 0) typed(shorter);
      else {
        write(target.id, null);
        if (lengthTarget) write(lengthTarget.id, null);
      }
      break;
    }
    case 'setClass':
      if (target.kind !== 'sequence') write(target.id, { kind: 'value', value: action.value });
      break;
    case 'unknown':
      write(target.id, { kind: 'unknown' });
      break;
    case 'clear':
      if (current) write(target.id, null);
      break;
    default:
      break;
  }
  return { labels: next, writes };
}
