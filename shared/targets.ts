/**
 * Target definitions shared by every layer: what a label can be, and the
 * derivation rules between targets (a sequence's length). Runtime-neutral.
 */

export type TargetKind = 'sequence' | 'length' | 'categorical';

/** The class name used by a length target for sequences longer than its maximum. */
export const OVERFLOW_LENGTH_CLASS = '>5';

export const LENGTH_CLASSES = ['0', '1', '2', '3', '4', '5', OVERFLOW_LENGTH_CLASS] as const;

/** Longest sequence a user may type, whatever the model's maximum length. */
export const MAX_SEQUENCE_CHARS = 64;

export interface TargetClass {
  id: number;
  name: string;
  /** Keyboard key that selects the class in the labeler, if any. */
  hotkey: string | null;
  position: number;
}

export interface TargetDef {
  id: number;
  name: string;
  kind: TargetKind;
  /** sequence: the characters a value may contain. */
  alphabet: string | null;
  /** sequence: the number of positions a model predicts (longer sequences get length '>N'). */
  maxLength: number | null;
  /** length: the sequence target it follows. */
  sourceTargetId: number | null;
  position: number;
  /** The key that jumps to this target in the labeler (with Alt), if any; Alt+1..9 by position always work. */
  hotkey: string | null;
  /** length and categorical targets; empty for sequences. */
  classes: TargetClass[];
}

/** The three label states: a value, explicitly unknown, or not looked at yet (no annotation). */
/** How a human label came to be: typed by a person, accepted from a model suggestion, or derived (a length from typed digits). */
export type LabelOrigin = 'typed' | 'accepted' | 'derived';

export type LabelState = 'value' | 'unknown' | 'pending';

export type LabelSource = 'human' | 'model';

/** A label as written by a user or a model: a value (class name or sequence text) or "unknown". */
export type LabelInput = { kind: 'value'; value: string } | { kind: 'unknown' };

export interface DefaultTarget {
  name: string;
  kind: TargetKind;
  alphabet?: string;
  maxLength?: number;
  source?: string;
  classes?: string[];
}

export const DEFAULT_TARGETS: readonly DefaultTarget[] = [
  { name: 'digits', kind: 'sequence', alphabet: '0123456789', maxLength: 5 },
  { name: 'length', kind: 'length', source: 'digits', classes: [...LENGTH_CLASSES] },
  { name: 'font_style', kind: 'categorical', classes: ['serif', 'sans', 'mono', 'handwriting', 'display'] },
  {
    name: 'script',
    kind: 'categorical',
    classes: ['latin', 'cyrillic', 'greek', 'arabic', 'hebrew', 'devanagari', 'thai', 'cjk'],
  },
];

/** The length class of a sequence value for a model predicting up to `maxLength` positions. */
export function lengthClassOf(sequence: string, maxLength: number): string {
  return sequence.length > maxLength ? `>${maxLength}` : String(sequence.length);
}

/** Length classes for a sequence target of the given maximum length: 0..N and '>N'. */
export function lengthClassesFor(maxLength: number): string[] {
  return [...Array.from({ length: maxLength + 1 }, (_, i) => String(i)), `>${maxLength}`];
}

/** Returns why `value` is not a valid sequence over `alphabet`, or null when it is. */
export function sequenceProblem(value: string, alphabet: string): string | null {
  if (value.length > MAX_SEQUENCE_CHARS) return `longer than ${MAX_SEQUENCE_CHARS} characters`;
  for (const ch of value) {
    if (!alphabet.includes(ch)) return `character '${ch}' is not in the alphabet '${alphabet}'`;
  }
  return null;
}

/** Letters the labeler keeps for itself: A accepts suggestions, G starts go-to chords, Q opens the queue picker. */
export const RESERVED_KEYS = ['a', 'g', 'q'] as const;

/** Default hotkeys for a categorical target's classes: 1..9 then 0, then the letters not reserved. */
export function defaultHotkey(position: number): string | null {
  const keys = '1234567890wertyuiopsdfhjklzxcvbnm';
  return keys[position] ?? null;
}
