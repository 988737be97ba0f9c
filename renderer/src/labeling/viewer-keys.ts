/**
 * The crop viewer's keys (zoom, fit, 1:1, pan, contrast, invert), as data so the `?` overlay
 * lists them. None collides with the labeler's keys (keymap.ts): no digits, letters, `-`, `+`,
 * `>`, arrows, Tab, Enter, Del, Backspace, `?`, or Ctrl/Alt chords (Ctrl+-/= zoom the browser).
 * The viewer acts on a key only when the labeler did not take it (a sequence alphabet with `[`
 * would win), and never while focus is in a text field or a dialog is open.
 */
import type { KeyPress } from './keymap';

export type ViewerAction = 'zoomIn' | 'zoomOut' | 'fit' | 'actual' | 'panLeft' | 'panRight' | 'contrast' | 'invert';

export interface ViewerKey {
  /** KeyboardEvent.key values that trigger it (US layout shown first). */
  keys: readonly string[];
  /** How the help overlay writes it. */
  label: string;
  action: ViewerAction;
  what: string;
}

export const VIEWER_KEYS: readonly ViewerKey[] = [
  { keys: [']', '='], label: ']  or  =', action: 'zoomIn', what: 'zoom in (also the mouse wheel)' },
  { keys: ['['], label: '[', action: 'zoomOut', what: 'zoom out' },
  { keys: ['\\'], label: '\\', action: 'fit', what: 'fit the crop (wide text lines keep a readable height)' },
  { keys: ['|'], label: 'Shift+\\', action: 'actual', what: 'actual size (1:1)' },
  { keys: ['{'], label: 'Shift+[', action: 'panLeft', what: 'scroll a zoomed crop left (or drag it)' },
  { keys: ['}'], label: 'Shift+]', action: 'panRight', what: 'scroll a zoomed crop right' },
  { keys: [';'], label: ';', action: 'contrast', what: 'contrast stretch on/off' },
  { keys: ["'"], label: "'", action: 'invert', what: 'invert on/off' },
];

/** The viewer action of a key press, or null. Ctrl/Meta/Alt chords are never the viewer's (AltGr, Ctrl+Alt, is allowed). */
export function viewerActionFor(press: KeyPress): ViewerAction | null {
  const altGr = press.ctrlKey && press.altKey;
  if (!altGr && (press.ctrlKey || press.metaKey || press.altKey)) return null;
  return VIEWER_KEYS.find((k) => k.keys.includes(press.key))?.action ?? null;
}
