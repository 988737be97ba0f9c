import type { Migration } from './types.js';

// Frozen copies of the upload folder's layout and marker as of this migration (electron/domain/uploads.ts, shared/uploads.ts).
const IN_UPLOAD = /[\\/]uploads[\\/][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[\\/](.+)$/;
const PREFIX = 'upload:';

/** `upload:<path in the upload>` for a path inside an upload's folder; the path as it was otherwise. */
function recorded(file: string): string {
  const inUpload = IN_UPLOAD.exec(file);
  return inUpload ? `${PREFIX}${inUpload[1]!.replaceAll('\\', '/')}` : file;
}

/**
 * An image uploaded through a browser (server mode) recorded its upload's temporary copy
 * (`<project>/uploads/<id>/crops/a.png`) as its original path, a file removed once the import
 * finished. It records its place in the upload instead (`upload:crops/a.png`), as uploads do
 * from now on; so do the import batches' sources.
 */
export const migration0014: Migration = {
  version: 14,
  name: '0014-uploaded-paths',
  up(db) {
    const images = db.prepare("SELECT id, original_path AS path FROM images WHERE instr(original_path, 'uploads') > 0").all() as { id: number; path: string }[];
    const setPath = db.prepare('UPDATE images SET original_path = ? WHERE id = ?');
    for (const { id, path } of images) if (recorded(path) !== path) setPath.run(recorded(path), id);

    const batches = db.prepare("SELECT id, sources FROM import_batches WHERE instr(sources, 'uploads') > 0").all() as { id: number; sources: string }[];
    const setSources = db.prepare('UPDATE import_batches SET sources = ? WHERE id = ?');
    for (const { id, sources } of batches) {
      const paths = JSON.parse(sources) as unknown;
      if (!Array.isArray(paths)) continue;
      const fixed = JSON.stringify(paths.map((p) => (typeof p === 'string' ? recorded(p) : p)));
      if (fixed !== sources) setSources.run(fixed, id);
    }
  },
};
