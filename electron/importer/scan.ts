import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImportRejection } from '../../shared/imports.js';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff']);
export const LABEL_EXTENSIONS = new Set(['.csv', '.jsonl', '.ndjson']);
const IDX_IMAGES = /idx3-ubyte(\.gz)?$/i;
const IDX_LABELS = /idx1-ubyte(\.gz)?$/i;

export interface ImageFile {
  /** Absolute path. */
  file: string;
  /** Path relative to the folder it was found in (its own name for a file given directly). */
  relative: string;
}

export interface IdxPair {
  images: string;
  labels: string | null;
}

export interface ScanResult {
  images: ImageFile[];
  labelFiles: string[];
  idx: IdxPair[];
  ignored: string[];
  /** Paths given that do not exist, folders that cannot be read, broken or looping links: each by name, the rest goes on. */
  missing: ImportRejection[];
}

const why = (error: unknown) => {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '').split(',')[0]}` : String(error);
};

/**
 * Finds images, label files and IDX files under the given paths (folders recursively).
 * Symbolic links are followed, files and folders alike; a link to a folder already being
 * walked (a loop) or already walked is reported, not followed again. A folder that cannot be
 * read is reported by name and the rest is scanned.
 */
export async function scanPaths(paths: string[]): Promise<ScanResult> {
  const scanner = new Scanner();
  for (const given of paths) await scanner.scanRoot(given);
  return scanner.finish();
}

class Scanner {
  private readonly result: ScanResult = { images: [], labelFiles: [], idx: [], ignored: [], missing: [] };
  private readonly idxImages: string[] = [];
  private readonly idxLabels: string[] = [];
  /** Real paths of the folders walked, and where (relative name) each was first reached. */
  private readonly walked = new Map<string, string>();

  async scanRoot(given: string): Promise<void> {
    const root = path.resolve(given);
    let info;
    try {
      info = await stat(root);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.result.missing.push({ item: given, reason: code === 'ENOENT' ? 'no such file or folder' : `cannot read (${why(error)})` });
      return;
    }
    if (info.isDirectory()) await this.walk(root, root, given);
    else this.classify(root, path.basename(root), info.isFile());
  }

  private classify(file: string, relative: string, regular: boolean): void {
    const base = path.basename(file);
    const ext = path.extname(base).toLowerCase();
    if (base.startsWith('.')) return;
    if (!regular) {
      // A FIFO or device would block or never end when read.
      if (IMAGE_EXTENSIONS.has(ext) || LABEL_EXTENSIONS.has(ext)) this.result.missing.push({ item: relative, reason: 'not a regular file; skipped' });
      else this.result.ignored.push(file);
    } else if (IMAGE_EXTENSIONS.has(ext)) this.result.images.push({ file, relative });
    else if (LABEL_EXTENSIONS.has(ext)) this.result.labelFiles.push(file);
    else if (IDX_IMAGES.test(base)) this.idxImages.push(file);
    else if (IDX_LABELS.test(base)) this.idxLabels.push(file);
    else this.result.ignored.push(file);
  }

  private async walk(dir: string, root: string, label: string): Promise<void> {
    const relativeDir = path.relative(root, dir).split(path.sep).join('/') || label;
    let real: string;
    let entries: Dirent[];
    try {
      real = await realpath(dir);
      // readdir rather than opendir: Electron's asar layer (the bundled sample) supports it.
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      this.result.missing.push({ item: `${relativeDir}/`, reason: `cannot read this folder (${why(error)}); the rest was imported` });
      return;
    }
    const first = this.walked.get(real);
    if (first !== undefined) {
      this.result.missing.push({
        item: `${relativeDir}/`,
        reason: `a link to '${first}', which is already imported (or contains this link); not followed again`,
      });
      return;
    }
    this.walked.set(real, relativeDir);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) await this.walk(full, root, label);
      else if (entry.isFile()) this.classify(full, relative, true);
      else if (entry.isSymbolicLink()) await this.followLink(full, relative, root, label);
      else this.classify(full, relative, false);
    }
  }

  private async followLink(full: string, relative: string, root: string, label: string): Promise<void> {
    let target;
    try {
      target = await stat(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'broken symbolic link (its target does not exist)' : `symbolic link that cannot be followed (${why(error)})`;
      this.result.missing.push({ item: relative, reason });
      return;
    }
    if (target.isDirectory()) await this.walk(full, root, label);
    else this.classify(full, relative, target.isFile());
  }

  finish(): ScanResult {
    const { result } = this;
    for (const images of this.idxImages) {
      const labels = this.idxLabels.find((l) => l === images.replace(/idx3/i, 'idx1').replace(/images/i, 'labels')) ?? null;
      result.idx.push({ images, labels });
    }
    for (const labels of this.idxLabels) {
      if (!result.idx.some((p) => p.labels === labels)) result.ignored.push(labels);
    }
    const byPath = (a: ImageFile, b: ImageFile) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0);
    result.images.sort(byPath);
    result.labelFiles.sort();
    return result;
  }
}
