import type { Migration } from './types.js';

/**
 * Thumbnails leave the images table (issue 15): at 100,000 small crops they were 569 of the
 * database's 680 MB, mostly the crop stored again, whole, as its own thumbnail, and every
 * images row carried its blob (about one row per page, so every scan of images read them).
 * - `image_thumbnails` holds a thumbnail only where the image is larger than one (WebP from
 *   now on; the PNGs of older imports are kept and still served, with their type);
 * - an image without a row is its own thumbnail: the stored file is served. The old rows that
 *   were byte for byte the stored PNG (a crop at or under 96x96 whose thumbnail has the
 *   stored file's size) are not copied;
 * - an import batch names the process that runs it (`owner`, host:pid), so that the next start
 *   can tell an import that was killed from one still running, and clean up after the first.
 */
export const migration0008: Migration = {
  version: 8,
  name: '0008-compact-thumbnails',
  up(db) {
    db.exec(`
      CREATE TABLE image_thumbnails (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        mime TEXT NOT NULL CHECK (mime IN ('image/png', 'image/webp', 'image/jpeg')),
        data BLOB NOT NULL
      ) STRICT;
      INSERT INTO image_thumbnails (image_id, mime, data)
        SELECT id, 'image/png', thumbnail FROM images
        WHERE NOT (format = 'png' AND width <= 96 AND height <= 96 AND length(thumbnail) = byte_size);
      ALTER TABLE images DROP COLUMN thumbnail;
      ALTER TABLE import_batches ADD COLUMN owner TEXT;
    `);
  },
};
