/**
 * The preload façade (sandboxed, contextIsolation on): exposes `window.polyhead`, built from
 * the shared contract. Each method forwards to one IPC channel; main validates the sender
 * and the payload. Nothing else of Node or Electron reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, IPC_PICK_PATHS, type PolyheadBridge } from '../../shared/api/bridge.js';
import type { ApiResult, EventMessage } from '../../shared/api/contract.js';
import { serviceMethods } from '../../shared/api/methods.js';

const call = Object.fromEntries(
  Object.entries(serviceMethods).map(([service, methods]) => [
    service,
    Object.fromEntries(
      methods.map((method) => [method, (req: unknown) => ipcRenderer.invoke(IPC_INVOKE, `${service}.${method}`, req) as Promise<ApiResult<unknown>>]),
    ),
  ]),
) as PolyheadBridge['call'];

const bridge: PolyheadBridge = {
  call,
  onEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, message: EventMessage) => listener(message);
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.off(IPC_EVENT, wrapped);
  },
  pickPaths: (kind) => ipcRenderer.invoke(IPC_PICK_PATHS, kind === 'files' ? 'files' : 'folder') as Promise<string[]>,
  // File.path is gone from Electron; the preload is the one place that may ask for a dropped file's path.
  pathsForFiles: (files) => files.map((file) => webUtils.getPathForFile(file as File)).filter((p) => p !== ''),
};

contextBridge.exposeInMainWorld('polyhead', bridge);
