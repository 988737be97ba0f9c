import { readFileSync } from 'node:fs';
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
/** The bundled sample's labels: file, digits, length, font_style, script. */
const rows = readFileSync(path.join(sampleDir, 'labels.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const count = () => page.textContent('[data-testid=image-count]');
const firstTileName = () => page.getAttribute('.cell[data-image-id] img', 'alt');
const query = () => new URL(page.url()).hash.split('?')[1] ?? '';

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  const data = path.join(dir, 'data');
  const imported = cli(['import', '--data', data, sampleDir]);
  expect(imported.status, imported.stderr).toBe(0);
  ({ server, browser, page } = await openApp(data, problems, { warnings: true }));
});

afterAll(async () => {
  const code = await closeApp({ server, browser });
  if (server) expect(code).toBe(0);
  cleanup?.();
});

describe('a grid you can search', () => {
  it('shows each categorical label as a badge and a dot in the legend colours', async () => {
    await page.goto(`${server.url}/#/dataset`);
    await expect.poll(count, { timeout: 15_000 }).toBe('300 images');
    await page.waitForSelector('.cell[data-image-id="1"] .badge');
    // hn-0000.png: sans, latin; every target labeled.
    expect(await page.$$eval('.cell[data-image-id="1"] .badge', (els) => els.map((e) => [e.textContent, e.getAttribute('title')]))).toEqual([
      ['sans', 'font_style: sans'],
      ['latin', 'script: latin'],
    ]);
    expect(await page.getAttribute('.cell[data-image-id="1"] [data-testid=status-dot]', 'title')).toBe('4 labeled, 0 unknown, 0 not looked at');
    // hn-0007.png: digits 49228 (its length follows), font_style '?' (unknown), no script.
    expect(rows[7]!.slice(0, 5)).toEqual(['hn-0007.png', '49228', '', '?', '']);
    expect(await page.$$eval('.cell[data-image-id="8"] .badge', (els) => els.map((e) => e.textContent))).toEqual(['?']);
    expect(await page.getAttribute('.cell[data-image-id="8"] [data-testid=status-dot]', 'title')).toBe('2 labeled, 1 unknown, 1 not looked at');
    // The dot's colours are the sidebar legend's: the same CSS variables paint both.
    const colours = await page.evaluate(() => {
      const of = (sel: string) => getComputedStyle(document.querySelector(sel)!).backgroundColor;
      return {
        sidebar: [of('.target-progress .dot.labeled'), of('.target-progress .dot.unknown'), of('.target-progress .dot.pending')],
        grid: [of('.grid-legend .dot.labeled'), of('.grid-legend .dot.unknown'), of('.grid-legend .dot.pending')],
        tile: getComputedStyle(document.querySelector('.cell[data-image-id="8"] [data-testid=status-dot]')!).backgroundImage,
      };
    });
    expect(colours.grid).toEqual(colours.sidebar);
    expect(colours.tile).toContain(colours.sidebar[1]!); // unknown
    expect(colours.tile).toContain(colours.sidebar[2]!); // not looked at
    const legend = (sel: string) => page.$$eval(`${sel} > span`, (els) => els.map((e) => e.textContent!.trim()));
    expect(await legend('[data-testid=progress-legend]')).toEqual(['labeled', 'unknown', 'not looked at']);
    expect(await legend('[data-testid=grid-legend]')).toEqual(['labeled', 'unknown', 'not looked at']);
    await page.screenshot({ path: path.join(screenshotsDir, 'grid-badges.png') });
  });

  it('filters by file name, a part or a glob, and keeps the view in the URL', async () => {
    await page.fill('input[name=name-filter]', 'hn-029');
    await expect.poll(count).toBe('10 images');
    await expect.poll(query).toBe('name=hn-029');
    await page.fill('input[name=name-filter]', 'HN-00*5.PNG');
    await expect
      .poll(() => page.$$eval('.cell[data-image-id] img', (imgs) => imgs.map((i) => i.getAttribute('alt'))))
      .toEqual(Array.from({ length: 10 }, (_, i) => `hn-00${i}5.png`));
    expect(await count()).toBe('10 images');
    await page.fill('input[name=name-filter]', 'no-such-file');
    await expect.poll(count).toBe('0 images');
    expect(await page.textContent('.empty')).toContain('match this filter');
    await page.fill('input[name=name-filter]', '');
    await expect.poll(count).toBe('300 images');
    await expect.poll(query).toBe('');
  });

  it('filters by target, state and class, with the status', async () => {
    const fontUnknown = rows.filter((r) => r[3] === '?').length;
    await page.selectOption('select[name=target]', { label: 'font_style' });
    await page.selectOption('select[name=state]', 'unknown');
    await expect.poll(count).toBe(`${fontUnknown} images`);
    await page.selectOption('select[name=state]', 'value');
    await page.selectOption('select[name=class]', { label: 'serif' });
    await expect.poll(count).toBe(`${rows.filter((r) => r[3] === 'serif').length} images`);
    expect(await page.$$eval('.cell[data-image-id] .badge[data-target-id]', (els) => new Set(els.map((e) => e.textContent)).has('serif'))).toBe(true);
    await page.selectOption('select[name=status]', 'complete');
    const complete = rows.filter((r) => r[3] === 'serif' && r.slice(1).every((v) => v !== '')).length;
    await expect.poll(count).toBe(`${complete} images`);
    expect(query()).toMatch(/status=complete&target=\d+&state=value&class=\d+/);
    // Model predictions offer a confidence range and the confidence order (none are stored here).
    await page.selectOption('select[name=source]', 'model');
    await page.fill('input[name=max-confidence]', '80');
    await page.press('input[name=max-confidence]', 'Enter');
    await page.selectOption('select[name=sort]', 'confidence');
    await expect.poll(query).toMatch(/source=model&max=0\.8&sort=confidence/);
    await expect.poll(count).toBe('0 images');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: path.join(screenshotsDir, 'grid-filters-1024.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('.grid-filters button.link'); // clear filters
    await expect.poll(count).toBe('300 images');
  });

  it('sorts by file name both ways and by last edit; reload keeps the sort', async () => {
    await page.selectOption('select[name=sort]', 'name');
    await page.click('button[name=reverse]');
    await expect.poll(firstTileName).toBe('hn-0299.png');
    await expect.poll(query).toBe('sort=name&reverse=1');
    await page.reload();
    await expect.poll(firstTileName, { timeout: 15_000 }).toBe('hn-0299.png');
    expect(await page.$eval('select[name=sort]', (s) => (s as HTMLSelectElement).value)).toBe('name');
    // Away to another view and back by the sidebar: the sort is still there.
    await page.click('.sidebar .nav >> text=Targets');
    await expect.poll(() => page.url()).toMatch(/#\/targets$/);
    await page.click('.sidebar .nav >> text=Dataset');
    await expect.poll(firstTileName).toBe('hn-0299.png');
    await expect.poll(query).toBe('sort=name&reverse=1');
    await page.click('button[name=reverse]');
    await expect.poll(firstTileName).toBe('hn-0000.png');
    // The confidence order needs a target's model labels; it is offered only then.
    expect(await page.$eval('select[name=sort] option[value=confidence]', (o) => (o as HTMLOptionElement).disabled)).toBe(true);
  });

  it('arrow keys move the selection; a bulk apply clears it; the edited images then sort first by last edit', async () => {
    await page.selectOption('select[name=sort]', 'id');
    await expect.poll(firstTileName).toBe('hn-0000.png');
    await page.click('.cell[data-image-id="1"]');
    await expect.poll(() => page.textContent('[data-testid=selection-count]')).toBe('1 selected');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getAttribute('.cell[data-image-id="2"]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('.cell[data-image-id="1"]', 'aria-pressed')).toBe('false');
    const columns = await page.$$eval('.grid-row:first-child .cell[data-image-id]', (els) => els.length);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getAttribute(`.cell[data-image-id="${2 + columns}"]`, 'aria-pressed')).toBe('true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => page.textContent('[data-testid=selection-count]')).toBe('2 selected');
    expect(await page.getAttribute('.cell[data-image-id="3"]', 'aria-pressed')).toBe('true');

    await page.selectOption('select[aria-label="Target to set"]', { label: 'script' });
    await page.selectOption('select[aria-label="Value to set"]', 'greek');
    await page.click('.bulk-bar button.primary');
    await expect.poll(() => page.textContent('[data-testid=bulk-message]')).toMatch(/Set script = greek on 2 images/);
    // The selection ends with the apply: no "Apply to 2" left armed on images that may have changed.
    expect(await page.locator('[data-testid=selection-count]').count()).toBe(0);
    expect(await page.locator('.cell[aria-pressed=true]').count()).toBe(0);
    await expect.poll(() => page.$$eval('.cell[data-image-id="3"] .badge', (els) => els.map((e) => e.textContent))).toContain('greek');

    await page.selectOption('select[name=sort]', 'edited');
    await expect
      .poll(() => page.$$eval('.cell[data-image-id] img', (imgs) => imgs.slice(0, 2).map((i) => i.getAttribute('alt'))))
      .toEqual(['hn-0002.png', 'hn-0001.png']);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: path.join(screenshotsDir, 'grid-badges-1024.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(problems).toEqual([]);
  });
});
