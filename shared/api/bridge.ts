import type { ApiResult, EventMessage, ServiceName } from './contract.js';

/** What Electron's preload exposes as `window.polyhead` (contextBridge). */
export interface PolyheadBridge {
  /** The contract's façade: bridge.call.images.list(req) → ApiResult. */
  call: { [S in ServiceName]: Record<string, (req: unknown) => Promise<ApiResult<unknown>>> };
  /** Subscribes to service events; returns an unsubscribe function. */
  onEvent(listener: (message: EventMessage) => void): () => void;
  /** Native picker (desktop only): folders, or files; the chosen absolute paths ([] when cancelled). */
  pickPaths(kind?: PickKind): Promise<string[]>;
  /**
   * The absolute paths of files dropped on the window (Electron's webUtils.getPathForFile);
   * a file that is not on disk (dragged out of another app's memory) is left out.
   */
  pathsForFiles(files: readonly unknown[]): string[];
}

export type PickKind = 'folder' | 'files';

export const IPC_INVOKE = 'polyhead:invoke';
export const IPC_EVENT = 'polyhead:event';
export const IPC_PICK_PATHS = 'polyhead:pick-paths';
