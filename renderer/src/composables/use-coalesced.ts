/**
 * Runs `fn` once, `delayMs` after the first of a burst of calls (a fast typist's change
 * events): the returned function schedules, and calls made meanwhile join that run.
 */
export function coalesced(fn: () => void, delayMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, delayMs);
  };
}
