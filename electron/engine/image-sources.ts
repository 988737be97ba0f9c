/**
 * Where a run's images came from, columnar (issue 15): per image id, its source folder (the
 * folder of its original path, or its import for an image without one) and its import, as
 * codes in Int32Arrays — one pass over the store's rows, no object per image kept. The
 * grouped split and the split's description ("folders on both sides") read it.
 */
import path from 'node:path';
import { uploadedName } from '../../shared/uploads.js';
import type { ImageSource } from '../store/images-repo.js';

/**
 * An image's source folder: its original path's folder; for an uploaded file, its folder in
 * the upload of that import (two uploads of a folder named alike are two sources, as two
 * folders on disk would be); for an image without a path, its import.
 */
function sourceFolder(r: ImageSource): string {
  const uploaded = uploadedName(r.originalPath);
  if (uploaded !== null) return `${path.posix.dirname(uploaded)} (upload, import ${r.importBatchId ?? '?'})`;
  return r.originalPath ? path.dirname(r.originalPath) : `import ${r.importBatchId ?? '?'}`;
}

export class SourceTable {
  private folderCodes = new Int32Array(0).fill(-1);
  private imports = new Int32Array(0);
  private readonly folderNames: string[] = [];
  private readonly interned = new Map<string, number>();

  /** From the store's rows (images.sources()) or any list of them (tests). */
  static of(rows: Iterable<ImageSource>): SourceTable {
    const table = new SourceTable();
    for (const r of rows) table.add(r);
    return table;
  }

  private add(r: ImageSource): void {
    if (r.id >= this.folderCodes.length) {
      const size = Math.max(r.id + 1, this.folderCodes.length * 2, 1024);
      const folders = new Int32Array(size).fill(-1);
      folders.set(this.folderCodes);
      const imports = new Int32Array(size).fill(-1);
      imports.set(this.imports);
      this.folderCodes = folders;
      this.imports = imports;
    }
    const folder = sourceFolder(r);
    let code = this.interned.get(folder);
    if (code === undefined) {
      code = this.folderNames.length;
      this.folderNames.push(folder);
      this.interned.set(folder, code);
    }
    this.folderCodes[r.id] = code;
    this.imports[r.id] = r.importBatchId ?? -1;
  }

  /** An image's folder as a number (-1: unknown image), the same for every image of that folder. */
  folderCode(imageId: number): number {
    return imageId < this.folderCodes.length ? this.folderCodes[imageId]! : -1;
  }

  /** An image's source folder (its import's name for an image without an original path). */
  folder(imageId: number): string {
    const code = this.folderCode(imageId);
    return code >= 0 ? this.folderNames[code]! : 'import ?';
  }

  /** An image's import batch, or null. */
  importOf(imageId: number): number | null {
    const id = imageId < this.imports.length ? this.imports[imageId]! : -1;
    return id >= 0 ? id : null;
  }
}
