/**
 * What an edit does to one image's human labels, locally and as writes to the store.
 * Pure: the labeler store applies the local result at once (the UI never waits) and
 * queues the writes.
 */
import { lengthClassOf, type LabelInput, type LabelOrigin, type TargetDef } from '../../../shared/targets.js';
import type { LabelAction } from './keymap';

/**
 * A label as shown: a value, explicitly unknown; absent means not looked at. `origin` says how
 * it came to be: typed (or chosen) by the user, accepted from a model suggestion (with the
 * run and confidence), derived (a length following typed digits), or imported.
 */
export interface ShownLabel {
  state: 'value' | 'unknown';
  value: string | null;
  origin?: LabelOrigin | null;
  runId?: number | null;
  confidence?: number | null;
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

/** Whether two labels say the same (state and value; provenance aside). Absent = not looked at. */
export function sameLabel(a: ShownLabel | null | undefined, b: ShownLabel | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.state === b.state && (a.state === 'unknown' || a.value === b.value);
}

export function shownOf(label: LabelInput, origin: ShownLabel['origin'] = 'typed'): ShownLabel {
  return label.kind === 'unknown' ? { state: 'unknown', value: null, origin } : { state: 'value', value: label.value, origin };
}

export function inputOf(label: ShownLabel): LabelInput {
  return label.state === 'unknown' ? { kind: 'unknown' } : { kind: 'value', value: label.value ?? '' };
}

function put(labels: Labels, targetId: number, label: ShownLabel | null): Labels {
  const next = { ...labels };
  if (label === null) delete next[targetId];
  else next[targetId] = label;
  return next;
}

/** The length target that follows a sequence target, if any. */
export function lengthTargetOf(targets: TargetDef[], sequence: TargetDef): TargetDef | undefined {
  return sequence.kind === 'sequence' ? targets.find((t) => t.kind === 'length' && t.sourceTargetId === sequence.id) : undefined;
}

/**
 * Whether the user set the length on its own (typed, chosen, marked unknown or accepted; not
 * derived from typed digits). Typed digits then leave it as it is, as the store does, and a
 * contradiction is flagged; a length derived from the digits changes with them.
 */
export function lengthSetOnItsOwn(labels: Labels, _sequence: TargetDef, length: TargetDef): boolean {
  const l = labels[length.id];
  return l !== undefined && l.origin !== 'derived';
}

/** Digits that contradict the length shown: "49228" with length 3. Null when they agree (or either is missing). */
export function lengthMismatch(labels: Labels, sequence: TargetDef, length: TargetDef): { digits: number; length: string } | null {
  const d = labels[sequence.id];
  const l = labels[length.id];
  if (d?.state !== 'value' || l?.state !== 'value') return null;
  const derived = lengthClassOf(d.value ?? '', sequence.maxLength ?? 5);
  return derived === l.value ? null : { digits: (d.value ?? '').length, length: l.value ?? '' };
}

/** What is wrong with the labels shown, by target: digits that contradict the length the user set, flagged on both. */
export function lengthWarnings(labels: Labels, targets: TargetDef[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const seq of targets) {
    const length = lengthTargetOf(targets, seq);
    const m = length && lengthMismatch(labels, seq, length);
    if (!length || !m) continue;
    out[seq.id] = `${m.digits} ${seq.name}, but ${length.name} is ${m.length}`;
    out[length.id] = `${length.name} ${m.length} contradicts the ${m.digits} ${seq.name} typed`;
  }
  return out;
}

/** The labels after `sequence` gets `value`: its length follows unless the user set it on its own. */
function withSequence(labels: Labels, targets: TargetDef[], sequence: TargetDef, value: ShownLabel | null): Labels {
  const length = lengthTargetOf(targets, sequence);
  const follows = length !== undefined && !lengthSetOnItsOwn(labels, sequence, length);
  let next = put(labels, sequence.id, value);
  if (follows && value?.state === 'value') {
    next = put(next, length.id, { state: 'value', value: lengthClassOf(value.value ?? '', sequence.maxLength ?? 5), origin: 'derived' });
  }
  return next;
}

/**
 * What the store does to a length that followed a sequence made unknown (unknown too) or
 * cleared (cleared too); a length set on its own stays. Shown at once; the store writes it.
 */
function lengthFollowing(next: Labels, before: Labels, targets: TargetDef[], sequence: TargetDef, to: 'unknown' | null): Labels {
  const length = lengthTargetOf(targets, sequence);
  if (!length || before[length.id]?.origin !== 'derived') return next;
  return put(next, length.id, to === 'unknown' ? { state: 'unknown', value: null, origin: 'derived' } : null);
}

/**
 * Applies a labeling action on `target` to `labels`; returns the new labels and the writes
 * that persist them. `fresh`: the first key typed into a field since it was entered (or since
 * an undo) replaces its value, as typing into a selected text field does; later keys append.
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
    next = put(next, targetId, label && shownOf(label));
    writes.push({ targetId, label });
  };
  const typed = (value: string) => {
    next = withSequence(next, targets, target, { state: 'value', value, origin: 'typed' });
    writes.push({ targetId: target.id, label: { kind: 'value', value } });
  };
  const current = labels[target.id];
  switch (action.type) {
    case 'typeChar':
      if (target.kind === 'sequence') typed((current?.state === 'value' && !fresh ? (current.value ?? '') : '') + action.char);
      break;
    case 'backspace':
    case 'setText': {
      if (target.kind !== 'sequence') break;
      if (action.type === 'backspace' && current?.state !== 'value') break;
      // Backspace drops the last character (by code point, as the field shows it); a text field gives its whole value.
      const value = action.type === 'setText' ? action.value : [...(current?.value ?? '')].slice(0, -1).join('');
      if (value.length > 0) {
        if (!(current?.state === 'value' && current.value === value)) typed(value);
      } else if (current) {
        write(target.id, null);
        next = lengthFollowing(next, labels, targets, target, null);
      }
      break;
    }
    case 'setClass':
      if (target.kind !== 'sequence') write(target.id, { kind: 'value', value: action.value });
      break;
    case 'unknown':
      write(target.id, { kind: 'unknown' });
      if (target.kind === 'sequence') next = lengthFollowing(next, labels, targets, target, 'unknown');
      break;
    case 'clear':
      if (current) write(target.id, null);
      if (current && target.kind === 'sequence') next = lengthFollowing(next, labels, targets, target, null);
      break;
    default:
      break;
  }
  return { labels: next, writes };
}

/** A model suggestion accepted as the human label, keeping its provenance; a sequence's length follows it. */
export function acceptLabel(
  labels: Labels,
  targets: TargetDef[],
  target: TargetDef,
  suggestion: { value: string | null; confidence: number | null; runId: number | null },
): Labels {
  const shown: ShownLabel = {
    state: suggestion.value === null ? 'unknown' : 'value',
    value: suggestion.value,
    origin: 'accepted',
    runId: suggestion.runId,
    confidence: suggestion.confidence,
  };
  return target.kind === 'sequence' ? withSequence(labels, targets, target, shown) : put(labels, target.id, shown);
}
