import path from 'node:path';
import type { Store } from '../store/store.js';

export type StoredMatch = { imageId: number } | { ambiguous: string } | { unmatched: string };

const slashes = (p: string) => p.replaceAll('\\', '/');

/** True when one path is the other or ends with it at a folder boundary ('b/c.png' and 'a/b/c.png'). */
function sameTail(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

/**
 * The images already in the project, by the names a labels file may give them: the content
 * hash where the file has a `sha256` column (exact), else the path relative to the folder
 * imported, the absolute path, or the file name, which must then be unique among the images
 * whose paths agree with the one given: an ambiguous name is reported, never guessed.
 */
export class StoredImages {
  private readonly byRelative = new Map<string, number[]>();
  private readonly byAbsolute = new Map<string, number>();
  private readonly byBase = new Map<string, { id: number; relative: string }[]>();

  private constructor(private readonly store: Store) {
    for (const image of store.images.names()) {
      const relative = slashes(image.originalName);
      push(this.byRelative, relative, image.id);
      if (image.originalPath) this.byAbsolute.set(slashes(image.originalPath), image.id);
      push(this.byBase, path.posix.basename(relative), { id: image.id, relative });
    }
  }

  /** Reads every image's names once (one query, streamed). */
  static load(store: Store): StoredImages {
    return new StoredImages(store);
  }

  match(key: string, sha256: string | null | undefined): StoredMatch {
    if (sha256) {
      const id = this.store.images.idByHash(sha256);
      return id === undefined ? { unmatched: `no image of the project has the content hash ${sha256.slice(0, 12)}…` } : { imageId: id };
    }
    const exact = this.byRelative.get(key);
    if (exact?.length === 1) return { imageId: exact[0]! };
    if (exact && exact.length > 1) return { ambiguous: `'${key}' names ${exact.length} images of the project (ids ${exact.slice(0, 5).join(', ')})` };
    const absolute = this.byAbsolute.get(key);
    if (absolute !== undefined) return { imageId: absolute };
    const candidates = (this.byBase.get(path.posix.basename(key)) ?? []).filter((c) => sameTail(c.relative, key));
    if (candidates.length === 1) return { imageId: candidates[0]!.id };
    if (candidates.length > 1) {
      const shown = candidates.slice(0, 3).map((c) => `${c.relative} (image ${c.id})`);
      return { ambiguous: `'${key}' could be any of ${candidates.length} images (${shown.join(', ')}${candidates.length > 3 ? ', …' : ''})` };
    }
    return { unmatched: key };
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
