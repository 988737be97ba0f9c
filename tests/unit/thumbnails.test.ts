/** Issue 15: thumbnails only where an image is larger than one, compact (WebP), served from their own table; old ones still served. */
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../../electron/domain/project.js';
import { runImport } from '../../electron/importer/importer.js';
import { serveAsset } from '../../electron/server/assets.js';
import { openDatabase } from '../../electron/store/database.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function noisy(width: number, height: number, file: string): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + width * 7) % 251;
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

describe('thumbnails', () => {
  it('are not stored for a crop up to twice the thumbnail size (the image is served) and are WebP for larger ones', async () => {
    const { mkdirSync } = await import('node:fs');
    const src = path.join(dir, 'src');
    mkdirSync(src);
    await noisy(96, 48, path.join(src, 'small.png'));
    await noisy(400, 120, path.join(src, 'large.png'));
    // Twice the thumbnail size: a HiDPI screen shows it whole in the grid's 112x96 box.
    await noisy(192, 64, path.join(src, 'double.png'));
    await noisy(193, 64, path.join(src, 'over-double.png'));
    const project = Project.open(path.join(dir, 'data'));
    try {
      await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [src] });
      const id = (name: string) => project.store.images.idsByName(name)[0]!;
      expect(project.store.images.thumbnail(id('small.png'))).toBeUndefined();
      expect(project.store.images.thumbnail(id('double.png'))).toBeUndefined();
      expect(project.store.images.thumbnail(id('over-double.png'))?.mime).toBe('image/webp');
      const large = project.store.images.thumbnail(id('large.png'))!;
      expect(large.mime).toBe('image/webp');
      const meta = await sharp(large.data).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 96, 29]);

      const small = await serveAsset(project, dir, `/media/thumb/${id('small.png')}`);
      expect([small.status, small.headers['content-type']]).toEqual([200, 'image/png']);
      expect((await sharp(small.body as Buffer).metadata()).width).toBe(96);
      const served = await serveAsset(project, dir, `/media/thumb/${id('large.png')}`);
      expect([served.status, served.headers['content-type']]).toEqual([200, 'image/webp']);
      expect((await serveAsset(project, dir, '/media/thumb/999')).status).toBe(404);
    } finally {
      project.close();
    }
  });

  it('of a database from before keep being served after the upgrade; the ones that were the stored image itself are dropped', async () => {
    const file = path.join(dir, 'data', 'polyhead.sqlite');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'data', 'images', 'aa'), { recursive: true });
    const storedPng = await sharp({ create: { width: 10, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    writeFileSync(path.join(dir, 'data', 'images', 'aa', 'a.png'), storedPng);
    const oldThumb = await sharp({ create: { width: 96, height: 40, channels: 3, background: '#654321' } })
      .png()
      .toBuffer();
    const v6 = openDatabase(file, { targetVersion: 6 });
    const insert = v6.prepare(
      `INSERT INTO images (id, sha256, stored_path, original_name, format, width, height, channels, byte_size, thumbnail, imported_at)
       VALUES (?, ?, ?, ?, 'png', ?, ?, 3, ?, ?, '2026-01-01')`,
    );
    // Image 1: a small PNG that was its own thumbnail; image 2: a large image with a real one.
    insert.run(1, 'a'.repeat(64), 'images/aa/a.png', 'a.png', 10, 8, storedPng.length, storedPng);
    insert.run(2, 'b'.repeat(64), 'images/bb/b.png', 'b.png', 960, 400, 50_000, oldThumb);
    v6.prepare("INSERT INTO import_batches (started_at, finished_at, sources) VALUES ('2026-01-01', '2026-01-01', '[]')").run();
    v6.close();

    const project = Project.open(path.join(dir, 'data'));
    try {
      expect(project.store.schemaVersion).toBeGreaterThanOrEqual(7);
      expect(project.store.images.thumbnail(1)).toBeUndefined();
      expect(project.store.images.thumbnail(2)).toEqual({ mime: 'image/png', data: oldThumb });
      const one = await serveAsset(project, dir, '/media/thumb/1');
      expect([one.status, Buffer.compare(one.body as Buffer, storedPng)]).toEqual([200, 0]);
      const two = await serveAsset(project, dir, '/media/thumb/2');
      expect([two.status, two.headers['content-type'], Buffer.compare(two.body as Buffer, oldThumb)]).toEqual([200, 'image/png', 0]);
      const columns = project.store.db.prepare("SELECT name FROM pragma_table_info('images')").pluck().all();
      expect(columns).not.toContain('thumbnail');
    } finally {
      project.close();
    }
  });
});
