/**
 * The native picker's options as a plain function (no Electron import), so the IPC glue is
 * unit-tested in Node. Linux and Windows cannot show one dialog that picks both files and
 * folders, so the page asks for one kind: a folder (the usual import) or files.
 */
import type { OpenDialogOptions } from 'electron';
import type { PickKind } from '../../shared/api/bridge.js';

/** What the importer reads (images, label files, IDX archives); "All files" stays available. */
const IMPORTABLE = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'csv', 'jsonl', 'ndjson', 'txt', 'gz', 'ubyte'];

/** Anything the page sends that is not 'files' picks folders: the page is not trusted to shape the dialog. */
export function pickDialogOptions(kind: unknown): OpenDialogOptions {
  const files: PickKind = 'files';
  if (kind === files) {
    return {
      title: 'Import image and label files',
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'Images and label files', extensions: IMPORTABLE },
        { name: 'All files', extensions: ['*'] },
      ],
    };
  }
  return { title: 'Import folders of images', properties: ['openDirectory', 'multiSelections'] };
}
