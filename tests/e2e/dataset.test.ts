import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { importSample } from '../cli-helpers.js';
import { sampleDir } from '../helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

// The import panel's typed path is read by the server: only inside its import roots.
const app = useApp({ project: importSample, page: { warnings: true }, importRoot: true, cleanExit: true });
/** A row of the bundled sample's labels.csv: file, digits, length, font_style, script. */
const sampleRow = (file: string) =>
  readFileSync(path.join(sampleDir, 'labels.csv'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${file},`))!
    .split(',');

describe('server mode in Chromium', () => {
  it('shows the imported images in a virtualised grid with their label status', async () => {
    await app.page.goto(`${app.server.url}/`);
    await expect.poll(() => app.page.textContent('[data-testid=image-count]'), { timeout: 15_000 }).toBe('300 images');
    await app.page.waitForSelector('.cell[data-image-id] img');
    const rendered = await app.page.locator('.cell[data-image-id]').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(300); // virtualised: only the rows in view (and a few more) exist
    // Thumbnails really load through the media route.
    await expect.poll(() => app.page.$eval('.cell[data-image-id="1"] img', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // The first sample crop is fully labelled (green), hn-0008 is untouched (grey).
    expect(await app.page.getAttribute('.cell[data-image-id="1"]', 'class')).toContain('complete');
    expect(await app.page.textContent('.cell[data-image-id="1"] .seq')).toBe(sampleRow('hn-0000.png')[1]);
    expect(await app.page.getAttribute('.cell[data-image-id="9"]', 'class')).toContain('pending');
    // Per-target progress is on screen.
    expect(await app.page.textContent('.target-progress [data-target="digits"] .counts')).toBe('240/300');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'dataset.png') });

    // Scrolling to the end renders the last image.
    await app.page.$eval('.grid-scroll', (el) => el.scrollTo(0, el.scrollHeight));
    await app.page.waitForSelector('.cell[data-image-id="300"]');
    expect(await app.page.locator('.cell[data-image-id="1"]').count()).toBe(0);
  });

  it('filters by label status', async () => {
    await app.page.selectOption('select[name=status]', 'untouched');
    await expect.poll(() => app.page.textContent('[data-testid=image-count]')).toBe('60 images');
    await app.page.selectOption('select[name=status]', 'any');
    await expect.poll(() => app.page.textContent('[data-testid=image-count]')).toBe('300 images');
  });

  it('imports a folder from the import bar with a progress bar and a summary', async () => {
    const src = path.join(app.dir, 'new-crops');
    mkdirSync(src);
    for (let i = 0; i < 5; i++) {
      await sharp({ create: { width: 30 + i, height: 20, channels: 3, background: { r: 40 * i, g: 90, b: 200 } } })
        .png()
        .toFile(path.join(src, `n${i}.png`));
    }
    writeFileSync(path.join(src, 'broken.png'), 'not a png');
    writeFileSync(path.join(src, 'labels.jsonl'), '{"file":"n0.png","digits":"77","script":"latin"}\n');
    await app.page.fill('input[name=import-path]', src);
    await app.page.click('button[type=submit]');
    await app.page.waitForSelector('.import-status[data-state="finished"]', { timeout: 30_000 });
    expect(await app.page.textContent('.import-status .summary')).toMatch(/Imported 5, 0 duplicates skipped,\s+1 rejected, 2 labels applied/);
    await expect.poll(() => app.page.textContent('[data-testid=image-count]')).toBe('305 images');
    expect(await app.page.$eval('.import-status progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([6, 6]);
    await app.page.click('.import-status button.link');
    expect(await app.page.textContent('.problems')).toMatch(/broken\.png: not an image/);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'dataset-after-import.png') });
  });

  it('opens an image in the Label view with its three label states', async () => {
    // Image 6 is hn-0005.png: digits unreadable ('?'), length known.
    await app.page.goto(`${app.server.url}/#/label/6`);
    await expect.poll(() => app.page.textContent('.stage figcaption')).toMatch(/hn-0005\.png/);
    expect(await app.page.getAttribute('.target-control[data-target="digits"]', 'data-state')).toBe('unknown');
    expect(sampleRow('hn-0005.png')[1]).toBe('?');
    expect(await app.page.getAttribute('.target-control[data-target="length"] .chip.selected', 'data-value')).toBe(sampleRow('hn-0005.png')[2]);
    await app.page.goto(`${app.server.url}/#/label/7`);
    await expect.poll(() => app.page.textContent('.stage figcaption')).toMatch(/hn-0006\.png/);
    expect(await app.page.getAttribute('.target-control[data-target="font_style"]', 'data-state')).toBe('pending');
    expect(await app.page.getAttribute('.target-control[data-target="script"]', 'data-state')).toBe('value');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'label.png') });
  });

  it('shows in the Train view which backend training runs on, and why', async () => {
    await app.page.goto(`${app.server.url}/#/train`);
    await app.page.waitForSelector('[data-testid=backend-name]', { timeout: 30_000 });
    expect(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).toContain(await app.page.textContent('[data-testid=backend-name]'));
    expect(await app.page.textContent('[data-testid=backend]')).toMatch(/Training runs on \S+: .{20,}/);
    expect(await app.page.textContent('[data-testid=backend]')).not.toContain('Checking which backend'); // answered: no stale line under it
    await app.page.screenshot({ path: path.join(screenshotsDir, 'train.png') });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
