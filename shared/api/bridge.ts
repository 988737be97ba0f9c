import type { ApiResult, EventMessage, ServiceName } from './contract.js';

/** What Electron's preload exposes as `window.polyhead` (contextBridge). */
export interface PolyheadBridge {
  /** The contract's façade: bridge.call.images.list(req) → ApiResult. */
  call: { [S in ServiceName]: Record<string, (req: unknown) => Promise<ApiResult<unknown>>> };
  /** Subscribes to service events; returns an unsubscribe function. */
  onEvent(listener: (message: EventMessage) => void): () => void;
  /** Native folder/file picker (desktop only). */
  pickPaths(): Promise<string[]>;
}

export const IPC_INVOKE = 'polyhead:invoke';
export const IPC_EVENT = 'polyhead:event';
export const IPC_PICK_PATHS = 'polyhead:pick-paths';
