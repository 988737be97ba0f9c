import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { closeApp, openApp, screenshotsDir, type App } from './browser.js';

let dir: string;
let data: string;
let cleanup: () => void;
let server: App['server'];
let browser: Browser;
let page: Page;
const problems: string[] = [];
const count = () => page.textContent('[data-testid=image-count]');
const names = () => page.$$eval('.cell[data-image-id] img', (imgs) => imgs.map((i) => i.getAttribute('alt')));

async function crop(file: string, shade: number, width = 40): Promise<void> {
  await sharp({ create: { width, height: 20, channels: 3, background: { r: shade, g: 120, b: 200 } } })
    .png()
    .toFile(file);
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  data = path.join(dir, 'data');
  // A folder as a user has it: crops with their labels CSV, one crop in a subfolder, and one
  // large crop (random pixels, so it stays large) that makes the upload slow enough to watch.
  const crops = path.join(dir, 'street-crops');
  mkdirSync(path.join(crops, 'night'), { recursive: true });
  for (let i = 0; i < 3; i++) await crop(path.join(crops, `s${i}.png`), 30 * i);
  await crop(path.join(crops, 'night', 'n0.png'), 200);
  const noise = Buffer.alloc(700 * 700 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  await sharp(noise, { raw: { width: 700, height: 700, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toFile(path.join(crops, 'big.png'));
  writeFileSync(path.join(crops, 'labels.csv'), 'file,digits,script\ns0.png,12,latin\ns1.png,345,greek\nnight/n0.png,7,latin\n');
  // Loose files, uploaded on their own.
  for (let i = 0; i < 2; i++) await crop(path.join(dir, `loose-${i}.png`), 90 + i, 30 + i);
  // Typed paths are read by the server: only inside the folders it was started with.
  ({ server, browser, page } = await openApp(data, problems, { warnings: true }, ['--import-root', dir]));
});

afterAll(async () => {
  const code = await closeApp({ server, browser });
  if (server) expect(code).toBe(0);
  cleanup?.();
});

describe('uploading from the browser (server mode)', () => {
  it('uploads a folder with its labels CSV, with progress, then imports it: images and labels visible', async () => {
    await page.goto(`${server.url}/#/dataset`);
    await expect.poll(count, { timeout: 15_000 }).toBe('0 images');
    expect(await page.textContent('.empty')).toContain('drop one here');
    // Slow the upload down (about 1 MB/s) so the progress is seen as it happens.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    await page.setInputFiles('input[name=upload-folder]', path.join(dir, 'street-crops'));
    await page.waitForSelector('[data-testid=upload-status][data-state=running]');
    await expect.poll(() => page.$eval('.upload-status progress', (p) => (p as HTMLProgressElement).value), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=upload-status]')).toMatch(/Uploading \d \/ 6 files, [\d.]+ of [\d.]+ MB/);
    await page.screenshot({ path: path.join(screenshotsDir, 'upload-progress.png') });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    await page.waitForSelector('.import-status[data-state="finished"]', { timeout: 60_000 });
    expect(await page.textContent('.import-status .summary')).toMatch(/Imported 5, 0 duplicates skipped,\s+0 rejected, 6 labels applied\s*$/);
    await expect.poll(count).toBe('5 images');
    await page.selectOption('select[name=sort]', 'name');
    await expect
      .poll(names)
      // Named relative to the folder, as when the folder is imported from disk.
      .toEqual(['big.png', 'night/n0.png', 's0.png', 's1.png', 's2.png']);
    // The labels came with the folder: s1.png is 345, greek.
    const s1 = page.locator('.cell[data-image-id]', { has: page.locator('img[alt="s1.png"]') });
    expect(await s1.locator('.seq').textContent()).toBe('345');
    expect(await s1.locator('.badge').allTextContents()).toEqual(['greek']);
    await expect.poll(() => page.$eval('.cell[data-image-id] img', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // Once imported, the upload's copy is gone from the project folder.
    await expect.poll(() => readdirSync(path.join(data, 'uploads'))).toEqual([]);
    await page.screenshot({ path: path.join(screenshotsDir, 'upload-imported.png') });
  });

  it('uploads loose files, and files dropped on the window', async () => {
    await page.setInputFiles('input[name=upload-files]', [path.join(dir, 'loose-0.png')]);
    await expect.poll(count, { timeout: 30_000 }).toBe('6 images');
    // A drop as the desktop makes it: files in a DataTransfer, dropped anywhere on the page.
    const bytes = [
      ...(await sharp({ create: { width: 33, height: 20, channels: 3, background: '#884422' } })
        .png()
        .toBuffer()),
    ];
    await page.evaluate((png) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(png)], 'dropped.png', { type: 'image/png' }));
      const target = document.querySelector('.grid-scroll')!;
      for (const type of ['dragenter', 'dragover']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      (window as unknown as { __overlay: boolean }).__overlay = document.querySelector('[data-testid=drop-overlay]') !== null;
      target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }, bytes);
    await expect.poll(count, { timeout: 30_000 }).toBe('7 images');
    expect(await names()).toContain('dropped.png');
    expect(await page.locator('[data-testid=drop-overlay]').count()).toBe(0);
  });

  it('typed paths keep working next to uploads', async () => {
    await page.fill('input[name=import-path]', path.join(dir, 'loose-1.png'));
    await page.click('button[type=submit]');
    await expect.poll(count, { timeout: 30_000 }).toBe('8 images');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: path.join(screenshotsDir, 'upload-1024.png') });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(problems).toEqual([]);
  });
});
