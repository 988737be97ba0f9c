import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callServer, importUnlabeledSample, serve, stop } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';
import { launchChromium, screenshotsDir, signIn } from './browser.js';

let dir: string;
let cleanup: () => void;
let browser: Browser;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  importUnlabeledSample(dir, 12);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  cleanup?.();
});

describe('crash safety', () => {
  it('kill -9 mid-session loses nothing the UI showed as saved', async () => {
    const data = path.join(dir, 'data');
    const server = await serve(['--data', data]);
    const page = await browser.newPage();
    await signIn(page, server.url);
    await page.goto(`${server.url}/#/label`);
    await page.waitForSelector('.stage img[data-image-id="1"]');

    const saved: Record<number, { digits: string; script: string }> = {};
    for (let imageId = 1; imageId <= 8; imageId++) {
      await page.waitForSelector(`.stage img[data-image-id="${imageId}"]`);
      const digits = String(1000 + imageId * 37);
      await page.keyboard.type(digits);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press(imageId % 2 === 0 ? '3' : '7'); // greek / thai
      // What the UI shows as saved is what we expect to survive.
      await page.waitForSelector('.save-state[data-save-state="saved"]');
      saved[imageId] = { digits, script: imageId % 2 === 0 ? 'greek' : 'thai' };
      await page.keyboard.press('Enter');
    }
    // Keep typing on image 9 and kill the server without waiting.
    await page.waitForSelector('.stage img[data-image-id="9"]');
    await page.keyboard.type('55');
    expect(await stop(server.child, 'SIGKILL')).toBeNull();
    await page.close();

    const again = await serve(['--data', data]);
    try {
      const call = <T>(method: string, payload: unknown): Promise<T> => callServer<T>(again.url, method, payload);
      const targets = await call<{ id: number; name: string }[]>('targets.list', {});
      const id = (name: string) => targets.find((t) => t.name === name)!.id;
      for (const [imageId, want] of Object.entries(saved)) {
        const detail = await call<{ labels: Record<number, { value: string }> }>('images.get', { id: Number(imageId) });
        expect(detail.labels[id('digits')]?.value, `image ${imageId}`).toBe(want.digits);
        expect(detail.labels[id('length')]?.value).toBe('4');
        expect(detail.labels[id('script')]?.value).toBe(want.script);
      }
      // The history survived too: undo reaches the last saved edit.
      const undo = await call<{ description: string | null }>('annotations.undo', {});
      expect(undo.description).toMatch(/of image (8|9)$/);
    } finally {
      await stop(again.child);
    }
  });

  it('kill -9 while labeling: the page keeps the writes, asks before closing, and sends them all to the server started again', async () => {
    const own = tempDir();
    const data = importUnlabeledSample(own.dir, 6);
    let server = await serve(['--data', data]);
    const page = await browser.newPage();
    try {
      await signIn(page, server.url);
      await page.goto(`${server.url}/#/label`);
      const header = () => page.textContent('.save-state');
      /** Types the digits on the image shown, then Enter. */
      const label = async (imageId: number) => {
        await page.waitForSelector(`.stage img[data-image-id="${imageId}"]`);
        await page.keyboard.type(String(100 + imageId));
        await page.keyboard.press('Enter');
      };
      await label(1);
      await label(2);
      await page.waitForSelector('.stage img[data-image-id="3"]');
      await page.waitForSelector('.save-state[data-save-state="saved"]');

      expect(await stop(server.child, 'SIGKILL')).toBeNull();
      await label(3); // images 3–5 were fetched ahead while the server was up
      await label(4);
      await page.waitForSelector('.stage img[data-image-id="5"]');
      await expect.poll(header, { timeout: 10_000 }).toBe('2 changes not saved yet — retrying');
      await page.screenshot({ path: path.join(screenshotsDir, 'label-kill-retrying.png') });
      const colour = () => page.$eval('.save-state', (e) => getComputedStyle(e).color);
      const waiting = await colour();

      // Leaving the page now asks first; dismissed, the page and its writes stay. (A reload: this
      // Chromium closes a page on page.close({ runBeforeUnload: true }) without the prompt.)
      const dialogs: string[] = [];
      page.on('dialog', (d) => void (dialogs.push(d.type()), d.dismiss()));
      void page.evaluate(() => location.reload());
      await expect.poll(() => dialogs).toEqual(['beforeunload']);
      expect(await header()).toBe('2 changes not saved yet — retrying');

      server = await serve(['--data', data, '--port', new URL(server.url).port]);
      await expect.poll(header, { timeout: 20_000 }).toBe('All changes saved');
      expect(await colour()).not.toBe(waiting); // not saved does not look like saved
      // What the outage hid comes back: the progress counts what was sent, the error banner goes.
      await expect.poll(() => page.textContent('.target-progress [data-target="digits"] .counts'), { timeout: 5000 }).toMatch(/^\s*4\/6\s*$/);
      await expect.poll(() => page.$('.banner.error'), { timeout: 5000 }).toBeNull();
      await page.screenshot({ path: path.join(screenshotsDir, 'label-kill-saved.png') });

      await label(5);
      await page.waitForSelector('.save-state[data-save-state="saved"]');
      await page.reload(); // all saved: no prompt
      expect(dialogs).toEqual(['beforeunload']);
      const call = <T>(method: string, payload: unknown): Promise<T> => callServer<T>(server.url, method, payload);
      const digits = (await call<{ id: number; name: string }[]>('targets.list', {})).find((t) => t.name === 'digits')!.id;
      const typed: Record<number, string | undefined> = {};
      for (const id of [1, 2, 3, 4, 5]) typed[id] = (await call<{ labels: Record<number, { value: string }> }>('images.get', { id })).labels[digits]?.value;
      expect(typed).toEqual({ 1: '101', 2: '102', 3: '103', 4: '104', 5: '105' });
    } finally {
      await page.close();
      if (server.child.signalCode === null) await stop(server.child);
      own.cleanup();
    }
  });
});
