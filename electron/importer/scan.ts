import { readdir, stat } from 'node:fs/promises';
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
  missing: ImportRejection[];
}

/** Finds images, label files and IDX files under the given paths (folders recursively). */
export async function scanPaths(paths: string[]): Promise<ScanResult> {
  const result: ScanResult = { images: [], labelFiles: [], idx: [], ignored: [], missing: [] };
  const idxImages: string[] = [];
  const idxLabels: string[] = [];
  const classify = (file: string, relative: string) => {
    const base = path.basename(file);
    const ext = path.extname(base).toLowerCase();
    if (base.startsWith('.')) return;
    if (IMAGE_EXTENSIONS.has(ext)) result.images.push({ file, relative });
    else if (LABEL_EXTENSIONS.has(ext)) result.labelFiles.push(file);
    else if (IDX_IMAGES.test(base)) idxImages.push(file);
    else if (IDX_LABELS.test(base)) idxLabels.push(file);
    else result.ignored.push(file);
  };
  for (const given of paths) {
    const root = path.resolve(given);
    let info;
    try {
      info = await stat(root);
    } catch (error) {
      result.missing.push({ item: given, reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : String(error) });
      continue;
    }
    if (info.isDirectory()) {
      for await (const file of walk(root)) classify(file, path.relative(root, file).split(path.sep).join('/'));
    } else {
      classify(root, path.basename(root));
    }
  }
  for (const images of idxImages) {
    const labels = idxLabels.find((l) => l === images.replace(/idx3/i, 'idx1').replace(/images/i, 'labels')) ?? null;
    result.idx.push({ images, labels });
  }
  for (const labels of idxLabels) {
    if (!result.idx.some((p) => p.labels === labels)) result.ignored.push(labels);
  }
  const byPath = (a: ImageFile, b: ImageFile) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0);
  result.images.sort(byPath);
  result.labelFiles.sort();
  return result;
}

async function* walk(dir: string): AsyncGenerator<string> {
  // readdir rather than opendir: Electron's asar layer (the bundled sample) supports it.
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) yield* walk(full);
    } else if (entry.isFile()) {
      yield full;
    }
  }
}
