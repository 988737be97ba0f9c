/**
 * Issue 14, a team on a shared box: every request needs a token, roles limit what a token may
 * do, server-side file access stays in its folders, one writing server per project, and two
 * users' histories stay apart. The server runs in this process; the CLI parts are in
 * team-cli.test.ts.
 */
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiResult, EditResult, ImageDetail, ImportJob, ProjectInfo } from '../../shared/api/contract.js';
import { openRuntime, type Runtime } from '../../electron/app/runtime.js';
import { ServerLockedError } from '../../electron/domain/server-lock.js';
import { addUser, ownerToken } from '../../electron/domain/users.js';
import { runImport } from '../../electron/importer/importer.js';
import { startServer, type RunningServer } from '../../electron/server/server.js';
import { resolveImportRoots } from '../../electron/services/index.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let runtime: Runtime;
let server: RunningServer;
let roots: string[];
const tokens: Record<'owner' | 'alice' | 'bob' | 'tom', string> = { owner: '', alice: '', bob: '', tom: '' };

const png = (shade: number) =>
  sharp({ create: { width: 12, height: 8, channels: 3, background: { r: shade, g: 80, b: 160 } } })
    .png()
    .toBuffer();

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const crops = path.join(dir, 'crops');
  mkdirSync(crops);
  for (let i = 0; i < 6; i++) writeFileSync(path.join(crops, `c${i}.png`), await png(20 + i * 30));
  runtime = openRuntime(path.join(dir, 'data'));
  await runImport({ store: runtime.project.store, dataDir: runtime.project.dataDir }, { paths: [crops] });
  // An import root with one image, a link in it to a folder outside, and a secret outside.
  const incoming = path.join(dir, 'incoming');
  mkdirSync(path.join(incoming, 'batch'), { recursive: true });
  writeFileSync(path.join(incoming, 'batch', 'new.png'), await png(250));
  mkdirSync(path.join(dir, 'private'));
  writeFileSync(path.join(dir, 'private', 'secret.png'), await png(7));
  symlinkSync(path.join(dir, 'private'), path.join(incoming, 'escape'));
  roots = resolveImportRoots([incoming]);
  const { store } = runtime.project;
  tokens.owner = ownerToken(store, runtime.project.dataDir);
  tokens.alice = addUser(store, 'alice', 'labeler');
  tokens.bob = addUser(store, 'bob', 'labeler');
  tokens.tom = addUser(store, 'tom', 'trainer');
  server = await startServer({ ...runtime, rendererDir: path.join(dir, 'no-renderer'), importRoots: roots });
});
afterAll(async () => {
  await server.close();
  runtime.close();
  cleanup();
});

async function call<T>(method: string, payload: unknown = {}, token: string | null = tokens.owner, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    body: JSON.stringify(payload),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: response.status, body: (await response.json()) as ApiResult<T> };
}
async function ok<T>(method: string, payload: unknown = {}, token = tokens.owner): Promise<T> {
  const { body } = await call<T>(method, payload, token);
  if (!body.ok) throw new Error(`${method}: ${body.error.message}`);
  return body.data;
}
const target = (name: string) => runtime.project.store.targets.byName(name)!;

/** Opens the event socket with these headers; resolves with the handshake's HTTP status (101 when it opened). */
function socketStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', reject);
  });
}

describe('authentication', () => {
  it('without a token: 401 on the API, the pages, the media and the WebSocket', async () => {
    const api = await call('project.info', {}, null);
    expect(api.status).toBe(401);
    expect(api.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await call('project.info', {}, 'not-a-real-token-0123456789')).status).toBe(401);
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toMatch(/needs a token/);
    expect((await fetch(`${server.url}/media/image/1`)).status).toBe(401);
    expect((await fetch(`${server.url}/media/thumb/1`)).status).toBe(401);
    expect(await socketStatus({})).toBe(401);
    expect(await socketStatus({ authorization: 'Bearer wrong-token-wrong-token' })).toBe(401);
    // With one, all of it answers.
    expect((await call('project.info')).status).toBe(200);
    expect((await fetch(`${server.url}/media/thumb/1`, { headers: { authorization: `Bearer ${tokens.owner}` } })).status).toBe(200);
    expect(await socketStatus({ authorization: `Bearer ${tokens.alice}` })).toBe(101);
  });

  it('the ?token= link sets an HttpOnly, SameSite=Strict cookie and drops the token from the address; the cookie then signs in the API and the socket', async () => {
    const link = await fetch(`${server.url}/?token=${tokens.alice}`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toBe('./');
    const cookie = link.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const info = await call<ProjectInfo>('project.info', {}, null, { cookie: pair });
    expect(info.body).toMatchObject({ ok: true, data: { user: 'alice', role: 'labeler' } });
    expect(await socketStatus({ cookie: pair })).toBe(101);
    expect((await fetch(`${server.url}/?token=bogus-token-bogus-token`, { redirect: 'manual' })).status).toBe(401);
  });

  it('a removed user is refused at once', async () => {
    const token = addUser(runtime.project.store, 'temp', 'labeler');
    expect((await call('project.info', {}, token)).status).toBe(200);
    runtime.project.store.write(() => runtime.project.store.users.remove('temp'));
    expect((await call('project.info', {}, token)).status).toBe(401);
  });

  it('refuses other origins and foreign Host headers even with a token', async () => {
    expect((await call('project.info', {}, tokens.owner, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('project.info', {}, tokens.owner, { origin: server.url })).status).toBe(200);
  });
});

describe('roles', () => {
  it('a labeler labels, but cannot start training, import a server path, delete a class or export (403, recorded in the audit log)', async () => {
    const font = target('font_style');
    expect((await call('annotations.set', { imageId: 1, targetId: font.id, label: { kind: 'value', value: 'serif' } }, tokens.alice)).status).toBe(200);
    const spec = {
      name: 'x',
      inputs: [{ name: 'x', height: 8, width: 8 }],
      trunk: { preset: 'mlp', hidden: [4] },
      heads: [{ name: 'f', target: { kind: 'target', target: 'font_style' } }],
    };
    const refused = [
      await call('training.start', { spec }, tokens.alice),
      await call('imports.start', { paths: [path.join(roots[0]!, 'batch')] }, tokens.alice),
      await call('targets.deleteClass', { targetId: font.id, classId: font.classes[0]!.id }, tokens.alice),
      await call('training.export', { runId: 1, out: 'm' }, tokens.alice),
      await call('exports.labels', { format: 'csv' }, tokens.alice),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/alice is a labeler.*trainer role/) } });
    }
    await new Promise((resolve) => setTimeout(resolve, 400)); // the audit log is written a quarter second later
    const denied = runtime.project.store.db.prepare("SELECT user, action FROM audit_log WHERE outcome = 'denied' AND user = 'alice'").all();
    expect(denied).toEqual(
      expect.arrayContaining([
        { user: 'alice', action: 'training.start' },
        { user: 'alice', action: 'imports.start' },
      ]),
    );
    const done = runtime.project.store.db.prepare("SELECT user, action FROM audit_log WHERE outcome = 'ok' AND user = 'alice'").all();
    expect(done).toContainEqual({ user: 'alice', action: 'annotations.set' });
  });

  it('records who wrote each label', async () => {
    await ok('annotations.set', { imageId: 2, targetId: target('script').id, label: { kind: 'value', value: 'greek' } }, tokens.bob);
    const detail = await ok<ImageDetail>('images.get', { id: 2 });
    expect(detail.annotations.find((a) => a.targetId === target('script').id)).toMatchObject({ value: 'greek', author: 'bob' });
  });

  it('server paths only for admins', async () => {
    expect((await ok<ProjectInfo>('project.info', {}, tokens.alice)).dataDir).toBe('data');
    expect((await ok<ProjectInfo>('project.info')).dataDir).toBe(runtime.project.dataDir);
    expect((await ok<ImageDetail>('images.get', { id: 1 }, tokens.alice)).originalPath).toBe('c0.png');
    expect((await ok<ImageDetail>('images.get', { id: 1 })).originalPath).toBe(path.join(dir, 'crops', 'c0.png'));
  });
});

describe('scoped file access', () => {
  it('imports.start reads only inside the import roots: outside, and a symlink escaping a root, are refused (403) before anything is read', async () => {
    for (const outside of [
      path.join(dir, 'private'),
      path.join(dir, 'private', 'secret.png'),
      '/etc',
      '../private',
      path.join(roots[0]!, 'escape'),
      path.join(roots[0]!, 'escape', 'secret.png'),
    ]) {
      const r = await call<ImportJob>('imports.start', { paths: [outside] }, tokens.tom);
      expect(r.status, outside).toBe(403);
      expect(r.body).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(/outside the folders this server may import from/) },
      });
    }
    const before = runtime.project.store.images.count();
    const job = await ok<ImportJob>('imports.start', { paths: ['batch'] }, tokens.tom);
    expect(job.paths).toEqual([path.join('incoming', 'batch')]); // a trainer sees the path from its root, not the server's folders
    await expect.poll(async () => (await ok<ImportJob>('imports.status', { jobId: job.jobId }, tokens.tom)).state).toBe('finished');
    expect(runtime.project.store.images.count()).toBe(before + 1);
  });

  it('/media refuses a stored file whose real path leaves the project (a symlink put in its place)', async () => {
    const row = runtime.project.store.images.get(3)!;
    const stored = path.join(runtime.project.dataDir, row.stored_path);
    const auth = { headers: { authorization: `Bearer ${tokens.owner}` } };
    expect((await fetch(`${server.url}/media/image/3`, auth)).status).toBe(200);
    const kept = readFileSync(stored);
    rmSync(stored);
    symlinkSync(path.join(dir, 'private', 'secret.png'), stored);
    try {
      const media = await fetch(`${server.url}/media/image/3`, auth);
      expect(media.status).toBe(404);
      expect(Buffer.from(await media.arrayBuffer()).equals(readFileSync(path.join(dir, 'private', 'secret.png')))).toBe(false);
    } finally {
      rmSync(stored);
      writeFileSync(stored, kept);
    }
    expect((await fetch(`${server.url}/media/image/3`, auth)).status).toBe(200);
  });

  it('exports through the server stay in the project exports/ folder', async () => {
    const r = await call('exports.dataset', { format: 'jsonl', out: path.join(dir, 'private', 'out') }, tokens.tom);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ ok: false, error: { message: expect.stringMatching(/exports\/ folder/) } });
  });
});

describe('one project, several processes', () => {
  it('a second writing server on the same folder is refused, naming the holder; a read-only one serves beside it and changes nothing', async () => {
    const second = openRuntime(runtime.project.dataDir);
    try {
      const refusal = await startServer({ ...second, rendererDir: path.join(dir, 'no-renderer') }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ServerLockedError);
      expect((refusal as Error).message).toMatch(new RegExp(`serving .*data: process ${process.pid} on \\S+ \\(user \\S+, since .*, serving ${server.url}\\)`));
      const readOnly = await startServer({ ...second, rendererDir: path.join(dir, 'no-renderer'), readOnly: true });
      try {
        const write = await fetch(`${readOnly.url}/api/annotations.set`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.owner}` },
          body: JSON.stringify({ imageId: 1, targetId: target('script').id, label: { kind: 'unknown' } }),
        });
        expect(write.status).toBe(403);
        expect(((await write.json()) as ApiResult<unknown>).ok).toBe(false);
        const read = await fetch(`${readOnly.url}/api/project.info`, { method: 'POST', headers: { authorization: `Bearer ${tokens.owner}` }, body: '{}' });
        expect(((await read.json()) as ApiResult<ProjectInfo>).ok).toBe(true);
      } finally {
        await readOnly.close();
      }
    } finally {
      second.close();
    }
  });

  it('a class another process adds is usable at once; adding it again is a 409, not a 500', async () => {
    const other = openRuntime(runtime.project.dataDir);
    try {
      const font = other.project.store.targets.byName('font_style')!;
      other.project.store.targets.addClass(font.id, 'gothic');
    } finally {
      other.close();
    }
    const set = await call('annotations.set', { imageId: 4, targetId: target('font_style').id, label: { kind: 'value', value: 'gothic' } });
    expect(set.status).toBe(200);
    const again = await call('targets.addClass', { targetId: target('font_style').id, name: 'gothic' });
    expect(again.status).toBe(409);
  });

  it("two users' undo stay separate, and an undo never reverts another user's later edit", async () => {
    const script = target('script').id;
    const font = target('font_style').id;
    await ok('annotations.set', { imageId: 5, targetId: script, label: { kind: 'value', value: 'latin' } }, tokens.alice);
    await ok('annotations.set', { imageId: 6, targetId: script, label: { kind: 'value', value: 'thai' } }, tokens.bob);
    // Alice's undo takes back her step, not Bob's newer one.
    const undone = await ok<EditResult>('annotations.undo', {}, tokens.alice);
    expect(undone).toMatchObject({ description: 'script of image 5', kept: 0 });
    const labelOf = async (id: number, t: number) => (await ok<ImageDetail>('images.get', { id })).labels[t]?.value ?? 'pending';
    expect(await labelOf(5, script)).toBe('pending');
    expect(await labelOf(6, script)).toBe('thai');
    // Alice labels image 6's font, Bob changes it afterwards: Alice's undo keeps Bob's label and says so.
    await ok('annotations.set', { imageId: 6, targetId: font, label: { kind: 'value', value: 'serif' } }, tokens.alice);
    await ok('annotations.set', { imageId: 6, targetId: font, label: { kind: 'value', value: 'mono' } }, tokens.bob);
    const kept = await ok<EditResult>('annotations.undo', {}, tokens.alice);
    expect(kept).toMatchObject({ description: 'font_style of image 6', kept: 1, keptBy: ['bob'] });
    expect(await labelOf(6, font)).toBe('mono');
    // Bob's own history is whole: his undo takes back his font, then his script.
    expect((await ok<EditResult>('annotations.undo', {}, tokens.bob)).description).toBe('font_style of image 6');
    expect(await labelOf(6, font)).toBe('serif');
    expect((await ok<EditResult>('annotations.undo', {}, tokens.bob)).description).toBe('script of image 6');
  });
});
