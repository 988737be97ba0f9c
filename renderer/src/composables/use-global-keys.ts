/**
 * Keys that work from anywhere in the app: `g` chords go to a view (g d, g l, g t, g r, g e),
 * `q` opens the labeling queue picker in the Label view, `?` lists all keys. Registered once
 * in App.vue. A view's own handler always wins: a key it took (preventDefault) is not seen
 * here, nor is anything typed into a text field or pressed while a dialog is open.
 */
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';
import { isNavigationFailure, NavigationFailureType, type Router } from 'vue-router';
import type { KeyPress } from '../labeling/keymap';

export interface NavKey {
  keys: string;
  what: string;
  path: string;
}

/** `g` then a letter; the views in the sidebar's order. */
export const NAV_KEYS: readonly NavKey[] = [
  { keys: 'g d', what: 'go to Dataset', path: '/dataset' },
  { keys: 'g l', what: 'go to Label', path: '/label' },
  { keys: 'g t', what: 'go to Targets', path: '/targets' },
  { keys: 'g r', what: 'go to Train', path: '/train' },
  { keys: 'g e', what: 'go to Evaluate', path: '/evaluate' },
];

/** Other app-wide keys, for the help overlay. */
export const APP_KEYS: readonly [keys: string, what: string][] = [
  ['q', 'open the queue picker (Label view)'],
  ['?', 'all keys (this list)'],
  ['Esc', 'close a dialog or this list'],
];

/** The keys that can start an action here (a chord, the picker, the help). */
const STARTERS = new Set(['g', 'G', 'q', 'Q', '?']);

/** How long after `g` the second key may come. */
export const CHORD_TIMEOUT_MS = 1500;

export type GlobalAction = { type: 'go'; path: string } | { type: 'queuePicker' } | { type: 'help' };

/** The chord state: when `g` was pressed (null: no chord started). */
export interface ChordState {
  gAt: number | null;
}

/** One key press through the chord machine: the action it completes (if any) and the next state. */
export function globalKeyStep(state: ChordState, press: KeyPress, now: number): { action: GlobalAction | null; state: ChordState } {
  if (press.ctrlKey || press.metaKey || press.altKey) return { action: null, state: { gAt: null } };
  const key = press.key;
  if (['Shift', 'Control', 'Alt', 'Meta', 'CapsLock'].includes(key)) return { action: null, state };
  if (state.gAt !== null && now - state.gAt <= CHORD_TIMEOUT_MS) {
    const nav = NAV_KEYS.find((n) => n.keys === `g ${key.toLowerCase()}`);
    return { action: nav ? { type: 'go', path: nav.path } : null, state: { gAt: null } };
  }
  if (key === 'g' || key === 'G') return { action: null, state: { gAt: now } };
  if (key === 'q' || key === 'Q') return { action: { type: 'queuePicker' }, state: { gAt: null } };
  if (key === '?') return { action: { type: 'help' }, state: { gAt: null } };
  return { action: null, state: { gAt: null } };
}

/** Focus is in something that takes typing: keys belong to it. */
export function isTextEntry(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el?.closest?.('input, select, textarea, [contenteditable="true"], [contenteditable=""]');
}

/** A modal dialog is open: keys belong to it. */
export function modalOpen(): boolean {
  return document.querySelector('[aria-modal="true"]') !== null;
}

/**
 * Runs `fn` once every other handler of this key press has run, unless one of them took the
 * key (preventDefault). Views register their handlers in any order; this makes theirs win.
 */
export function afterOtherHandlers(event: Event, fn: () => void): void {
  setTimeout(() => {
    if (!event.defaultPrevented) fn();
  }, 0);
}

/** The event the Label view's queue picker answers (preventDefault: it opened itself). */
export const OPEN_QUEUE_PICKER_EVENT = 'polyhead:open-queue-picker';

/** Opens the queue picker: its own handler if it has one, else focus its select and show its options. */
export function openQueuePicker(): boolean {
  const event = new CustomEvent(OPEN_QUEUE_PICKER_EVENT, { cancelable: true });
  if (!window.dispatchEvent(event)) return true;
  const select = document.querySelector<HTMLSelectElement>('[data-queue-picker] select, .queue-picker select');
  if (!select) return false;
  select.focus();
  try {
    select.showPicker?.();
  } catch {
    // Not allowed here (no user activation, or unsupported): focused, the arrows and Alt+↓ open it.
  }
  return true;
}

/** Goes to a view; once more if a view's own URL update (a replace) cancelled the navigation in flight. */
async function go(router: Router, path: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const failure = await router.push(path);
    if (!isNavigationFailure(failure, NavigationFailureType.cancelled)) return;
  }
}

/** Registers the app-wide keys; `helpOpen` is the app-level `?` overlay (views with their own open theirs). */
export function useGlobalKeys(router: Router): { helpOpen: Ref<boolean> } {
  const helpOpen = ref(false);
  let state: ChordState = { gAt: null };
  /** Starter keys pressed whose timer has not run yet. */
  let startersPending = 0;

  function onKey(event: KeyboardEvent): void {
    if (event.repeat || isTextEntry(event.target)) return;
    if (helpOpen.value) {
      if (event.key === 'Escape' || event.key === '?') {
        helpOpen.value = false;
        event.preventDefault();
      }
      return;
    }
    // Most keys (the labeler's Enter, digits, …) are none of ours: no work for them, not even a timer.
    // A `g` whose timer has not run yet still counts: on a busy page the second key of a chord
    // can arrive before it (the chord was lost that way under load).
    if (state.gAt === null && startersPending === 0 && !STARTERS.has(event.key)) return;
    if (STARTERS.has(event.key)) startersPending++;
    const starter = STARTERS.has(event.key);
    const press: KeyPress = { key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, shiftKey: event.shiftKey };
    const at = performance.now();
    setTimeout(() => {
      if (starter) startersPending--;
      // A key a view took, or one pressed in a dialog, ends any chord.
      if (event.defaultPrevented || modalOpen()) {
        state = { gAt: null };
        return;
      }
      const step = globalKeyStep(state, press, at);
      state = step.state;
      const action = step.action;
      if (!action) return;
      if (action.type === 'go') void go(router, action.path);
      else if (action.type === 'queuePicker') {
        if (router.currentRoute.value.name === 'label') openQueuePicker();
      } else helpOpen.value = true;
    }, 0);
  }

  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
  return { helpOpen };
}
