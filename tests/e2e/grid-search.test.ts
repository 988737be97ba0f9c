import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSample } from '../cli-helpers.js';
import { sampleDir } from '../helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: importSample, page: { warnings: true }, cleanExit: true });
/** The bundled sample's labels: file, digits, length, font_style, script. */
const rows = readFileSync(path.join(sampleDir, 'labels.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const count = () => app.page.textContent('[data-testid=image-count]');
const firstTileName = () => app.page.getAttribute('.cell[data-image-id] img', 'alt');
const query = () => new URL(app.page.url()).hash.split('?')[1] ?? '';

describe('a grid you can search', () => {
  it('shows each categorical label as a badge and a dot in the legend colours', async () => {
    await app.page.goto(`${app.server.url}/#/dataset`);
    await expect.poll(count, { timeout: 15_000 }).toBe('300 images');
    await app.page.waitForSelector('.cell[data-image-id="1"] .badge');
    // hn-0000.png: sans, latin; every target labeled, by the sample's labels file (so 'imported').
    expect(await app.page.$$eval('.cell[data-image-id="1"] .badge', (els) => els.map((e) => [e.textContent, e.getAttribute('title')]))).toEqual([
      ['sans', 'font_style: sans, imported'],
      ['latin', 'script: latin, imported'],
    ]);
    expect(await app.page.getAttribute('.cell[data-image-id="1"] [data-testid=status-dot]', 'title')).toBe('4 labeled, 0 unknown, 0 not looked at');
    // hn-0007.png: digits 49228 (its length follows), font_style '?' (unknown), no script.
    expect(rows[7]!.slice(0, 5)).toEqual(['hn-0007.png', '49228', '', '?', '']);
    expect(await app.page.$$eval('.cell[data-image-id="8"] .badge', (els) => els.map((e) => e.textContent))).toEqual(['?']);
    expect(await app.page.getAttribute('.cell[data-image-id="8"] [data-testid=status-dot]', 'title')).toBe('2 labeled, 1 unknown, 1 not looked at');
    // The dot's colours are the sidebar legend's: the same CSS variables paint both.
    const colours = await app.page.evaluate(() => {
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
    const legend = (sel: string) => app.page.$$eval(`${sel} > span`, (els) => els.map((e) => e.textContent!.trim()));
    expect(await legend('[data-testid=progress-legend]')).toEqual(['labeled', 'unknown', 'not looked at']);
    expect(await legend('[data-testid=grid-legend]')).toEqual(['labeled', 'unknown', 'not looked at']);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'grid-badges.png') });
  });

  it('filters by file name, a part or a glob, and keeps the view in the URL', async () => {
    await app.page.fill('input[name=name-filter]', 'hn-029');
    await expect.poll(count).toBe('10 images');
    await expect.poll(query).toBe('name=hn-029');
    await app.page.fill('input[name=name-filter]', 'HN-00*5.PNG');
    await expect
      .poll(() => app.page.$$eval('.cell[data-image-id] img', (imgs) => imgs.map((i) => i.getAttribute('alt'))))
      .toEqual(Array.from({ length: 10 }, (_, i) => `hn-00${i}5.png`));
    expect(await count()).toBe('10 images');
    await app.page.fill('input[name=name-filter]', 'no-such-file');
    await expect.poll(count).toBe('0 images');
    expect(await app.page.textContent('.empty')).toContain('match this filter');
    await app.page.fill('input[name=name-filter]', '');
    await expect.poll(count).toBe('300 images');
    await expect.poll(query).toBe('');
  });

  it('filters by target, state and class, with the status', async () => {
    const fontUnknown = rows.filter((r) => r[3] === '?').length;
    await app.page.selectOption('select[name=target]', { label: 'font_style' });
    await app.page.selectOption('select[name=state]', 'unknown');
    await expect.poll(count).toBe(`${fontUnknown} images`);
    await app.page.selectOption('select[name=state]', 'value');
    await app.page.selectOption('select[name=class]', { label: 'serif' });
    await expect.poll(count).toBe(`${rows.filter((r) => r[3] === 'serif').length} images`);
    expect(await app.page.$$eval('.cell[data-image-id] .badge[data-target-id]', (els) => new Set(els.map((e) => e.textContent)).has('serif'))).toBe(true);
    await app.page.selectOption('select[name=status]', 'complete');
    const complete = rows.filter((r) => r[3] === 'serif' && r.slice(1).every((v) => v !== '')).length;
    await expect.poll(count).toBe(`${complete} images`);
    expect(query()).toMatch(/status=complete&target=\d+&state=value&class=\d+/);
    // Model predictions offer a confidence range and the confidence order (none are stored here).
    await app.page.selectOption('select[name=source]', 'model');
    await app.page.fill('input[name=max-confidence]', '80');
    await app.page.press('input[name=max-confidence]', 'Enter');
    await app.page.selectOption('select[name=sort]', 'confidence');
    await expect.poll(query).toMatch(/source=model&max=0\.8&sort=confidence/);
    await expect.poll(count).toBe('0 images');
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await app.page.screenshot({ path: path.join(screenshotsDir, 'grid-filters-1024.png') });
    await app.page.setViewportSize({ width: 1280, height: 800 });
    await app.page.click('.grid-filters button.link'); // clear filters
    await expect.poll(count).toBe('300 images');
  });

  it('sorts by file name both ways and by last edit; reload keeps the sort', async () => {
    await app.page.selectOption('select[name=sort]', 'name');
    await app.page.click('button[name=reverse]');
    await expect.poll(firstTileName).toBe('hn-0299.png');
    await expect.poll(query).toBe('sort=name&reverse=1');
    await app.page.reload();
    await expect.poll(firstTileName, { timeout: 15_000 }).toBe('hn-0299.png');
    expect(await app.page.$eval('select[name=sort]', (s) => (s as HTMLSelectElement).value)).toBe('name');
    // Away to another view and back by the sidebar: the sort is still there.
    await app.page.click('.sidebar .nav >> text=Targets');
    await expect.poll(() => app.page.url()).toMatch(/#\/targets$/);
    await app.page.click('.sidebar .nav >> text=Dataset');
    await expect.poll(firstTileName).toBe('hn-0299.png');
    await expect.poll(query).toBe('sort=name&reverse=1');
    await app.page.click('button[name=reverse]');
    await expect.poll(firstTileName).toBe('hn-0000.png');
    // The confidence order needs a target's model labels; it is offered only then.
    expect(await app.page.$eval('select[name=sort] option[value=confidence]', (o) => (o as HTMLOptionElement).disabled)).toBe(true);
  });

  it('arrow keys move the selection; a bulk apply clears it; the edited images then sort first by last edit', async () => {
    await app.page.selectOption('select[name=sort]', 'id');
    await expect.poll(firstTileName).toBe('hn-0000.png');
    await app.page.click('.cell[data-image-id="1"]');
    await expect.poll(() => app.page.textContent('[data-testid=selection-count]')).toBe('1 selected');
    await app.page.keyboard.press('ArrowRight');
    await expect.poll(() => app.page.getAttribute('.cell[data-image-id="2"]', 'aria-pressed')).toBe('true');
    expect(await app.page.getAttribute('.cell[data-image-id="1"]', 'aria-pressed')).toBe('false');
    const columns = await app.page.$$eval('.grid-row:first-child .cell[data-image-id]', (els) => els.length);
    await app.page.keyboard.press('ArrowDown');
    await expect.poll(() => app.page.getAttribute(`.cell[data-image-id="${2 + columns}"]`, 'aria-pressed')).toBe('true');
    await app.page.keyboard.press('ArrowUp');
    await app.page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => app.page.textContent('[data-testid=selection-count]')).toBe('2 selected');
    expect(await app.page.getAttribute('.cell[data-image-id="3"]', 'aria-pressed')).toBe('true');

    await app.page.selectOption('select[aria-label="Target to set"]', { label: 'script' });
    await app.page.selectOption('select[aria-label="Value to set"]', 'greek');
    await app.page.click('.bulk-bar button.primary');
    await expect.poll(() => app.page.textContent('[data-testid=bulk-message]')).toMatch(/Set script = greek on 2 images/);
    // The selection ends with the apply: no "Apply to 2" left armed on images that may have changed.
    expect(await app.page.locator('[data-testid=selection-count]').count()).toBe(0);
    expect(await app.page.locator('.cell[aria-pressed=true]').count()).toBe(0);
    await expect.poll(() => app.page.$$eval('.cell[data-image-id="3"] .badge', (els) => els.map((e) => e.textContent))).toContain('greek');

    await app.page.selectOption('select[name=sort]', 'edited');
    await expect
      .poll(() => app.page.$$eval('.cell[data-image-id] img', (imgs) => imgs.slice(0, 2).map((i) => i.getAttribute('alt'))))
      .toEqual(['hn-0002.png', 'hn-0001.png']);
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await app.page.screenshot({ path: path.join(screenshotsDir, 'grid-badges-1024.png') });
    await app.page.setViewportSize({ width: 1280, height: 800 });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
