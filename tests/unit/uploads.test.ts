import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult, ImageDetail, ImageList, ImportJob } from '../../shared/api/contract.js';
import { DomainError } from '../../shared/errors.js';
import { uploadFileUrl } from '../../shared/uploads.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { beginUpload, safeRelativePath, storeUploadFile, UPLOADS_DIR } from '../../electron/domain/uploads.js';
import { ownerToken } from '../../electron/domain/users.js';
import { startServer, type RunningServer } from '../../electron/server/server.js';
import { createUploadRoute } from '../../electron/server/upload-route.js';
import { tempDir } from '../helpers.js';

let runtime: Runtime;
let server: RunningServer;
let cleanup: () => void;
let dataDir: string;
/** The project owner's token, as every request to the server carries one. */
let auth: Record<string, string>;

beforeAll(async () => {
  const tmp = tempDir();
  cleanup = tmp.cleanup;
  dataDir = path.join(tmp.dir, 'data');
  runtime = openRuntime(dataDir);
  server = await startServer({ ...runtime, rendererDir: path.join(tmp.dir, 'no-renderer') });
  auth = { authorization: `Bearer ${ownerToken(runtime.project.store, dataDir)}` };
});
afterAll(async () => {
  await server.close();
  runtime.close();
  cleanup();
});

async function call<T>(method: string, payload: unknown = {}): Promise<T> {
  const response = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    body: JSON.stringify(payload),
    headers: { 'content-type': 'application/json', ...auth },
  });
  const result = (await response.json()) as ApiResult<T>;
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.data;
}

async function put(uploadId: string, relative: string, body: Buffer | string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/${uploadFileUrl(uploadId, relative)}`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { ...auth, ...headers },
  });
  return { status: response.status, body: (await response.json()) as ApiResult<{ path: string; bytes: number }> };
}

const png = (shade: number, width = 12) =>
  sharp({ create: { width, height: 8, channels: 3, background: { r: shade, g: 80, b: 160 } } })
    .png()
    .toBuffer();

async function finished(jobId: string): Promise<ImportJob> {
  for (;;) {
    const job = await call<ImportJob>('imports.status', { jobId });
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('names from a browser are made safe', () => {
  it('keeps folders, drops empty and "." segments, and replaces what no file system stores', () => {
    expect(safeRelativePath('crops/set a/x.png')).toEqual(['crops', 'set a', 'x.png']);
    expect(safeRelativePath('./crops//x.png')).toEqual(['crops', 'x.png']);
    expect(safeRelativePath('win\\style\\y.png')).toEqual(['win', 'style', 'y.png']);
    expect(safeRelativePath('a:b<c>|d?.png')).toEqual(['a_b_c__d_.png']);
    expect(safeRelativePath('tab\there\u0000.png')).toEqual(['tabhere.png']);
    expect(safeRelativePath('dir./name. ')).toEqual(['dir', 'name']);
    expect(safeRelativePath('CON.png')).toEqual(['_CON.png']);
    expect(safeRelativePath('x.png.part')).toEqual(['x.png.part_']);
  });

  it('refuses a path that leaves the upload or names nothing, naming the path', () => {
    for (const bad of ['../x.png', 'a/../../x.png', '', '/', '...', `${'n'.repeat(300)}.png`, `${'d/'.repeat(40)}x.png`]) {
      let error: unknown;
      try {
        safeRelativePath(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(DomainError);
      expect((error as DomainError).kind).toBe('invalid_value');
    }
    expect(() => safeRelativePath('a/../../x.png')).toThrow(/'a\/\.\.\/\.\.\/x\.png' leaves the upload/);
  });
});

describe('uploading files and folders over HTTP', () => {
  it('stores files and a folder with its labels CSV, imports them with the labels, and removes the upload', async () => {
    const { uploadId, maxFileBytes } = await call<{ uploadId: string; maxFileBytes: number }>('imports.beginUpload');
    expect(maxFileBytes).toBeGreaterThan(1024 * 1024);
    // Loose files, and a folder as <input webkitdirectory> names them: with its label file beside the crops.
    expect((await put(uploadId, 'loose-1.png', await png(10))).status).toBe(200);
    expect((await put(uploadId, 'loose-2.png', await png(20))).status).toBe(200);
    const folder = 'street crops';
    for (let i = 0; i < 3; i++) {
      const stored = await put(uploadId, `${folder}/c${i}.png`, await png(100 + i, 14 + i));
      expect(stored.status).toBe(200);
      expect(stored.body).toEqual({ ok: true, data: { path: `${folder}/c${i}.png`, bytes: expect.any(Number) } });
    }
    await put(uploadId, `${folder}/labels.csv`, 'file,digits,script\nc0.png,42,latin\nc1.png,7,greek\n');
    await put(uploadId, `${folder}/notes.txt`, 'not an image');
    const dir = path.join(dataDir, UPLOADS_DIR, uploadId);
    expect(readFileSync(path.join(dir, folder, 'labels.csv'), 'utf8')).toContain('c1.png,7,greek');

    const job = await call<ImportJob>('imports.startUpload', { uploadId });
    const done = await finished(job.jobId);
    expect(done.state).toBe('finished');
    // digits and script of two crops (each digits label sets its length too, derived).
    expect(done.summary).toMatchObject({ imported: 5, duplicates: 0, labelsApplied: 4, rejected: [] });
    const list = await call<ImageList>('images.list', { filter: { order: 'name' } });
    // Each chosen file and folder imported as if its path were given: names relative to the folder.
    expect(list.items.map((i) => i.originalName)).toEqual(['c0.png', 'c1.png', 'c2.png', 'loose-1.png', 'loose-2.png']);
    const digits = runtime.project.store.targets.byName('digits')!;
    const script = runtime.project.store.targets.byName('script')!;
    expect(list.items[0]!.labels[digits.id]).toMatchObject({ state: 'value', value: '42' });
    expect(list.items[1]!.labels[script.id]).toMatchObject({ state: 'value', value: 'greek' });
    expect(list.items[2]!.labels).toEqual({});
    // The images are in the project now; the upload's copy goes.
    await expect.poll(() => existsSync(dir)).toBe(false);
    // So no image, batch or job names that temporary copy: each records its place in the upload, marked as one.
    const paths = await Promise.all(list.items.map(async (i) => (await call<ImageDetail>('images.get', { id: i.id })).originalPath));
    expect(paths).toEqual([
      'upload:street crops/c0.png',
      'upload:street crops/c1.png',
      'upload:street crops/c2.png',
      'upload:loose-1.png',
      'upload:loose-2.png',
    ]);
    const batch = runtime.project.store.db.prepare('SELECT sources FROM import_batches ORDER BY id DESC LIMIT 1').pluck().get() as string;
    expect(JSON.parse(batch)).toEqual(['upload:loose-1.png', 'upload:loose-2.png', 'upload:street crops']);
    expect(job.paths).toEqual(['upload:loose-1.png', 'upload:loose-2.png', 'upload:street crops']);
    expect(done.summary!.ignored).toEqual(['upload:street crops/notes.txt']);
    const report = runtime.project.store.db.prepare('SELECT report FROM import_batches ORDER BY id DESC LIMIT 1').pluck().get() as string;
    expect(report).not.toContain(UPLOADS_DIR + path.sep);
    expect(JSON.parse(report)).toMatchObject({ ignored: ['upload:street crops/notes.txt'] });
  });

  it('imports with the same options as a typed path: labels from folder names', async () => {
    const { uploadId } = await call<{ uploadId: string }>('imports.beginUpload');
    // A class-per-folder layout as <input webkitdirectory> sends it: shapes/<class>/<file>.
    await put(uploadId, 'shapes/round/r1.png', await png(31, 21));
    await put(uploadId, 'shapes/square/q1.png', await png(32, 22));
    const job = await call<ImportJob>('imports.startUpload', { uploadId, labelFromFolder: [{ target: 'shape', level: 1 }] });
    const done = await finished(job.jobId);
    expect(done.state).toBe('finished');
    const shape = runtime.project.store.targets.byName('shape')!;
    expect(shape.classes.map((c) => c.name).sort()).toEqual(['round', 'square']);
    const list = await call<ImageList>('images.list', { filter: { name: '*/?1.png', order: 'name' } });
    expect(list.items.map((i) => [i.originalName, i.labels[shape.id]?.value])).toEqual([
      ['round/r1.png', 'round'],
      ['square/q1.png', 'square'],
    ]);
  });

  it('refuses a file over the limit (declared or streamed) and leaves nothing of it behind', async () => {
    const { uploadId } = await call<{ uploadId: string }>('imports.beginUpload');
    const dir = path.join(dataDir, UPLOADS_DIR, uploadId);
    // Streamed past the limit with no declared length: the domain function is what counts bytes.
    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(storeUploadFile(dataDir, uploadId, 'big.bin', big, 1000)).rejects.toThrow(/big\.bin: over the upload limit of 1000 bytes/);
    expect(readdirSync(dir)).toEqual([]);
    // Over HTTP with small limits: a declared length over the limit is refused before a byte is
    // written, and so is a file past the count limit; the file under both is stored.
    const route = createUploadRoute(dataDir, { maxFileBytes: 100, maxFiles: 2 });
    const small = createServer((req, res) => void route(req, res, new URL(req.url ?? '/', 'http://localhost')));
    await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(small.address() as AddressInfo).port}`;
    try {
      const send = (name: string, body: Buffer) => fetch(`${base}/${uploadFileUrl(uploadId, name)}`, { method: 'PUT', body: new Uint8Array(body) });
      const tooBig = await send('huge.idx', Buffer.alloc(101));
      expect(tooBig.status).toBe(413);
      expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(/huge\.idx: 101 bytes, over the upload limit of 100 bytes/);
      expect((await send('one.png', Buffer.alloc(100))).status).toBe(200);
      expect((await send('two.png', Buffer.alloc(10))).status).toBe(200);
      const third = await send('three.png', Buffer.alloc(10));
      expect(third.status).toBe(413);
      expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(/three\.png: over the limit of 2 files per upload/);
    } finally {
      await new Promise((resolve) => small.close(resolve));
    }
    expect(readdirSync(dir).sort()).toEqual(['one.png', 'two.png']);
  });

  it('answers bad requests with a structured error naming the file, and keeps serving', async () => {
    const { uploadId } = await call<{ uploadId: string }>('imports.beginUpload');
    const escape = await put(uploadId, '../../escape.png', 'x');
    expect(escape.status).toBe(400);
    expect(!escape.body.ok && escape.body.error.message).toMatch(/'\.\.\/\.\.\/escape\.png' leaves the upload/);
    expect(existsSync(path.join(dataDir, 'escape.png'))).toBe(false);

    expect((await put(uploadId, 'twice.png', 'one')).status).toBe(200);
    const twice = await put(uploadId, 'twice.png', 'two');
    expect(twice.status).toBe(409);
    expect(!twice.body.ok && twice.body.error.message).toMatch(/twice\.png: already uploaded/);
    expect(readFileSync(path.join(dataDir, UPLOADS_DIR, uploadId, 'twice.png'), 'utf8')).toBe('one');

    // A fault of the disk is named too: here a file stands where a folder must go.
    const blocked = await put(uploadId, 'twice.png/inside.png', 'x');
    expect(blocked.status).toBe(500);
    expect(!blocked.body.ok && blocked.body.error.code).toBe('internal');
    expect(!blocked.body.ok && blocked.body.error.message).toMatch(/^twice\.png\/inside\.png: could not be stored \((ENOTDIR|EEXIST)\)$/);
    expect((await put(uploadId, 'after.png', 'y')).status).toBe(200);

    const unknown = await put('0b5e8e0e-4d1c-4c5e-9a57-1f0f5e0a9c21', 'a.png', 'x');
    expect(unknown.status).toBe(404);
    const notAnId = await put('..%2F..%2Fetc', 'a.png', 'x');
    expect(notAnId.status).toBe(400);
    const noPath = await fetch(`${server.url}/api/uploads/${uploadId}`, { method: 'PUT', body: 'x', headers: auth });
    expect(noPath.status).toBe(400);
    const wrongMethod = await fetch(`${server.url}/${uploadFileUrl(uploadId, 'a.png')}`, { method: 'POST', body: 'x', headers: auth });
    expect(wrongMethod.status).toBe(405);
    const otherSite = await fetch(`${server.url}/${uploadFileUrl(uploadId, 'a.png')}`, {
      method: 'PUT',
      body: 'x',
      headers: { ...auth, origin: 'https://evil.example' },
    });
    expect(otherSite.status).toBe(403);
    expect(existsSync(path.join(dataDir, UPLOADS_DIR, uploadId, 'a.png'))).toBe(false);
    // An upload that does not exist cannot be imported either.
    await expect(call('imports.startUpload', { uploadId: '0b5e8e0e-4d1c-4c5e-9a57-1f0f5e0a9c21' })).rejects.toThrow(/Upload 0b5e8e0e-.* does not exist/);
    expect((await call<{ name: string }>('project.info')).name).toBe('data');
  });

  it('removes uploads left unimported for over a day when the next one begins', async () => {
    const stale = await beginUpload(dataDir);
    const old = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    mkdirSync(path.join(dataDir, UPLOADS_DIR, stale, 'sub'));
    utimesSync(path.join(dataDir, UPLOADS_DIR, stale), old, old);
    const fresh = await beginUpload(dataDir);
    expect(existsSync(path.join(dataDir, UPLOADS_DIR, stale))).toBe(false);
    expect(existsSync(path.join(dataDir, UPLOADS_DIR, fresh))).toBe(true);
  });
});
