import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const count = () => app.page.textContent('[data-testid=image-count]');
const names = () => app.page.$$eval('.cell[data-image-id] img', (imgs) => imgs.map((i) => i.getAttribute('alt')));

async function crop(file: string, shade: number, width = 40): Promise<void> {
  await sharp({ create: { width, height: 20, channels: 3, background: { r: shade, g: 120, b: 200 } } })
    .png()
    .toFile(file);
}

/**
 * A folder as a user has it: crops with their labels CSV, one crop in a subfolder, and one
 * large crop (random pixels, so it stays large) that makes the upload slow enough to watch;
 * and loose files, uploaded on their own. The project itself starts empty.
 */
async function makeCrops(dir: string): Promise<string> {
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
  for (let i = 0; i < 2; i++) await crop(path.join(dir, `loose-${i}.png`), 90 + i, 30 + i);
  return path.join(dir, 'data');
}

// Typed paths are read by the server: only inside the folders it was started with.
const app = useApp({ project: makeCrops, page: { warnings: true }, importRoot: true, cleanExit: true });

describe('uploading from the browser (server mode)', () => {
  it('uploads a folder with its labels CSV, with progress, then imports it: images and labels visible', async () => {
    await app.page.goto(`${app.server.url}/#/dataset`);
    await expect.poll(count, { timeout: 15_000 }).toBe('0 images');
    expect(await app.page.textContent('.empty')).toContain('drop one here');
    // Slow the upload down (about 1 MB/s) so the progress is seen as it happens.
    const cdp = await app.page.context().newCDPSession(app.page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
    await app.page.setInputFiles('input[name=upload-folder]', path.join(app.dir, 'street-crops'));
    await app.page.waitForSelector('[data-testid=upload-status][data-state=running]');
    await expect.poll(() => app.page.$eval('.upload-status progress', (p) => (p as HTMLProgressElement).value), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await app.page.textContent('[data-testid=upload-status]')).toMatch(/Uploading \d \/ 6 files, [\d.]+ of [\d.]+ MB/);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'upload-progress.png') });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    await app.page.waitForSelector('.import-status[data-state="finished"]', { timeout: 60_000 });
    expect(await app.page.textContent('.import-status .summary')).toMatch(/Imported 5, 0 duplicates skipped,\s+0 rejected, 6 labels applied\s*$/);
    await expect.poll(count).toBe('5 images');
    await app.page.selectOption('select[name=sort]', 'name');
    await expect
      .poll(names)
      // Named relative to the folder, as when the folder is imported from disk.
      .toEqual(['big.png', 'night/n0.png', 's0.png', 's1.png', 's2.png']);
    // The labels came with the folder: s1.png is 345, greek.
    const s1 = app.page.locator('.cell[data-image-id]', { has: app.page.locator('img[alt="s1.png"]') });
    expect(await s1.locator('.seq').textContent()).toBe('345');
    expect(await s1.locator('.badge').allTextContents()).toEqual(['greek']);
    await expect.poll(() => app.page.$eval('.cell[data-image-id] img', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // Once imported, the upload's copy is gone from the project folder.
    await expect.poll(() => readdirSync(path.join(app.data, 'uploads'))).toEqual([]);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'upload-imported.png') });
  });

  it('uploads loose files, and files dropped on the window', async () => {
    await app.page.setInputFiles('input[name=upload-files]', [path.join(app.dir, 'loose-0.png')]);
    await expect.poll(count, { timeout: 30_000 }).toBe('6 images');
    // A drop as the desktop makes it: files in a DataTransfer, dropped anywhere on the page.
    const bytes = [
      ...(await sharp({ create: { width: 33, height: 20, channels: 3, background: '#884422' } })
        .png()
        .toBuffer()),
    ];
    await app.page.evaluate((png) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(png)], 'dropped.png', { type: 'image/png' }));
      const target = document.querySelector('.grid-scroll')!;
      for (const type of ['dragenter', 'dragover']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      (window as unknown as { __overlay: boolean }).__overlay = document.querySelector('[data-testid=drop-overlay]') !== null;
      target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    }, bytes);
    await expect.poll(count, { timeout: 30_000 }).toBe('7 images');
    expect(await names()).toContain('dropped.png');
    expect(await app.page.locator('[data-testid=drop-overlay]').count()).toBe(0);
  });

  it('typed paths keep working next to uploads', async () => {
    await app.page.fill('input[name=import-path]', path.join(app.dir, 'loose-1.png'));
    await app.page.click('button[type=submit]');
    await expect.poll(count, { timeout: 30_000 }).toBe('8 images');
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await app.page.screenshot({ path: path.join(screenshotsDir, 'upload-1024.png') });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
