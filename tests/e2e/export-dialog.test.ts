/**
 * Issue 13 in the browser (server mode): the Dataset view's "Export labels…" dialog downloads a
 * labels file that brings every label back in a fresh project with the same images, and the
 * import panel labels images from their folder names.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, importUnlabeledSample } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';
import { writeDistinctPng } from '../image-fixtures.js';
import { closeApp, openApp, screenshotsDir, type App } from './browser.js';

let dir: string;
let cleanup: () => void;
let data: string;
let server: App['server'];
let browser: Browser;
let page: Page;
const problems: string[] = [];

type Stats = { images: number; targets: { name: string; labeled: number; unknown: number; pending: number; classes: { name: string; count: number }[] }[] };
const info = (project: string) => JSON.parse(cli(['info', '--data', project, '--json']).stdout) as Stats;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  data = path.join(dir, 'data');
  const imported = cli(['import', '--data', data, sampleDir]);
  expect(imported.status, imported.stderr).toBe(0);
  ({ server, browser, page } = await openApp(data, problems, { warnings: true }, ['--import-root', dir]));
});

afterAll(async () => {
  const code = await closeApp({ server, browser });
  if (server) expect(code).toBe(0);
  cleanup?.();
});

describe('export dialog', () => {
  it('downloads the labels as CSV; imported alone into a fresh project with the same images, they are all back', async () => {
    await page.goto(`${server.url}/`);
    await expect.poll(() => page.textContent('[data-testid=image-count]'), { timeout: 15_000 }).toBe('300 images');
    await page.click('[data-testid=export-labels]');
    await page.waitForSelector('.dialog .export-form');
    await page.check('input[name=export-labeled]');
    await page.screenshot({ path: path.join(screenshotsDir, 'export-dialog.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-run]')]);
    expect(download.suggestedFilename()).toBe('polyhead-labels.csv');
    const file = path.join(dir, 'downloaded.csv');
    await download.saveAs(file);
    const stats = info(data);
    const untouched = 60; // the sample's crops nobody labeled (tests/e2e/dataset.test.ts)
    await expect.poll(() => page.textContent('[data-testid=export-result]')).toBe(`Exported ${stats.images - untouched} rows as polyhead-labels.csv.`);
    await page.screenshot({ path: path.join(screenshotsDir, 'export-dialog-done.png') });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^file,sha256,digits,digits:source,digits:run,digits:confidence,length,/);
    expect(lines).toHaveLength(1 + stats.images - untouched);

    mkdirSync(path.join(dir, 'fresh'));
    const fresh = importUnlabeledSample(path.join(dir, 'fresh'), 300);
    expect(info(fresh).targets.every((t) => t.labeled + t.unknown === 0)).toBe(true);
    const back = cli(['import', '--data', fresh, file, '--json']);
    expect(back.status, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ imported: 0, labelProblems: [] });
    expect(info(fresh)).toEqual(stats);
    await page.click('.dialog-actions button:has-text("Close")');
  });

  it('imports a folder with labels from folder names (the import panel option)', async () => {
    const root = path.join(dir, 'by-folder');
    for (const [i, f] of ['serif/a.png', 'serif/b.png', 'blackletter/c.png'].entries()) await writeDistinctPng(path.join(root, f), 500 + i);
    await page.fill('input[name=import-path]', root);
    await page.check('input[name=from-folders]');
    await page.fill('input[name=folder-target]', 'font_style');
    await page.screenshot({ path: path.join(screenshotsDir, 'import-folder-labels.png') });
    await page.click('.import-form button[type=submit]');
    await page.waitForSelector('.import-status[data-state="finished"]', { timeout: 30_000 });
    expect(await page.textContent('.import-status .summary')).toMatch(/Imported 3, 0 duplicates skipped,\s+0 rejected, 3 labels applied/);
    const font = info(data).targets.find((t) => t.name === 'font_style')!;
    expect(font.classes.find((c) => c.name === 'blackletter')).toEqual({ name: 'blackletter', count: 1 });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(problems).toEqual([]);
  });
});
