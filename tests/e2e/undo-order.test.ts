import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUnlabeledSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: (dir) => importUnlabeledSample(dir, 3) });

type Detail = { labels: Record<string, { state: string; value: string | null; origin: string }> };

describe('Ctrl+Z between two class keys (keys faster than the store answers)', () => {
  it('undoes the key before it, not the key after it, and keeps the key after it without a conflict', async () => {
    const targets = await app.api<{ id: number; name: string }[]>('targets.list');
    const fontStyle = targets.find((t) => t.name === 'font_style')!.id;
    // The first write's answer is held back, as on a loaded machine: Ctrl+Z and the next key
    // are pressed while it is on its way.
    let held = 0;
    await app.page.route('**/api/annotations.set', async (route) => {
      if (held++ === 0) await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await app.page.goto(`${app.server.url}/#/label?queue=all&image=1`);
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id'), { timeout: 15_000 }).toBe('1');
    await app.page.keyboard.press('Alt+3'); // font_style
    await expect.poll(() => app.page.getAttribute('.target-control.active', 'data-target')).toBe('font_style');

    await app.page.keyboard.press('3'); // mono
    await app.page.keyboard.press('Control+z'); // take mono back
    await app.page.keyboard.press('4'); // handwriting

    await expect.poll(() => app.page.getAttribute('.save-state', 'data-save-state'), { timeout: 15_000 }).toBe('saved');
    await expect.poll(async () => (await app.api<Detail>('images.get', { id: 1 })).labels[fontStyle]?.value ?? null).toBe('handwriting');
    await expect.poll(() => app.page.getAttribute('.target-control[data-target="font_style"] .chip.selected[data-value]', 'data-value')).toBe('handwriting');
    expect(await app.page.locator('[data-testid=conflict-prompt]').count()).toBe(0);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'undo-between-keys.png') });
    // One step left to undo: handwriting; after it, font_style was never looked at.
    await app.page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.api<Detail>('images.get', { id: 1 })).labels[fontStyle] ?? null).toBeNull();
  });
});
