/**
 * A training host in a hidden, sandboxed renderer (no Node, its own CSP: resources/training/),
 * where Chromium's WebGPU runs on any GPU vendor: Dawn's Node binding is refused in Electron's
 * main and utility processes ("External buffers are not allowed"). The main process stays the
 * orchestrator and speaks the same typed messages as every other host over a MessagePort,
 * which the page's preload hands to the page script (electron/engine/page-worker.ts).
 *
 * What runs there today: the backend probe (the adapter named). Training, prediction and export
 * read the project's database and images, which the sandboxed page cannot open: the page
 * refuses them with that reason, and main.ts keeps them on the utility process host.
 */
import path from 'node:path';
import { BrowserWindow, MessageChannelMain } from 'electron';
import type { SpawnHost } from '../engine/host.js';
import type { FromWorker, ToWorker } from '../engine/protocol.js';
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

export const rendererHost: SpawnHost = (job) => {
  const win = new BrowserWindow({ show: false, webPreferences: secureWebPreferences(preloadPath) });
  const { port1, port2 } = new MessageChannelMain();
  const listeners: ((m: FromWorker) => void)[] = [];
  const exits: ((why: string) => void)[] = [];
  let ended = false;
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    port1.close();
    for (const l of exits) l(why);
  };
  port1.on('message', (e) => {
    for (const l of listeners) l(e.data as FromWorker);
  });
  port1.start();
  win.webContents.once('did-finish-load', () => {
    win.webContents.postMessage(PORT_MESSAGE, null, [port2]);
    port1.postMessage({ type: 'start', job } satisfies ToWorker);
  });
  win.webContents.on('render-process-gone', (_e, details) => end(`the training renderer is gone (${details.reason})`));
  win.once('closed', () => end('the training renderer was closed'));
  void win.loadFile(pagePath).catch((error: unknown) => end(`the training renderer did not load: ${(error as Error).message}`));
  return {
    postMessage: (m) => port1.postMessage(m),
    onMessage: (l) => void listeners.push(l),
    onExit: (l) => void exits.push(l),
    terminate: async () => {
      if (!win.isDestroyed()) win.destroy();
      end('the training renderer was terminated');
    },
  };
};
