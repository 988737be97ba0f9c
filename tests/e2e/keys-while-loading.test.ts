import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUnlabeledSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: (dir) => importUnlabeledSample(dir, 8) });

type Detail = { labels: Record<string, { state: string; value: string | null }> };

describe('class keys pressed while the next image is still on its way', () => {
  it('never land on the image the user already left', async () => {
    const targets = await app.api<{ id: number; name: string }[]>('targets.list');
    const fontStyle = targets.find((t) => t.name === 'font_style')!.id;
    const fontOf = async (id: number) => (await app.api<Detail>('images.get', { id })).labels[fontStyle]?.value ?? null;
    await app.page.goto(`${app.server.url}/#/label?queue=all&image=1`);
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id'), { timeout: 15_000 }).toBe('1');
    await app.page.waitForTimeout(500); // images 2-4 prefetched
    // From now on an image takes 1.5 s to arrive, as from a loaded server: image 5 is not there in time.
    await app.page.route('**/api/images.get', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    for (const key of ['1', '2', '3', '4']) {
      await app.page.keyboard.press('Alt+3'); // font_style
      await app.page.keyboard.press(key); // serif, sans, mono, handwriting on images 1-4
      await app.page.keyboard.press('Enter');
    }
    await app.page.keyboard.press('Alt+3');
    await app.page.keyboard.press('5'); // display, meant for image 5, pressed while image 4 is still shown
    await app.page.screenshot({ path: path.join(screenshotsDir, 'keys-while-loading.png') });
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id'), { timeout: 15_000 }).toBe('5');
    await expect.poll(() => app.page.getAttribute('.save-state', 'data-save-state'), { timeout: 15_000 }).toBe('saved');
    expect([await fontOf(1), await fontOf(2), await fontOf(3), await fontOf(4)]).toEqual(['serif', 'sans', 'mono', 'handwriting']);
    expect(await fontOf(5)).toBeNull(); // the key said it set nothing
    expect(await app.page.textContent('[data-testid=labeler-message]')).toMatch(/still (loading|on its way)/);
  });
});
