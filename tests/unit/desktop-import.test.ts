import { describe, expect, it, vi } from 'vitest';
import { IPC_PICK_PATHS, type PolyheadBridge } from '../../shared/api/bridge.js';
import { pickDialogOptions } from '../../electron/main/pick-dialog.js';

// The Electron binary is not installed here: the preload runs against a stand-in of the three
// Electron modules it uses, which records what the page's calls reach.
const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (..._args: unknown[]) => ['/home/me/crops']);
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, value: unknown) => (exposed[name] = value) },
  ipcRenderer: { invoke, on: vi.fn(), off: vi.fn() },
  webUtils: { getPathForFile: (file: { name: string; onDisk: boolean }) => (file.onDisk ? `/home/me/${file.name}` : '') },
}));

async function bridge(): Promise<PolyheadBridge> {
  await import('../../electron/preload/preload.js');
  return exposed.polyhead as PolyheadBridge;
}

describe('bringing files in on the desktop', () => {
  it('the preload asks main for a folder or files picker over one IPC channel, and nothing else', async () => {
    const polyhead = await bridge();
    expect(await polyhead.pickPaths('folder')).toEqual(['/home/me/crops']);
    expect(invoke).toHaveBeenLastCalledWith(IPC_PICK_PATHS, 'folder');
    await polyhead.pickPaths('files');
    expect(invoke).toHaveBeenLastCalledWith(IPC_PICK_PATHS, 'files');
    await polyhead.pickPaths();
    expect(invoke).toHaveBeenLastCalledWith(IPC_PICK_PATHS, 'folder');
  });

  it('dropped files become their paths on disk; a file not on disk is left out', async () => {
    const polyhead = await bridge();
    const dropped = [
      { name: 'a.png', onDisk: true },
      { name: 'from-a-browser.png', onDisk: false },
      { name: 'labels', onDisk: true },
    ];
    expect(polyhead.pathsForFiles(dropped)).toEqual(['/home/me/a.png', '/home/me/labels']);
    expect(polyhead.pathsForFiles([])).toEqual([]);
  });

  it('main shows a folder picker or a files picker, whatever else the page sends', () => {
    expect(pickDialogOptions('folder').properties).toEqual(['openDirectory', 'multiSelections']);
    const files = pickDialogOptions('files');
    expect(files.properties).toEqual(['openFile', 'multiSelections']);
    expect(files.filters?.[0]?.extensions).toEqual(expect.arrayContaining(['png', 'csv', 'jsonl', 'gz']));
    expect(files.filters?.at(-1)).toEqual({ name: 'All files', extensions: ['*'] });
    for (const odd of [undefined, 'openDirectory', { properties: ['createDirectory'] }, 42]) {
      expect(pickDialogOptions(odd).properties).toEqual(['openDirectory', 'multiSelections']);
    }
  });
});
