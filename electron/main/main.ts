/**
 * The Electron shell: one window over the plain-Node runtime. The renderer is served by
 * the privileged `polyhead://app/` protocol (same asset and media code as server mode),
 * calls the API through the preload bridge, and may not navigate away or open windows.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { IPC_EVENT, IPC_INVOKE, IPC_PICK_PATHS } from '../../shared/api/bridge.js';
import { defaultProjectDir } from '../app/default-project.js';
import { appRoot, rendererDir, sampleDir } from '../platform/paths.js';
import { importSampleOnce, openRuntime, type Runtime } from '../app/runtime.js';
import { serveAsset } from '../server/assets.js';
import { pickDialogOptions } from './pick-dialog.js';
import { watchOtherWriters } from '../services/index.js';
import { APP_ENTRY, APP_SCHEME, createIpcInvokeHandler, isAppUrl, secureWebPreferences } from './security.js';
import { enableWebGpuSwitches } from './renderer-host.js';
import { desktopHost, probeTrainingRenderer } from './training-host.js';

// Chromium's WebGPU for the training renderer (before the app is ready).
enableWebGpuSwitches(app.commandLine);
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);

const preloadPath = path.join(appRoot, 'dist', 'preload', 'preload.cjs');
let runtime: Runtime | null = null;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Polyhead',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY);
  return win;
}

function hardenContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser, never in the app.
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  const dataDir = defaultProjectDir(app.getPath('userData'));
  runtime = openRuntime(dataDir, { trainingHost: desktopHost });
  // In the background: until it answers, training runs in the utility process.
  void probeTrainingRenderer().catch(() => null);
  try {
    await importSampleOnce(runtime.project, sampleDir);
  } catch (error) {
    dialog.showErrorBox('Polyhead', `The bundled sample could not be imported: ${(error as Error).message}`);
  }
  const rt = runtime;

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    const asset = await serveAsset(rt.project, rendererDir, url.pathname);
    return new Response(typeof asset.body === 'string' ? asset.body : new Uint8Array(asset.body), {
      status: asset.status,
      headers: asset.headers,
    });
  });

  const invoke = createIpcInvokeHandler(rt.dispatch);
  ipcMain.handle(IPC_INVOKE, (event, method: unknown, payload: unknown) => invoke(event.senderFrame?.url, method, payload));
  ipcMain.handle(IPC_PICK_PATHS, async (event, kind: unknown) => {
    if (!isAppUrl(event.senderFrame?.url)) return [];
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = pickDialogOptions(kind);
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? [] : result.filePaths;
  });
  rt.events.subscribe((message) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(IPC_EVENT, message);
  });
  // `polyhead import` (or a server) writing to this project meanwhile: the window hears of it.
  watchOtherWriters(rt.project.store, rt.events);

  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  hardenContents();
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.whenReady().then(start, (error: unknown) => {
    dialog.showErrorBox('Polyhead could not start', String(error));
    app.exit(1);
  });
  app.on('activate', () => {
    if (runtime && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => runtime?.close());
}
