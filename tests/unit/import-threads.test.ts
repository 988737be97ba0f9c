/**
 * Decoding threads (issue 15): a large import reads and decodes in worker threads (the
 * compiled dist/ worker, as the training worker). The same folder gives the same images,
 * rejections and duplicates with and without them.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../electron/domain/project.js';
import { DecodePool, decodeThreadsAvailable } from '../../electron/importer/decode-pool.js';
import { imageFileItems } from '../../electron/importer/import-items.js';
import { runImport } from '../../electron/importer/importer.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup(), 60_000);

async function folder(root: string): Promise<void> {
  mkdirSync(root);
  for (let i = 0; i < 60; i++) {
    const width = i % 3 === 0 ? 250 : 40; // every third one too large to be its own thumbnail
    const data = Buffer.alloc(width * 20 * 3);
    for (let j = 0; j < data.length; j++) data[j] = (j * 11 + i * 97) % 256;
    const image = sharp(data, { raw: { width, height: 20, channels: 3 } });
    await (i % 2 ? image.jpeg() : image.png()).toFile(path.join(root, `c${String(i).padStart(3, '0')}.${i % 2 ? 'jpg' : 'png'}`));
  }
  copyFileSync(path.join(root, 'c000.png'), path.join(root, 'copy.png'));
  writeFileSync(
    path.join(root, 'broken.png'),
    (
      await sharp({ create: { width: 50, height: 50, channels: 3, background: '#abc' } })
        .png()
        .toBuffer()
    ).subarray(0, 40),
  );
  writeFileSync(path.join(root, 'labels.csv'), 'file,digits\nc001.jpg,12\nc002.png,7\n');
}

async function importWith(threads: number, src: string, name: string) {
  const project = Project.open(path.join(dir, name));
  try {
    const first = await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [path.join(src, 'c000.png')], decodeThreads: 0 });
    const summary = await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [src], decodeThreads: threads });
    const rows = project.store.db
      .prepare(
        `SELECT i.original_name, i.sha256, i.format, i.width, i.height, i.channels, i.stored_path, t.mime, length(t.data) > 0 AS thumb
         FROM images i LEFT JOIN image_thumbnails t ON t.image_id = i.id ORDER BY i.id`,
      )
      .all();
    const digits = project.store.targets.byName('digits')!.id;
    const labels = project.store.db.prepare('SELECT image_id, text_value FROM annotations WHERE target_id = ? ORDER BY image_id').all(digits);
    return { first, summary, rows, labels };
  } finally {
    project.close();
  }
}

describe('decoding threads', () => {
  it('give the same images, rejections, duplicates and labels as decoding on the main thread', async () => {
    expect(decodeThreadsAvailable(), 'the compiled worker (npm run build:node) is needed by this test').toBe(true);
    const src = path.join(dir, 'src');
    await folder(src);
    const main = await importWith(0, src, 'main');
    const threads = await importWith(2, src, 'threads');
    expect(threads.rows).toEqual(main.rows);
    expect(threads.labels).toEqual(main.labels);
    expect(threads.rows).toHaveLength(60);
    for (const r of [main, threads]) {
      expect(r.summary.imported).toBe(59);
      expect(r.summary.rejected.map((x) => x.item)).toEqual(['broken.png']);
      expect(r.summary.rejected[0]!.reason).toMatch(/corrupt or truncated|corrupt image header/);
      expect(r.summary.duplicateItems).toEqual([
        { item: 'c000.png', of: 'c000.png', imageId: 1 },
        { item: 'copy.png', of: 'c000.png', imageId: 1 },
      ]);
    }
    expect(threads.rows.filter((row) => (row as { mime: string | null }).mime === 'image/webp')).toHaveLength(20);
  });
});

describe('a decoding thread that cannot start', () => {
  it('(as in an archive a thread cannot load from) leaves decoding to the main thread; the import goes on', async () => {
    const src = path.join(dir, 'src');
    await folder(src);
    const project = Project.open(path.join(dir, 'data'));
    const limits = { maxPixels: 1e6, maxBytes: 1e6 };
    const pool = new DecodePool(1, project.store.file, limits, path.join(dir, 'no-such-worker.js'));
    try {
      const [item] = imageFileItems([{ file: path.join(src, 'c001.jpg'), relative: 'c001.jpg' }], project.store, limits, () => null, pool);
      const loaded = await item!.load();
      expect('decoded' in loaded && [loaded.decoded.format, loaded.decoded.width]).toEqual(['jpeg', 40]);
    } finally {
      await pool.close();
      project.close();
    }
  });
});
