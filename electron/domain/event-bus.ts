import { EventEmitter } from 'node:events';
import type { EventMessage, EventName, PolyheadEvents } from '../../shared/api/contract.js';

/** Typed events from services to whoever serves the API (IPC, WebSocket, CLI). */
export class EventBus {
  private readonly emitter = new EventEmitter();

  emit<E extends EventName>(event: E, payload: PolyheadEvents[E]): void {
    this.emitter.emit('message', { event, payload } as EventMessage);
  }

  subscribe(listener: (message: EventMessage) => void): () => void {
    this.emitter.on('message', listener);
    return () => this.emitter.off('message', listener);
  }
}
