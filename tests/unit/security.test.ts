import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpcInvokeHandler, isAppUrl, secureWebPreferences } from '../../electron/main/security.js';
import { Project } from '../../electron/domain/project.js';
import { CONTENT_SECURITY_POLICY, insideRoot, serveAsset } from '../../electron/server/assets.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
let project: Project;
let rendererDir: string;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  project = Project.open(path.join(dir, 'data'));
  rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
});
afterAll(() => {
  project.close();
  cleanup();
});

describe('desktop shell rules', () => {
  it('knows its own origin', () => {
    expect(isAppUrl('polyhead://app/index.html')).toBe(true);
    expect(isAppUrl('polyhead://app/index.html#/label/3')).toBe(true);
    for (const url of ['https://app/index.html', 'polyhead://evil/index.html', 'file:///etc/passwd', 'about:blank', '', undefined, 'not a url']) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
  });

  it('opens windows isolated, sandboxed and without Node', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('refuses IPC from frames that are not the app, and validates the rest', async () => {
    const calls: unknown[] = [];
    const handler = createIpcInvokeHandler(async (method, payload) => {
      calls.push([method, payload]);
      return { ok: true, data: null };
    });
    expect(await handler('https://evil.example/', 'images.list', {})).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await handler(undefined, 'images.list', {})).toMatchObject({ ok: false });
    expect(await handler('polyhead://app/index.html', 42, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(calls).toEqual([]);
    expect(await handler('polyhead://app/index.html', 'images.list', { limit: 1 })).toEqual({ ok: true, data: null });
    expect(calls).toEqual([['images.list', { limit: 1 }]]);
  });
});

describe('assets and media never leave their folders', () => {
  it('resolves paths inside the root only', () => {
    expect(insideRoot('/r', '/a/b.js')).toBe(path.resolve('/r/a/b.js'));
    expect(insideRoot('/r', '/../etc/passwd')).toBe(path.resolve('/r/etc/passwd'));
    expect(project.resolveStored('images/ab/x.png')).toBe(path.join(project.dataDir, 'images/ab/x.png'));
    expect(project.resolveStored('../secret.txt')).toBeNull();
    expect(project.resolveStored('/etc/passwd')).toBeNull();
  });

  it('serves the renderer with the CSP and refuses traversal', async () => {
    const index = await serveAsset(project, rendererDir, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect((await serveAsset(project, rendererDir, '/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    for (const evil of ['/../secret.txt', '/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt']) {
      const asset = await serveAsset(project, rendererDir, evil);
      expect(String(asset.body), evil).not.toContain('TOP-SECRET-CONTENT');
    }
    expect((await serveAsset(project, rendererDir, '/missing.js')).status).toBe(404);
    expect((await serveAsset(project, rendererDir, '/media/thumb/999')).status).toBe(404);
    expect((await serveAsset(project, rendererDir, '/media/image/1%00')).status).toBe(400);
    expect((await serveAsset(project, rendererDir, '/media/image/abc')).status).toBe(404);
  });
});
