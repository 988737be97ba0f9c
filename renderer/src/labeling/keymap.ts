/**
 * The labeler's keyboard: a pure function from a key press (and the active target) to an
 * action, so the whole map is unit-tested without a browser.
 */
import type { TargetDef } from '../../../shared/targets.js';

export interface KeyPress {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
  /** The physical key ("Digit3", "KeyF"): Alt+key gives other characters on some layouts. */
  code?: string;
}

export type LabelAction =
  | { type: 'saveNext' }
  | { type: 'skip' }
  | { type: 'previous' }
  | { type: 'focusTarget'; delta: 1 | -1 }
  | { type: 'typeChar'; char: string }
  /** The whole value of a text field (a transcript): what the field shows now; '' clears it. */
  /** A text field's whole value; `targetId` (the field's own target) when it may not be the active one. */
  | { type: 'setText'; value: string; targetId?: number }
  | { type: 'backspace' }
  | { type: 'setClass'; value: string }
  | { type: 'unknown' }
  | { type: 'clear' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'help' }
  | { type: 'escape' }
  /** Accept the model's suggestion of the active target (A), or every suggestion shown at or above the floor (Shift+A). */
  | { type: 'accept' }
  | { type: 'acceptAll' }
  /** Make the target at this index the active one (Alt+1..9, Alt+its key). */
  | { type: 'jumpTarget'; index: number }
  /** A key that does nothing here, and why (a class key of another target while a field is active). */
  | { type: 'hint'; text: string };

/** Keys that mean "unknown" on any target, and "not looked at". */
export const UNKNOWN_KEY = '-';
export const CLEAR_KEY = 'Delete';
/** Accepts the active target's suggestion; with Shift, every suggestion shown on the image. */
export const ACCEPT_KEY = 'a';

/** The character of a key pressed with Alt, from its physical key where it has one. */
function altChar(press: KeyPress): string {
  const m = /^(?:Digit|Numpad)(\d)$|^Key([A-Z])$/.exec(press.code ?? '');
  if (m) return (m[1] ?? m[2]!).toLowerCase();
  return press.key.toLowerCase();
}

/** Alt+1..9: the Nth target; Alt+letter: the target with that jump key. */
function jumpFor(press: KeyPress, targets: TargetDef[]): LabelAction | null {
  const ch = altChar(press);
  if (/^[1-9]$/.test(ch)) {
    const index = Number(ch) - 1;
    return index < targets.length ? { type: 'jumpTarget', index } : null;
  }
  const index = targets.findIndex((t) => t.hotkey !== null && t.hotkey === ch);
  return index >= 0 ? { type: 'jumpTarget', index } : null;
}

/**
 * A key that sets a class of another target while `active` is the active one: it does
 * nothing (keys go where the user looks), and the hint says how to get there. Null when
 * the key belongs to no other target.
 */
function elsewhereHint(key: string, active: TargetDef, targets: TargetDef[]): LabelAction | null {
  if (key.length !== 1) return null;
  const k = key.toLowerCase();
  const owners = targets.filter((t) => t.id !== active.id && t.kind === 'categorical' && t.classes.some((c) => c.hotkey === k));
  if (owners.length === 0) return null;
  const jumps = owners.map((t) => `${t.name} (Alt+${targets.indexOf(t) + 1})`).join(' or ');
  return { type: 'hint', text: `'${key}' does nothing in ${active.name}: it is a class key of ${jumps}; go there first` };
}

/** The key that selects a class of a length target: its name ("0".."5"), or ">" / "6".."9" for the overflow class. */
export function lengthClassForKey(target: TargetDef, key: string): string | null {
  if (target.classes.some((c) => c.name === key)) return key;
  const overflow = target.classes.find((c) => c.name.startsWith('>'));
  if (overflow && (key === '>' || key === '+' || (/^[0-9]$/.test(key) && Number(key) > Number(overflow.name.slice(1))))) {
    return overflow.name;
  }
  return null;
}

/**
 * The action of a key press on the active `target`, given every target in order. Keys go
 * where the user looks: a field's characters and a target's class keys act only on the
 * active target; a class key of another target is refused with a hint, never routed.
 */
export function actionFor(press: KeyPress, target: TargetDef | null, targets: TargetDef[] = []): LabelAction | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key;
  if (mod && !press.altKey) {
    if (key.toLowerCase() === 'z') return press.shiftKey ? { type: 'redo' } : { type: 'undo' };
    if (key.toLowerCase() === 'y') return { type: 'redo' };
    return null;
  }
  if (press.altKey) return mod ? null : jumpFor(press, targets);
  const move = moveAction(key, press.shiftKey);
  if (move) return move;
  switch (key) {
    case 'ArrowRight':
      return { type: 'skip' };
    case 'ArrowLeft':
      return { type: 'previous' };
    case '?':
      return { type: 'help' };
    case 'Escape':
      return { type: 'escape' };
    case UNKNOWN_KEY:
      return target ? { type: 'unknown' } : null;
    case CLEAR_KEY:
      return target ? { type: 'clear' } : null;
  }
  if (!target) return null;
  // A field's own characters first: a sequence whose alphabet has letters types them.
  if (target.kind === 'sequence') {
    if (key === 'Backspace') return { type: 'backspace' };
    if (key.length === 1 && (target.alphabet ?? '').includes(key)) return { type: 'typeChar', char: key };
  }
  if (key === ACCEPT_KEY) return { type: 'accept' };
  if (key === ACCEPT_KEY.toUpperCase()) return { type: 'acceptAll' };
  if (target.kind === 'length') {
    const value = lengthClassForKey(target, key);
    if (value) return { type: 'setClass', value };
  } else if (target.kind === 'categorical') {
    const cls = target.classes.find((c) => c.hotkey !== null && c.hotkey === key.toLowerCase());
    if (cls) return { type: 'setClass', value: cls.name };
  }
  return elsewhereHint(key, target, targets);
}

/** Keys that move on or between targets, the same in the labeler and in a text field. */
function moveAction(key: string, shift = false): LabelAction | null {
  switch (key) {
    case 'Enter':
      return { type: 'saveNext' };
    case 'PageDown':
      return { type: 'skip' };
    case 'PageUp':
      return { type: 'previous' };
    case 'Tab':
      return { type: 'focusTarget', delta: shift ? -1 : 1 };
    case 'ArrowDown':
      return { type: 'focusTarget', delta: 1 };
    case 'ArrowUp':
      return { type: 'focusTarget', delta: -1 };
  }
  return null;
}

/**
 * The labeler's keys inside a text field (a sequence target edited as text): every other key
 * types. Enter moves on, Tab / arrows up and down change target, Alt keys jump as elsewhere,
 * Ctrl+Z / Ctrl+Shift+Z undo and redo the labeler's history (not the field's own), Alt+-
 * marks the target unknown and Alt+Delete clears it, Esc leaves an edit. Null: the field's own key.
 */
export function textFieldAction(press: KeyPress & { isComposing?: boolean }, targets: TargetDef[] = []): LabelAction | null {
  if (press.isComposing) return null; // an input method is composing: its Enter is its own
  const mod = press.ctrlKey || press.metaKey;
  if (mod && !press.altKey) {
    const key = press.key.toLowerCase();
    if (key === 'z') return press.shiftKey ? { type: 'redo' } : { type: 'undo' };
    if (key === 'y') return { type: 'redo' };
    return null;
  }
  if (press.altKey && !mod) {
    if (press.code === 'Minus' || press.key === UNKNOWN_KEY) return { type: 'unknown' };
    if (press.key === CLEAR_KEY || press.key === 'Backspace') return { type: 'clear' };
    return jumpFor(press, targets);
  }
  const move = moveAction(press.key, press.shiftKey);
  if (move) return move;
  switch (press.key) {
    case 'Escape':
      return { type: 'escape' };
  }
  return null;
}

/** The help overlay's rows, from the same bindings. */
export const KEY_HELP: [keys: string, what: string][] = [
  ['0–9', 'type the digits (digits field); the first key in a field, and the first after Ctrl+Z, replaces its value'],
  ['Backspace', 'delete the last digit'],
  ['0–5, 6 or >', 'set the length on its own (length field); then typed digits no longer change it, and digits that contradict it are flagged'],
  [
    'text field',
    'a sequence with letters or other characters (a transcript) is typed in a text field: every key types there; Alt+- unknown, Alt+Del not looked at, Enter next image, Tab / ↑ ↓ other target, PageDown / PageUp skip / previous',
  ],
  ['class key', 'set a class of the active target (shown next to each class); a class key of another target does nothing but say where it belongs'],
  [UNKNOWN_KEY, 'mark the active target unknown (unreadable)'],
  ['Del', 'clear the active target (not looked at)'],
  ['A', "accept the model's suggestion for the active target"],
  ['Shift+A', 'accept every suggestion shown on this image at or above the floor you set (one undo step)'],
  ['Tab / ↓, Shift+Tab / ↑', 'next / previous target'],
  ['Alt+1–9, Alt+target key', 'go to the Nth target, or to the target with that key'],
  ['Enter', 'next image: keeps what you typed or chose, never accepts a suggestion'],
  ['o, Esc', 'when a label was changed elsewhere: overwrite it with yours, or keep theirs'],
  ['→', 'skip to the next image'],
  ['←', 'previous image'],
  ['Ctrl+Z, Ctrl+Shift+Z', 'undo, redo (across images)'],
  ['?', 'this help'],
];
