/**
 * The training renderer's preload (sandboxed, contextIsolation on): hands the MessagePort from
 * the main process to the page (electron/engine/page-worker.ts). Nothing else reaches the page.
 */
import { ipcRenderer } from 'electron';

// electron/engine/page-port.ts's value (a preload imports only shared/ and electron).
const PORT_MESSAGE = 'polyhead-training-port';

ipcRenderer.on(PORT_MESSAGE, (event) => {
  (globalThis as unknown as { postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void }).postMessage(PORT_MESSAGE, '*', event.ports);
});
