/**
 * The Train view with training forced onto WebGPU (POLYHEAD_BACKEND=webgpu, as the server's
 * environment): it names the adapter, and warns when it is a software one (here and in CI: Mesa's
 * llvmpipe through Dawn's OpenGL ES backend). Screenshot: test-results/train-webgpu.png.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';
import { closeApp, openApp, screenshotsDir, type App } from './browser.js';

let cleanup: () => void;
let server: App['server'];
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  const data = path.join(dir, 'data');
  const imported = cli(['import', '--data', data, sampleDir]);
  expect(imported.status, imported.stderr).toBe(0);
  const before = process.env.POLYHEAD_BACKEND;
  process.env.POLYHEAD_BACKEND = 'webgpu';
  try {
    ({ server, browser, page } = await openApp(data, problems, { warnings: true }));
  } finally {
    if (before === undefined) delete process.env.POLYHEAD_BACKEND;
    else process.env.POLYHEAD_BACKEND = before;
  }
});

afterAll(async () => {
  const code = await closeApp({ server, browser });
  if (server) expect(code).toBe(0);
  cleanup?.();
});

describe('Train view on WebGPU', () => {
  it('names the WebGPU adapter training runs on, and warns that a software adapter is one', async () => {
    await page.goto(`${server.url}/#/train`);
    await page.waitForSelector('[data-testid=backend-name]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid=backend-name]')).toBe('webgpu');
    const reason = await page.textContent('[data-testid=backend]');
    expect(reason).toMatch(/requested \(webgpu\): WebGPU on .*isFallbackAdapter (true|false), via Dawn/);
    const adapter = page.locator('[data-testid=backend-adapter]');
    expect(await adapter.textContent()).toMatch(/GPU adapter: \S+.*via Dawn/);
    if (/llvmpipe|swiftshader|lavapipe/i.test(reason ?? '')) {
      expect(await adapter.getAttribute('class')).toContain('warning');
      expect(await adapter.textContent()).toMatch(/a software adapter \(CPU emulation\)/);
    }
    await page.screenshot({ path: path.join(screenshotsDir, 'train-webgpu.png') });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(problems).toEqual([]);
  });
});
