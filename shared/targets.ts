/**
 * Target definitions shared by every layer: what a label can be, and the
 * derivation rules between targets (a sequence's length). Runtime-neutral.
 */

export type TargetKind = 'sequence' | 'length' | 'categorical';

/** The class name used by a length target for sequences longer than its maximum. */
export const OVERFLOW_LENGTH_CLASS = '>5';

export const LENGTH_CLASSES = ['0', '1', '2', '3', '4', '5', OVERFLOW_LENGTH_CLASS] as const;

/**
 * Longest sequence value stored, whatever the model's maximum length: room for a line of text
 * (OCR ground truth), while a model predicts only its first `maxLength` characters.
 */
export const MAX_SEQUENCE_CHARS = 512;

/** Most positions a sequence target models (position heads 0..63); longer values get the length '>N'. */
export const MAX_SEQUENCE_POSITIONS = 64;

/** Most characters in a sequence target's alphabet. */
export const MAX_ALPHABET_CHARS = 1000;

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
/**
 * How a human label came to be: typed by a person here, accepted from a model suggestion,
 * derived (a length from the digits), or imported (a labels file, folder names, transcripts: a
 * person's label from elsewhere). Every one of them is a human label.
 */
export type LabelOrigin = 'typed' | 'accepted' | 'derived' | 'imported';

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

/** Characters of a sequence value or an alphabet, by code point (an emoji or a CJK extension character is one). */
export function charsOf(text: string): string[] {
  return [...text];
}

/** The length class of a sequence value for a model predicting up to `maxLength` positions. */
export function lengthClassOf(sequence: string, maxLength: number): string {
  const n = charsOf(sequence).length;
  return n > maxLength ? `>${maxLength}` : String(n);
}

/** Length classes for a sequence target of the given maximum length: 0..N and '>N'. */
export function lengthClassesFor(maxLength: number): string[] {
  return [...Array.from({ length: maxLength + 1 }, (_, i) => String(i)), `>${maxLength}`];
}

/** Returns why `value` is not a valid sequence over `alphabet`, or null when it is. */
export function sequenceProblem(value: string, alphabet: string): string | null {
  if (charsOf(value).length > MAX_SEQUENCE_CHARS) return `longer than ${MAX_SEQUENCE_CHARS} characters`;
  const outside = charsOutside(value, alphabet);
  if (outside.length === 1) return `character '${outside}' is not in the alphabet '${alphabet}'`;
  if (outside.length > 1)
    return `characters ${charsOf(outside)
      .map((c) => `'${c}'`)
      .join(', ')} are not in the alphabet '${alphabet}'`;
  return null;
}

/** The distinct characters of `value` that `alphabet` lacks, in order of first appearance. */
export function charsOutside(value: string, alphabet: string): string {
  const known = new Set(charsOf(alphabet));
  return [...new Set(charsOf(value).filter((c) => !known.has(c)))].join('');
}

/** Returns why `alphabet` cannot be a sequence target's alphabet, or null when it can. */
export function alphabetProblem(alphabet: string): string | null {
  const chars = charsOf(alphabet);
  if (chars.length === 0) return 'is empty';
  if (chars.length > MAX_ALPHABET_CHARS) return `has more than ${MAX_ALPHABET_CHARS} characters`;
  const control = chars.find((c) => /\p{Cc}/u.test(c));
  if (control) return `contains the control character U+${control.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const seen = new Set<string>();
  for (const c of chars) {
    if (seen.has(c)) return `has '${c}' twice`;
    seen.add(c);
  }
  return null;
}

/**
 * Whether the labeler edits a sequence target in a text field. Digits are typed key by key
 * (their keys never collide with the labeler's); any other alphabet may contain letters,
 * '-', space or punctuation that are labeler keys elsewhere, or need an input method (IME),
 * so a text field takes every key while it has focus.
 */
export function editsAsText(target: Pick<TargetDef, 'kind' | 'alphabet'>): boolean {
  return target.kind === 'sequence' && /[^0-9]/u.test(target.alphabet ?? '');
}

/** Letters the labeler keeps for itself: A accepts suggestions, G starts go-to chords, Q opens the queue picker. */
export const RESERVED_KEYS = ['a', 'g', 'q'] as const;

/** Default hotkeys for a categorical target's classes: 1..9 then 0, then the letters not reserved. */
export function defaultHotkey(position: number): string | null {
  const keys = '1234567890wertyuiopsdfhjklzxcvbnm';
  return keys[position] ?? null;
}

/** Whether a key may select a class: one lowercase letter or digit the labeler does not keep for itself. */
export function isClassKey(key: string): boolean {
  return /^[a-z0-9]$/u.test(key) && !(RESERVED_KEYS as readonly string[]).includes(key);
}

/** The key a class's own name gives it: a one-letter or one-digit name, of either case, that is a class key ('B' → b); else null. */
export function nameKey(name: string): string | null {
  const key = name.toLowerCase();
  return /^[A-Za-z0-9]$/u.test(name) && isClassKey(key) ? key : null;
}

/**
 * Keys for new classes of a target whose classes already use `used`. A class named by a single
 * free class key (either case) gets that key, so that whoever labels digits or letters presses
 * the one they see (class '9' is 9, not 0; class 'B' is b); the others get the first free
 * default keys in order, null when none is left.
 */
export function newClassHotkeys(names: readonly string[], used: Iterable<string | null>): (string | null)[] {
  const taken = new Set(used);
  const keys: (string | null)[] = names.map((name) => {
    const key = nameKey(name);
    if (key === null || taken.has(key)) return null;
    taken.add(key);
    return key;
  });
  let position = 0;
  return keys.map((key) => {
    if (key !== null) return key;
    for (let next = defaultHotkey(position); next !== null; next = defaultHotkey(++position)) {
      if (!taken.has(next)) {
        taken.add(next);
        return next;
      }
    }
    return null;
  });
}
