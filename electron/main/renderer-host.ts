/**
 * A training host in a hidden, sandboxed renderer (no Node, its own CSP: resources/training/),
 * where Chromium's WebGPU runs on any GPU vendor: Dawn's Node binding is refused in Electron's
 * main and utility processes ("External buffers are not allowed"). The page runs the compute
 * side of the job (electron/engine/page-worker.ts: the worker's own training code); the data
 * side — labels, split, pixel cache, checkpoint files — runs here in the main process, which
 * stays the orchestrator (electron/engine/sides/port-host.ts). The two talk over a
 * MessageChannelMain whose far port the page's preload hands to the page script. Prediction and
 * export stay on the utility process (the page refuses them: they read files as they go).
 */
import path from 'node:path';
import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import type { SpawnHost } from '../engine/host.js';
import { portHost } from '../engine/sides/port-host.js';
import type { SidePort } from '../engine/sides/protocol.js';
// The constant alone: the main process never loads TensorFlow.js (page-worker.ts does).
import { PORT_MESSAGE } from '../engine/page-port.js';
import { appRoot, resourcesDir } from '../platform/paths.js';
import { secureWebPreferences } from './security.js';

const pagePath = path.join(resourcesDir, 'training', 'index.html');
const preloadPath = path.join(appRoot, 'dist', 'preload', 'training-preload.cjs');

/** Chromium switches WebGPU needs on Linux (call before the app is ready). */
export function enableWebGpuSwitches(commandLine: { appendSwitch(name: string, value?: string): void }, platform = process.platform): void {
  if (platform === 'linux') {
    commandLine.appendSwitch('enable-unsafe-webgpu');
    commandLine.appendSwitch('enable-features', 'Vulkan');
  }
}

/** Electron's MessagePortMain as the data side's port: messages are cloned (no transfer list for buffers). */
function mainPort(port: MessagePortMain): SidePort {
  return {
    post: (message) => port.postMessage(message),
    listen: (listener) => void port.on('message', (e) => listener(e.data)),
    close: () => port.close(),
  };
}

export const rendererHost: SpawnHost = (job) => {
  // Not throttled while hidden: the page trains in the background.
  const win = new BrowserWindow({ show: false, webPreferences: { ...secureWebPreferences(preloadPath), backgroundThrottling: false } });
  const { port1, port2 } = new MessageChannelMain();
  const port = mainPort(port1);
  const host = portHost(job, port, () => {
    if (!win.isDestroyed()) win.destroy();
  });
  port1.start();
  // The page listens once its script has run: the port goes then; the job's first message waits in the port.
  win.webContents.once('did-finish-load', () => win.webContents.postMessage(PORT_MESSAGE, null, [port2]));
  win.webContents.on('render-process-gone', (_e, details) => host.ended(`the training renderer is gone (${details.reason})`));
  win.once('closed', () => host.ended('the training renderer was closed'));
  void win.loadFile(pagePath).catch((error: unknown) => host.ended(`the training renderer did not load: ${(error as Error).message}`));
  return host;
};
