/**
 * Issue 13 point 8: the importer never gives up on a folder for one item. Every bad case is
 * reported by name and the rest is imported. Tests run as root here, so an unreadable file or
 * folder cannot be made with chmod: EACCES is injected into node:fs/promises for chosen paths.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Project } from '../../electron/domain/project.js';
import { runImport, type ImportContext } from '../../electron/importer/importer.js';
import { StoredFileWriter, type FileToStore } from '../../electron/importer/stored-files.js';
import { tempDir } from '../helpers.js';

/** Paths whose read (file) or listing (folder) fails with EACCES, as for a file the user may not read. */
const denied = new Set<string>();
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const eacces = (p: unknown) => Object.assign(new Error(`EACCES: permission denied, open '${String(p)}'`), { code: 'EACCES', path: String(p) });
  return {
    ...real,
    readFile: (p: Parameters<typeof real.readFile>[0], ...rest: []) => (denied.has(String(p)) ? Promise.reject(eacces(p)) : real.readFile(p, ...rest)),
    readdir: ((p: string, ...rest: []) => (denied.has(String(p)) ? Promise.reject(eacces(p)) : real.readdir(p, ...rest))) as typeof real.readdir,
  };
});

let dir: string;
let cleanup: () => void;
let project: Project;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  project = Project.open(path.join(dir, 'data'));
  denied.clear();
});
afterEach(() => {
  project.close();
  cleanup();
});

const importInto = (paths: string[], ctx: Partial<ImportContext> = {}, signal?: AbortSignal) =>
  runImport({ store: project.store, dataDir: project.dataDir, ...ctx }, { paths, signal });

async function crop(file: string, seed: number, width = 24, height = 16): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 977) % 251;
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

async function crops(folder: string, count: number, first = 0): Promise<void> {
  for (let i = 0; i < count; i++) await crop(path.join(folder, `c${String(first + i).padStart(4, '0')}.png`), first + i + 1);
}

const reasons = (rejected: { item: string; reason: string }[]) => Object.fromEntries(rejected.map((r) => [r.item, r.reason]));

/** Every file under images/, relative to the data folder. */
function storedFiles(): string[] {
  const root = path.join(project.dataDir, 'images');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(project.dataDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function storedPaths(): string[] {
  return (project.store.db.prepare('SELECT stored_path FROM images').pluck().all() as string[]).sort();
}

describe('files and folders that cannot be read', () => {
  it('reports an unreadable file and an unreadable subfolder by name and imports the rest', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 3);
    await crops(path.join(src, 'locked'), 2, 10);
    await crops(path.join(src, 'open'), 2, 20);
    denied.add(path.join(src, 'c0001.png'));
    denied.add(path.join(src, 'locked'));
    const summary = await importInto([src]);
    expect(summary.imported).toBe(4); // c0000, c0002, open/c0020, open/c0021
    const why = reasons(summary.rejected);
    expect(Object.keys(why).sort()).toEqual(['c0001.png', 'locked/']);
    expect(why['c0001.png']).toMatch(/^cannot read this file \(EACCES: permission denied/);
    expect(why['locked/']).toMatch(/^cannot read this folder \(EACCES: permission denied/);
  });

  it('follows symbolic links to files and folders, reports broken links and loops, and does not walk a folder twice', async () => {
    const src = path.join(dir, 'src');
    const elsewhere = path.join(dir, 'elsewhere');
    await crops(src, 1);
    await crops(elsewhere, 2, 5);
    await crop(path.join(dir, 'outside.png'), 50);
    symlinkSync(elsewhere, path.join(src, 'linked-folder'));
    symlinkSync(elsewhere, path.join(src, 'second-link'));
    symlinkSync(path.join(dir, 'outside.png'), path.join(src, 'linked.png'));
    symlinkSync(path.join(dir, 'missing.png'), path.join(src, 'broken.png'));
    symlinkSync(src, path.join(src, 'loop'));
    execFileSync('mkfifo', [path.join(src, 'pipe.png')]);
    const summary = await importInto([src]);
    expect(summary.imported).toBe(4); // c0000, linked.png, linked-folder/c0005, linked-folder/c0006
    const names = project.store.db.prepare('SELECT original_name FROM images ORDER BY id').pluck().all();
    expect(names).toEqual(['c0000.png', 'linked-folder/c0005.png', 'linked-folder/c0006.png', 'linked.png']);
    const why = reasons(summary.rejected);
    expect(Object.keys(why).sort()).toEqual(['broken.png', 'loop/', 'pipe.png', 'second-link/']);
    expect(why['broken.png']).toBe('broken symbolic link (its target does not exist)');
    expect(why['loop/']).toMatch(/a link to '.*src', which is already imported \(or contains this link\)/);
    expect(why['second-link/']).toMatch(/a link to 'linked-folder'/);
    expect(why['pipe.png']).toBe('not a regular file; skipped');
  });
});

describe('two imports of the same files at once', () => {
  it('stores each image once; the other import lists it as a duplicate of that image, and neither fails', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 40);
    // A second connection, as a second process (the CLI while the app runs) would have.
    const other = Project.open(project.dataDir);
    try {
      const [a, b] = await Promise.all([importInto([src]), runImport({ store: other.store, dataDir: other.dataDir }, { paths: [src] })]);
      expect(a.rejected).toEqual([]);
      expect(b.rejected).toEqual([]);
      expect(a.imported + b.imported).toBe(40);
      expect(a.duplicates + b.duplicates).toBe(40);
      expect(project.store.images.count()).toBe(40);
      for (const d of [...a.duplicateItems, ...b.duplicateItems]) {
        expect(d.of).toBe(d.item);
        expect(project.store.images.get(d.imageId!)!.original_name).toBe(d.item);
      }
      expect(storedFiles()).toEqual(storedPaths());
    } finally {
      other.close();
    }
  });
});

describe('a full disk', () => {
  it('stops naming the file, commits the whole images before it, and leaves no file without a row', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 30);
    const real = new StoredFileWriter(2);
    let written = 0;
    // The 21st copy meets a full disk: the write fails as write(2) does, with ENOSPC.
    const fullDisk = {
      write: async (files: FileToStore[]) => {
        const results = [];
        for (const file of files) {
          if (written++ === 20) results.push({ outcome: 'failed' as const, code: 'ENOSPC', message: 'ENOSPC: no space left on device, write' });
          else results.push(...(await real.write([file])));
        }
        return results;
      },
    };
    try {
      const summary = await importInto([src], { writer: fullDisk });
      expect(summary.stopped).toMatch(/^stopped at c0020\.png: its copy could not be written to .* \(the disk is full\)/);
      expect(summary.imported).toBe(29); // every other copy of the batch was whole
      expect(storedFiles()).toEqual(storedPaths());
      expect(storedFiles().some((f) => f.endsWith('.part'))).toBe(false);
    } finally {
      await real.close();
    }
    // With space again, importing the folder again brings the missing one.
    const again = await importInto([src]);
    expect([again.imported, again.duplicates]).toEqual([1, 29]);
  });

  it('a failing transaction (the database full) keeps no file of its batch', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 5);
    const insert = project.store.images.insert.bind(project.store.images);
    let calls = 0;
    project.store.images.insert = (image) => {
      if (++calls === 3) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return insert(image);
    };
    const summary = await importInto([src]);
    expect(summary.imported).toBe(0);
    expect(summary.stopped).toMatch(/stopped while storing c0000\.png … c0004\.png: the disk is full; nothing of these 5 images was kept/);
    expect(storedFiles()).toEqual([]);
    expect(project.store.images.count()).toBe(0);
  });
});

describe('cancelling', () => {
  it('stops taking files, keeps what was loaded, and says so', async () => {
    const src = path.join(dir, 'src');
    await crops(src, 60);
    const controller = new AbortController();
    const summary = await runImport(
      { store: project.store, dataDir: project.dataDir },
      { paths: [src], signal: controller.signal, concurrency: 1, onProgress: (done) => done === 10 && controller.abort() },
    );
    expect(summary.stopped).toBe('cancelled after 10 of 60 items; what was loaded is kept');
    expect(summary.imported).toBe(10);
    expect(storedFiles()).toEqual(storedPaths());
  });
});
