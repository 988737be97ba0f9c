/**
 * Issue 13 in the browser (server mode): the Dataset view's "Export labels…" dialog downloads a
 * labels file that brings every label back in a fresh project with the same images, and the
 * import panel labels images from their folder names.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, importSample, importUnlabeledSample } from '../cli-helpers.js';
import { writeDistinctPng } from '../image-fixtures.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: importSample, page: { warnings: true }, importRoot: true, cleanExit: true });

type Stats = { images: number; targets: { name: string; labeled: number; unknown: number; pending: number; classes: { name: string; count: number }[] }[] };
const info = (project: string) => JSON.parse(cli(['info', '--data', project, '--json']).stdout) as Stats;

describe('export dialog', () => {
  it('downloads the labels as CSV; imported alone into a fresh project with the same images, they are all back', async () => {
    await app.page.goto(`${app.server.url}/`);
    await expect.poll(() => app.page.textContent('[data-testid=image-count]'), { timeout: 15_000 }).toBe('300 images');
    await app.page.click('[data-testid=export-labels]');
    await app.page.waitForSelector('.dialog .export-form');
    await app.page.check('input[name=export-labeled]');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'export-dialog.png') });

    const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.click('[data-testid=export-run]')]);
    expect(download.suggestedFilename()).toBe('polyhead-labels.csv');
    const file = path.join(app.dir, 'downloaded.csv');
    await download.saveAs(file);
    const stats = info(app.data);
    const untouched = 60; // the sample's crops nobody labeled (tests/e2e/dataset.test.ts)
    await expect.poll(() => app.page.textContent('[data-testid=export-result]')).toBe(`Exported ${stats.images - untouched} rows as polyhead-labels.csv.`);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'export-dialog-done.png') });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^file,sha256,digits,digits:source,digits:run,digits:confidence,length,/);
    expect(lines).toHaveLength(1 + stats.images - untouched);

    mkdirSync(path.join(app.dir, 'fresh'));
    const fresh = importUnlabeledSample(path.join(app.dir, 'fresh'), 300);
    expect(info(fresh).targets.every((t) => t.labeled + t.unknown === 0)).toBe(true);
    const back = cli(['import', '--data', fresh, file, '--json']);
    expect(back.status, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ imported: 0, labelProblems: [] });
    expect(info(fresh)).toEqual(stats);
    await app.page.click('.dialog-actions button:has-text("Close")');
  });

  it('imports a folder with labels from folder names (the import panel option)', async () => {
    const root = path.join(app.dir, 'by-folder');
    for (const [i, f] of ['serif/a.png', 'serif/b.png', 'blackletter/c.png'].entries()) await writeDistinctPng(path.join(root, f), 500 + i);
    await app.page.fill('input[name=import-path]', root);
    await app.page.check('input[name=from-folders]');
    await app.page.fill('input[name=folder-target]', 'font_style');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'import-folder-labels.png') });
    await app.page.click('.import-form button[type=submit]');
    await app.page.waitForSelector('.import-status[data-state="finished"]', { timeout: 30_000 });
    expect(await app.page.textContent('.import-status .summary')).toMatch(/Imported 3, 0 duplicates skipped,\s+0 rejected, 3 labels applied/);
    const font = info(app.data).targets.find((t) => t.name === 'font_style')!;
    expect(font.classes.find((c) => c.name === 'blackletter')).toEqual({ name: 'blackletter', count: 1 });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
