import type { EventBus } from '../domain/event-bus.js';
import type { Store } from '../store/store.js';

/**
 * Tells the clients of a long-running process (the server, the desktop app) about changes
 * other processes commit to the same project — `polyhead import` adding images and classes,
 * another app — by polling SQLite's `data_version`. The store's own caches do not wait for
 * this: they check `data_version` on every read. The events say "anything may have changed"
 * (no image ids, target 0), and go out at most once per `intervalMs`.
 */
export function watchOtherWriters(store: Store, events: EventBus, intervalMs = 2000): () => void {
  let last = store.dataVersion();
  const timer = setInterval(() => {
    if (!store.db.open) return;
    const now = store.dataVersion();
    if (now === last) return;
    last = now;
    events.emit('targets.changed', { targetId: 0 });
    events.emit('annotations.changed', { imageIds: [] });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
