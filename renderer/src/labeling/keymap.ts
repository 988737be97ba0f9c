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
}

export type LabelAction =
  | { type: 'saveNext' }
  | { type: 'skip' }
  | { type: 'previous' }
  | { type: 'focusTarget'; delta: 1 | -1 }
  | { type: 'typeChar'; char: string }
  | { type: 'backspace' }
  | { type: 'setClass'; value: string }
  | { type: 'unknown' }
  | { type: 'clear' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'help' }
  | { type: 'escape' };

/** Keys that mean "unknown" on any target, and "not looked at". */
export const UNKNOWN_KEY = '-';
export const CLEAR_KEY = 'Delete';

/** The key that selects a class of a length target: its name ("0".."5"), or ">" / "6".."9" for the overflow class. */
export function lengthClassForKey(target: TargetDef, key: string): string | null {
  if (target.classes.some((c) => c.name === key)) return key;
  const overflow = target.classes.find((c) => c.name.startsWith('>'));
  if (overflow && (key === '>' || key === '+' || (/^[0-9]$/.test(key) && Number(key) > Number(overflow.name.slice(1))))) {
    return overflow.name;
  }
  return null;
}

export function actionFor(press: KeyPress, target: TargetDef | null): LabelAction | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key;
  if (mod && !press.altKey) {
    if (key.toLowerCase() === 'z') return press.shiftKey ? { type: 'redo' } : { type: 'undo' };
    if (key.toLowerCase() === 'y') return { type: 'redo' };
    return null;
  }
  if (press.altKey) return null;
  switch (key) {
    case 'Enter':
      return { type: 'saveNext' };
    case 'ArrowRight':
    case 'PageDown':
      return { type: 'skip' };
    case 'ArrowLeft':
    case 'PageUp':
      return { type: 'previous' };
    case 'Tab':
      return { type: 'focusTarget', delta: press.shiftKey ? -1 : 1 };
    case 'ArrowDown':
      return { type: 'focusTarget', delta: 1 };
    case 'ArrowUp':
      return { type: 'focusTarget', delta: -1 };
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
  if (target.kind === 'sequence') {
    if (key === 'Backspace') return { type: 'backspace' };
    if (key.length === 1 && (target.alphabet ?? '').includes(key)) return { type: 'typeChar', char: key };
    return null;
  }
  if (target.kind === 'length') {
    const value = lengthClassForKey(target, key);
    return value ? { type: 'setClass', value } : null;
  }
  const cls = target.classes.find((c) => c.hotkey !== null && c.hotkey === key.toLowerCase());
  return cls ? { type: 'setClass', value: cls.name } : null;
}

/** The help overlay's rows, from the same bindings. */
export const KEY_HELP: [keys: string, what: string][] = [
  ['0–9', 'type the digits (digits field)'],
  ['Backspace', 'delete the last digit'],
  ['0–5, 6 or >', 'set the length on its own (length field)'],
  ['class key', 'set a class (shown next to each class)'],
  [UNKNOWN_KEY, 'mark the active target unknown (unreadable)'],
  ['Del', 'clear the active target (not looked at)'],
  ['Tab / ↓, Shift+Tab / ↑', 'next / previous target'],
  ['Enter', 'save and next image'],
  ['→', 'skip to the next image'],
  ['←', 'previous image'],
  ['Ctrl+Z, Ctrl+Shift+Z', 'undo, redo (across images)'],
  ['?', 'this help'],
];
