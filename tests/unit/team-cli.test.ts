/**
 * Issue 14 through the `polyhead` command: a second server refused, the CLI writing beside a
 * running server (a class it adds usable at once), a damaged database refused at open with how
 * to recover, check, backup, audit, users, and reading commands on a read-only project.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDetail } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { callServer, cli, cliPath, serve, stop, type Served } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let data: string;
let server: Served | null = null;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  data = path.join(dir, 'data');
  expect(cli(['import', '--data', data, sampleDir]).status).toBe(0);
});
afterAll(async () => {
  if (server) await stop(server.child);
  cleanup();
});

/** Copies the project (database only) to a new folder, checkpointed: the file holds every page. */
function copyProject(name: string): string {
  const to = path.join(dir, name);
  const source = new Database(path.join(data, 'polyhead.sqlite'));
  source.pragma('wal_checkpoint(TRUNCATE)');
  source.close();
  cpSync(data, to, { recursive: true, filter: (src) => !src.includes(`${path.sep}images`) && !/-(wal|shm)$/.test(src) && !src.endsWith('server.lock') });
  return to;
}

describe('polyhead serve beside other processes', () => {
  it('a second server on the same folder refuses to start, naming the one that serves it', async () => {
    server = await serve(['--data', data]);
    const second = spawnSync(process.execPath, [cliPath, 'serve', '--data', data], { encoding: 'utf8', timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`Another Polyhead server is serving .*data: process ${server.child.pid} on \\S+ \\(user \\S+, since \\S+, serving ${server.url}\\)`),
    );
    expect(second.stderr).toMatch(/--read-only/);
  });

  it('a class `polyhead import` adds while the server runs is usable through the API at once', async () => {
    const src = path.join(dir, 'more');
    mkdirSync(src);
    await sharp({ create: { width: 20, height: 10, channels: 3, background: '#123456' } })
      .png()
      .toFile(path.join(src, 'x.png'));
    await sharp({ create: { width: 21, height: 10, channels: 3, background: '#654321' } })
      .png()
      .toFile(path.join(src, 'y.png'));
    writeFileSync(path.join(src, 'labels.csv'), 'file,font_style\nx.png,blackletter\n');
    const imported = cli(['import', '--data', data, src]);
    expect(imported.status, imported.stderr).toBe(0);
    const font = (await callServer<TargetDef[]>(server!.url, 'targets.list')).find((t) => t.name === 'font_style')!;
    expect(font.classes.map((c) => c.name)).toContain('blackletter');
    await callServer(server!.url, 'annotations.set', { imageId: 2, targetId: font.id, label: { kind: 'value', value: 'blackletter' } });
    const detail = await callServer<ImageDetail>(server!.url, 'images.get', { id: 2 });
    expect(detail.labels[font.id]?.value).toBe('blackletter');
    // Adding it again is a conflict the caller can read, not an internal error.
    await expect(callServer(server!.url, 'targets.addClass', { targetId: font.id, name: 'blackletter' })).rejects.toThrow(/already has a class 'blackletter'/);
  });

  it('users: add prints a token once, which then signs in with its role; remove ends it', async () => {
    const added = cli(['users', 'add', 'ana', '--role', 'labeler', '--data', data]);
    expect(added.status, added.stderr).toBe(0);
    const token = /^token for ana \(labeler\): (\S+)$/m.exec(added.stdout)![1]!;
    expect(cli(['users', 'list', '--data', data]).stdout).toMatch(/^ana\s+labeler/m);
    const who = await callServer<{ user: string; role: string }>(server!.url, 'project.info', {}, token);
    expect(who).toMatchObject({ user: 'ana', role: 'labeler' });
    await expect(callServer(server!.url, 'training.start', { spec: {} }, token)).rejects.toThrow(/ana is a labeler/);
    expect(cli(['users', 'add', 'ana', '--data', data]).status).toBe(1);
    expect(cli(['users', 'add', 'eve', '--role', 'root', '--data', data]).status).toBe(2);
    expect(cli(['users', 'remove', 'ana', '--data', data]).status).toBe(0);
    await expect(callServer(server!.url, 'project.info', {}, token)).rejects.toThrow(/needs a token/);
    // The database keeps only hashes of tokens.
    const db = new Database(path.join(data, 'polyhead.sqlite'), { readonly: true });
    expect(JSON.stringify(db.prepare('SELECT * FROM users').all())).not.toContain(token);
    db.close();
  });

  it('backup copies the database while the server runs (checked), and audit exports who changed what', async () => {
    const out = path.join(dir, 'backup.sqlite');
    const backup = cli(['backup', '--data', data, '--out', out]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^backed up .* to .*backup\.sqlite \(\d+\.\d MB, \d+ ms, checked\)$/m);
    const copy = new Database(out, { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 302 });
    copy.close();
    expect(cli(['backup', '--data', data, '--out', out]).status).toBe(2); // never over a file
    await new Promise((resolve) => setTimeout(resolve, 500));
    const audit = cli(['audit', '--data', data]);
    expect(audit.status, audit.stderr).toBe(0);
    const entries = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user: string; action: string; outcome: string });
    expect(entries).toContainEqual(expect.objectContaining({ user: 'owner', action: 'annotations.set', outcome: 'ok' }));
    expect(entries).toContainEqual(expect.objectContaining({ user: 'ana', action: 'training.start', outcome: 'denied' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'users.remove', outcome: 'ok' }));
    expect(cli(['audit', '--data', data, '--format', 'csv']).stdout).toMatch(/^id,at,user,action,outcome,detail\n/);
    await stop(server!.child);
    server = null;
  });
});

describe('a damaged database', () => {
  it('is refused at open (info, serve) with how to recover, exit code 4; check finds it; a sound copy passes', () => {
    const sound = copyProject('sound');
    expect(cli(['check', '--data', sound]).stdout).toMatch(/^ok: .* passed integrity_check and foreign_key_check/m);
    const damaged = copyProject('damaged');
    const file = path.join(damaged, 'polyhead.sqlite');
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'annotations'").get() as { rootpage: number }).rootpage;
    db.close();
    // Random bytes over the annotations' root page, as a bad disk sector would leave it.
    const fd = openSync(file, 'r+');
    const junk = Buffer.alloc(pageSize);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761 + 12345) >>> 24;
    writeSync(fd, junk, 0, junk.length, (root - 1) * pageSize);
    closeSync(fd);
    for (const args of [
      ['info', '--data', damaged],
      ['serve', '--data', damaged, '--no-backup'],
      ['check', '--data', damaged],
    ]) {
      const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status, args[0]).toBe(4);
      expect(result.stderr, args[0]).toMatch(/is damaged .*Polyhead will not open it.*copy the newest backup over it.*\.recover/s);
    }
    // A file that is not a database at all says the same.
    const header = copyProject('header');
    const hfd = openSync(path.join(header, 'polyhead.sqlite'), 'r+');
    writeSync(hfd, Buffer.from('this is not sqlite'), 0, 18, 0);
    closeSync(hfd);
    const info = cli(['info', '--data', header]);
    expect(info.status).toBe(4);
    expect(info.stderr).toMatch(/is damaged/);
  });
});

describe('reading commands on a read-only project', () => {
  it('info opens it read-only and changes nothing', () => {
    const ro = copyProject('readonly');
    const before = readdirSync(ro).sort();
    const mtime = statSync(path.join(ro, 'polyhead.sqlite')).mtimeMs;
    chmodSync(path.join(ro, 'polyhead.sqlite'), 0o444);
    chmodSync(ro, 0o555);
    try {
      // As root, permissions do not bind: run it as nobody then, so the folder really is read-only to it.
      const asNobody = process.getuid?.() === 0 && existsSync('/usr/bin/setpriv');
      if (asNobody) chmodSync(dir, 0o755);
      const command = asNobody ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
      const result = spawnSync(command[0]!, [...command.slice(1), cliPath, 'info', '--data', ro, '--json'], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as { images: number }).images).toBe(302);
    } finally {
      chmodSync(ro, 0o755);
    }
    expect(readdirSync(ro).sort()).toEqual(before);
    expect(statSync(path.join(ro, 'polyhead.sqlite')).mtimeMs).toBe(mtime);
  });
});
