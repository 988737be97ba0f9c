import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callServer, importUnlabeledSample, serve, stop } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';
import { launchChromium, signIn } from './browser.js';

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
});
