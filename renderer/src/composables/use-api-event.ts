import { getCurrentScope, onScopeDispose } from 'vue';
import type { EventName, PolyheadEvents } from '../../../shared/api/contract.js';
import { onEvent } from '../api';

/**
 * Subscribes to one kind of service event for as long as the calling component lives: the
 * subscription ends when it unmounts (its effect scope is disposed), so visiting a view
 * again does not pile up listeners. Called outside a component or effect scope, it stays
 * subscribed until the returned function is called.
 */
export function useApiEvent<E extends EventName>(event: E, handler: (payload: PolyheadEvents[E]) => void): () => void {
  const unsubscribe = onEvent(event, handler);
  let subscribed = true;
  const stop = () => {
    if (!subscribed) return;
    subscribed = false;
    unsubscribe();
  };
  if (getCurrentScope()) onScopeDispose(stop);
  return stop;
}
