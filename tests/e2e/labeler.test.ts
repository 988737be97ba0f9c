import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lengthClassOf } from '../../shared/targets.js';
import { importUnlabeledSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const IMAGES = 40;
const app = useApp({ project: (dir) => importUnlabeledSample(dir, IMAGES) });

const FONT_KEYS: Record<string, string> = { serif: '1', sans: '2', mono: '3', handwriting: '4', display: '5' };
const SCRIPT_KEYS: Record<string, string> = { latin: '1', cyrillic: '2', greek: '3', arabic: '4', hebrew: '5', devanagari: '6', thai: '7', cjk: '8' };
type Expected = { digits: string; length: string; font_style: string; script: string };

const shown = (target: string, what: 'state' | 'value') =>
  app.page.$eval(
    `.target-control[data-target="${target}"]`,
    (el, w) =>
      w === 'state'
        ? el.getAttribute('data-state')
        : (el.querySelector('.sequence .value')?.textContent ?? el.querySelector('.chip.selected[data-value]')?.getAttribute('data-value') ?? null),
    what,
  );
const position = () => app.page.textContent('[data-testid=queue-position]');

describe('keyboard labeler in Chromium (server mode)', () => {
  it('labels 30 images with the keyboard alone across four targets, with unknowns, a length without digits, undo and redo', async () => {
    await app.page.goto(`${app.server.url}/#/label`);
    await expect.poll(position, { timeout: 15_000 }).toBe(`1 / ${IMAGES}`);
    const expected = new Map<number, Expected>();
    const fonts = Object.keys(FONT_KEYS);
    const scripts = Object.keys(SCRIPT_KEYS);

    for (let i = 0; i < 30; i++) {
      const imageId = i + 1;
      await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe(String(imageId));
      const digits = i % 9 === 8 ? '1234567' : String((i * 7919) % 100000);
      const e: Expected = { digits, length: lengthClassOf(digits, 5), font_style: fonts[i % fonts.length]!, script: scripts[i % scripts.length]! };
      if (i % 7 === 3) {
        // Unreadable digits, but the length is clear: set it on its own.
        await app.page.keyboard.press('-');
        await app.page.keyboard.press('Tab');
        e.digits = '?';
        e.length = String(1 + (i % 5));
        await app.page.keyboard.press(e.length);
      } else if (i === 15) {
        // A typo fixed with Backspace.
        await app.page.keyboard.type('99');
        await app.page.keyboard.press('Backspace');
        await app.page.keyboard.press('Backspace');
        await app.page.keyboard.type(digits);
        await app.page.keyboard.press('Tab');
      } else {
        await app.page.keyboard.type(digits);
        await app.page.keyboard.press('Tab');
      }
      await app.page.keyboard.press('Tab'); // length → font_style
      if (i % 5 === 4) {
        await app.page.keyboard.press('-');
        e.font_style = '?';
      } else {
        await app.page.keyboard.press(FONT_KEYS[e.font_style]!);
      }
      await app.page.keyboard.press('Tab'); // → script
      await app.page.keyboard.press(SCRIPT_KEYS[e.script]!);
      if (i === 12) {
        await app.page.keyboard.press('Control+z');
        await expect.poll(() => shown('script', 'state')).toBe('pending');
        await app.page.keyboard.press('Control+Shift+z');
        await expect.poll(() => shown('script', 'state')).toBe('value');
        expect(await shown('script', 'value')).toBe(e.script);
      }
      expect(await shown('digits', 'state')).toBe(e.digits === '?' ? 'unknown' : 'value');
      expect(await shown('length', 'value')).toBe(e.length);
      if (i === 0) await app.page.screenshot({ path: path.join(screenshotsDir, 'labeler.png') });
      expected.set(imageId, e);
      await app.page.keyboard.press('Enter');
      if (i === 20) {
        // Undo reaches back across images: the last change was image 21's script.
        await expect.poll(position).toBe(`22 / ${IMAGES}`);
        await app.page.keyboard.press('Control+z');
        await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe('21');
        await expect.poll(() => shown('script', 'state')).toBe('pending');
        expect(await app.page.textContent('[data-testid=labeler-message]')).toContain('script of image 21');
        // Label it again, differently, and move on.
        await app.page.keyboard.press('Tab');
        await app.page.keyboard.press('Tab');
        await app.page.keyboard.press('Tab');
        await app.page.keyboard.press(SCRIPT_KEYS.thai!);
        e.script = 'thai';
        await app.page.keyboard.press('Enter');
      }
    }
    await expect.poll(position).toBe(`31 / ${IMAGES}`);
    await expect.poll(() => app.page.getAttribute('.save-state', 'data-save-state')).toBe('saved');

    // The store holds exactly what was typed.
    const targets = await app.api<{ id: number; name: string }[]>('targets.list');
    const nameOf = new Map(targets.map((t) => [t.id, t.name]));
    for (const [imageId, e] of expected) {
      const detail = await app.api<{ labels: Record<string, { state: string; value: string | null }> }>('images.get', { id: imageId });
      const got: Record<string, string> = {};
      for (const [targetId, l] of Object.entries(detail.labels)) got[nameOf.get(Number(targetId))!] = l.state === 'unknown' ? '?' : l.value!;
      expect(got, `image ${imageId}`).toEqual(e);
    }
    const untouched = await app.api<{ labels: object }>('images.get', { id: 31 });
    expect(untouched.labels).toEqual({});
    // The sidebar's per-target progress follows.
    await expect.poll(() => app.page.textContent('.target-progress [data-target="script"] .counts')).toBe(`30/${IMAGES}`);
  });

  it('walks a filtered queue: unknown font styles', async () => {
    await app.page.selectOption('.queue-picker select', { label: 'font_style: unknown' });
    await expect.poll(position).toBe('1 / 6'); // i = 4, 9, 14, 19, 24, 29
    expect(await app.page.getAttribute('.stage img', 'data-image-id')).toBe('5');
    await app.page.keyboard.press('ArrowRight');
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe('10');
    await app.page.keyboard.press('ArrowLeft');
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe('5');
    await app.page.keyboard.press('?');
    await app.page.waitForSelector('.help-card');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'labeler-help.png') });
    await app.page.keyboard.press('Escape');
    expect(await app.page.locator('.help-card').count()).toBe(0);
  });

  it('bulk-labels a selection from the Dataset grid, undoably', async () => {
    await app.page.goto(`${app.server.url}/#/dataset`);
    await app.page.waitForSelector('.cell[data-image-id="35"]');
    await app.page.click('.cell[data-image-id="32"]');
    await app.page.click('.cell[data-image-id="35"]', { modifiers: ['Shift'] });
    await app.page.click('.cell[data-image-id="38"]', { modifiers: ['Control'] });
    await expect.poll(() => app.page.textContent('[data-testid=selection-count]')).toBe('5 selected');
    await app.page.selectOption('select[aria-label="Target to set"]', { label: 'script' });
    await app.page.selectOption('select[aria-label="Value to set"]', 'arabic');
    await app.page.click('text=Apply to 5');
    await expect.poll(() => app.page.textContent('[data-testid=bulk-message]')).toContain('on 5 images');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'dataset-bulk.png') });
    const script = (await app.api<{ id: number; name: string }[]>('targets.list')).find((t) => t.name === 'script')!;
    const arabic = async () =>
      (await app.api<{ ids: number[] }>('images.ids', { filter: { target: { targetId: script.id, state: 'value' } } })).ids.filter((id) => id > 30);
    expect(await arabic()).toEqual([32, 33, 34, 35, 38]);
    await app.page.click('[data-testid=bulk-message] button');
    await expect.poll(arabic).toEqual([]);
    // The keys do the same in the grid: Ctrl+Shift+Z redoes the bulk edit, Ctrl+Z undoes it again.
    await app.page.click('.cell[data-image-id="36"]'); // focus in the grid, outside any field
    await app.page.keyboard.press('Control+Shift+z');
    await expect.poll(arabic).toEqual([32, 33, 34, 35, 38]);
    await expect.poll(() => app.page.textContent('[data-testid=bulk-message]')).toMatch(/^Redid: /);
    await app.page.keyboard.press('Control+z');
    await expect.poll(arabic).toEqual([]);
    await expect.poll(() => app.page.textContent('[data-testid=bulk-message]')).toMatch(/^Undid: /);
  });

  it('edits targets: add a class, merge, and delete a class in use only after asking', async () => {
    await app.page.goto(`${app.server.url}/#/targets`);
    const font = '.target-card[data-target="font_style"]';
    await app.page.fill(`${font} input[placeholder="new class"]`, 'comic');
    await app.page.click(`${font} .add-class button`);
    await app.page.waitForSelector(`${font} tr[data-class="comic"]`);
    // 'display' labels some images (i % 5 == 4 were unknown; display = fonts[4] never set) -> use 'serif', used 5 times.
    await app.page.click(`${font} tr[data-class="serif"] button.danger`);
    await app.page.waitForSelector('.confirm');
    expect(await app.page.textContent('.confirm')).toMatch(/labels \d+ image/);
    await app.page.click('.confirm button.primary'); // cancel
    expect(await app.page.locator(`${font} tr[data-class="serif"]`).count()).toBe(1);
    await app.page.selectOption(`${font} tr[data-class="serif"] select`, { label: 'comic' });
    await app.page.click(`${font} tr[data-class="serif"] button:has-text("Merge")`);
    await app.page.click('.confirm [data-choice="merge"]'); // the merge asks first (its own suite: navigation.test.ts)
    await expect.poll(() => app.page.locator(`${font} tr[data-class="serif"]`).count()).toBe(0);
    expect(Number(await app.page.textContent(`${font} tr[data-class="comic"] .ccount`))).toBeGreaterThan(0);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'targets.png') });
  });

  it('ran without console or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
