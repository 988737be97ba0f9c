/**
 * A message that goes away by itself (after `ms`, longer when it offers an action such as
 * Undo), and stays while the pointer or the keyboard focus is on it.
 */
import { onBeforeUnmount, ref } from 'vue';

export const TOAST_MS = 5000;
/** A toast with an action (Undo) stays longer, so that there is time to reach it. */
export const ACTION_TOAST_MS = 12_000;

export interface ToastAction {
  label: string;
  run: () => void;
}

export function useToast(defaultMs = TOAST_MS) {
  const message = ref<string | null>(null);
  const action = ref<ToastAction | null>(null);
  const tone = ref<'info' | 'error'>('info');
  let timer: ReturnType<typeof setTimeout> | null = null;
  let remaining = 0;
  let startedAt = 0;

  function stopTimer(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function startTimer(ms: number): void {
    stopTimer();
    remaining = ms;
    startedAt = Date.now();
    timer = setTimeout(clear, ms);
  }

  function show(text: string, options: { action?: ToastAction; ms?: number; tone?: 'info' | 'error' } = {}): void {
    message.value = text;
    action.value = options.action ?? null;
    tone.value = options.tone ?? 'info';
    startTimer(options.ms ?? (options.action ? ACTION_TOAST_MS : defaultMs));
  }

  function clear(): void {
    stopTimer();
    message.value = null;
    action.value = null;
  }

  /** Holds the toast while it is pointed at or focused. */
  function pause(): void {
    if (!timer) return;
    stopTimer();
    remaining = Math.max(0, remaining - (Date.now() - startedAt));
  }

  function resume(): void {
    if (message.value && !timer) startTimer(Math.max(remaining, 1500));
  }

  onBeforeUnmount(stopTimer);
  return { message, action, tone, show, clear, pause, resume };
}

export type Toast = ReturnType<typeof useToast>;
