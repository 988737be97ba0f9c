import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callServer, cli } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';
import { closeApp, openApp, screenshotsDir, type App } from './browser.js';

let dir: string;
let cleanup: () => void;
let server: App['server'];
let browser: Browser;
let page: Page;
const problems: string[] = [];

const api = <T>(method: string, payload: unknown = {}) => callServer<T>(server.url, method, payload);

const tinySpec = {
  name: 'e2e tiny',
  inputs: [{ name: 'x', height: 16, width: 32 }],
  trunk: { preset: 'mlp', hidden: [48] },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
    { name: 'font', target: { kind: 'target', target: 'font_style' }, adversarial: { lambda: { schedule: 'dann', max: 0.05 } } },
  ],
  training: { epochs: 4, batchSize: 16, learningRate: 0.003, reportEvery: 2 },
};

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const data = path.join(dir, 'data');
  expect(cli(['import', '--data', data, sampleDir]).status).toBe(0);
  ({ server, browser, page } = await openApp(data, problems, { height: 900 }));
});
afterAll(async () => {
  await closeApp({ server, browser });
  cleanup?.();
});

const lengthTargetId = async () => (await api<{ id: number; name: string }[]>('targets.list')).find((t) => t.name === 'length')!.id;
const humanLength = async (imageId: number) => {
  const detail = await api<{ labels: Record<number, { value: string | null }> }>('images.get', { id: imageId });
  return detail.labels[await lengthTargetId()]?.value ?? null;
};

describe('Train and Evaluate views (server mode, Chromium)', () => {
  it('starts a run from the Train view, shows live curves, and finishes', async () => {
    await page.goto(`${server.url}/#/train`);
    await page.waitForSelector('[data-testid=backend-name]', { timeout: 30_000 });
    await page.waitForSelector('.spec-editor');
    await page.click('.spec-json summary');
    await page.fill(
      'textarea[aria-label="Model spec JSON"]',
      JSON.stringify({ ...tinySpec, heads: [{ name: 'bad', target: { kind: 'position', target: 'digits', position: -1 } }] }),
    );
    await expect.poll(() => page.textContent('.spec-problems')).toMatch(/heads\.0\.target\.position/);
    expect(await page.isDisabled('[data-testid=start-run]')).toBe(true);
    await page.fill('textarea[aria-label="Model spec JSON"]', JSON.stringify(tinySpec));
    await page.waitForSelector('.spec-ok');
    const setEpochs = async (n: number) => {
      await page.fill('input[name=epochs]', String(n));
      await page.press('input[name=epochs]', 'Tab');
      await expect.poll(async () => JSON.parse(await page.inputValue('textarea[aria-label="Model spec JSON"]')).training.epochs).toBe(n);
    };
    // A slower trunk and many epochs: long enough to pause, resume and cancel while it runs.
    await page.fill(
      'textarea[aria-label="Model spec JSON"]',
      JSON.stringify({ ...tinySpec, trunk: { preset: 'conv', depth: 2, width: 16, dense: 64 }, training: { ...tinySpec.training, reportEvery: 5 } }),
    );
    await page.waitForSelector('.spec-ok');
    await setEpochs(100);
    await page.click('[data-testid=start-run]');
    await page.waitForSelector('tr[data-run="1"]');
    // Curves appear and grow while it runs.
    await page.waitForSelector('[data-testid=curves] .metric-chart canvas', { timeout: 60_000 });
    const heading = () => page.textContent('[data-testid=curves] h2');
    await expect.poll(heading, { timeout: 60_000 }).toMatch(/step \d+/);
    await page.screenshot({ path: path.join(screenshotsDir, 'train-running.png') });
    // Pause: the curves stop; resume: they go on to the end.
    await page.click('tr[data-run="1"] button:has-text("Pause")');
    await expect.poll(() => page.getAttribute('tr[data-run="1"]', 'data-status')).toBe('paused');
    await page.waitForTimeout(600);
    const pausedAt = Number(/step (\d+)/.exec((await heading())!)![1]);
    await page.waitForTimeout(600);
    expect(Number(/step (\d+)/.exec((await heading())!)![1])).toBe(pausedAt);
    await page.click('tr[data-run="1"] button:has-text("Resume")');
    await expect.poll(async () => Number(/step (\d+)/.exec((await heading())!)![1]), { timeout: 30_000 }).toBeGreaterThan(pausedAt);
    await page.click('tr[data-run="1"] button:has-text("Cancel")');
    await expect.poll(() => page.getAttribute('tr[data-run="1"]', 'data-status'), { timeout: 30_000 }).toBe('cancelled');
    // A short run to the end.
    await page.fill('textarea[aria-label="Model spec JSON"]', JSON.stringify(tinySpec));
    await page.waitForSelector('.spec-ok');
    await setEpochs(6);
    await page.click('[data-testid=start-run]');
    await expect.poll(() => page.getAttribute('tr[data-run="2"]', 'data-status'), { timeout: 120_000 }).toBe('completed');
    await expect.poll(() => page.locator('[data-testid=curves] .metric-chart').count()).toBe(7); // combined + 3 heads x (loss, accuracy)
    await page.screenshot({ path: path.join(screenshotsDir, 'train.png'), fullPage: true });
  });

  it('opens a confusion cell, then an image behind it in the labeler, and fixes its label', async () => {
    await page.click('tr[data-run="2"] a:has-text("Evaluate")');
    await page.waitForSelector('[data-head="length"] .confusion');
    await page.screenshot({ path: path.join(screenshotsDir, 'evaluate.png'), fullPage: true });
    const cell = page.locator('[data-head="length"] td[data-count]:not(.diagonal):not(.empty)').first();
    const t = Number(await cell.getAttribute('data-true'));
    const p = Number(await cell.getAttribute('data-pred'));
    await cell.click();
    await page.waitForSelector('[data-testid=cell-images] a[data-image-id]');
    const imageId = Number(await page.getAttribute('[data-testid=cell-images] a[data-image-id]', 'data-image-id'));
    const classes = ['0', '1', '2', '3', '4', '5', '>5'];
    expect(await humanLength(imageId)).toBe(classes[t]);
    await page.click(`[data-testid=cell-images] a[data-image-id="${imageId}"]`);
    await expect.poll(() => page.getAttribute('.stage img', 'data-image-id')).toBe(String(imageId));
    // The cell is the queue, and the keys start on its head's target: length.
    await expect.poll(() => page.getAttribute('.target-control[data-active="true"]', 'data-target')).toBe('length');
    expect(await page.textContent('[data-testid=queue-position]')).toMatch(/ \/ /);
    // Fix it: the model's answer for this cell (the test only needs a different class).
    const fixed = classes[p]!;
    await page.keyboard.press(fixed === '>5' ? '>' : fixed);
    await page.waitForSelector('.save-state[data-save-state="saved"]');
    await expect.poll(() => humanLength(imageId)).toBe(fixed);
    // An ordinary, undoable edit.
    const history = await api<{ undo: string | null }>('annotations.history');
    expect(history.undo).toBe(`length of image ${imageId}`);
  });

  it('model-assisted labeling: predict, walk the least confident first, accept two, correct one', async () => {
    await page.goto(`${server.url}/#/evaluate?run=2`);
    await page.click('[data-testid=predict]');
    await expect.poll(() => page.textContent('[data-testid=predict-message]'), { timeout: 60_000 }).toMatch(/Predicted \d+ images/);
    await page.click('[data-review="length"]');
    await page.waitForSelector('.target-control[data-target="length"] [data-testid=suggestion]');
    const seen: { id: number; suggested: string }[] = [];
    for (let i = 0; i < 3; i++) {
      await expect.poll(async () => (await page.getAttribute('.stage img', 'data-image-id')) !== String(seen.at(-1)?.id)).toBe(true);
      const id = Number(await page.getAttribute('.stage img', 'data-image-id'));
      const suggested = (await page.getAttribute('.target-control[data-target="length"]', 'data-suggested'))!;
      seen.push({ id, suggested });
      // The queue is about length: the keys start there.
      expect(await page.getAttribute('.target-control[data-active="true"]', 'data-target')).toBe('length');
      if (i === 2) {
        // Correct the third: set a different length by hand, then move on.
        await page.keyboard.press(suggested === '2' ? '3' : '2');
      } else {
        // Accept the first two explicitly (A); Enter alone never accepts.
        await page.keyboard.press('a');
        await expect.poll(() => page.getAttribute('.target-control[data-target="length"]', 'data-origin')).toBe('accepted');
      }
      if (i === 0) await page.screenshot({ path: path.join(screenshotsDir, 'label-suggestion.png') });
      await page.keyboard.press('Enter');
    }
    await page.waitForSelector('.save-state[data-save-state="saved"]');
    const lengthId = await lengthTargetId();
    const confidences = await Promise.all(
      seen.map(
        async (s) =>
          (await api<{ annotations: { targetId: number; source: string; confidence: number | null }[] }>('images.get', { id: s.id })).annotations.find(
            (a) => a.targetId === lengthId && a.source === 'model',
          )!.confidence!,
      ),
    );
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b)); // least confident first
    expect(await humanLength(seen[0]!.id)).toBe(seen[0]!.suggested);
    expect(await humanLength(seen[1]!.id)).toBe(seen[1]!.suggested);
    expect(await humanLength(seen[2]!.id)).toBe(seen[2]!.suggested === '2' ? '3' : '2');
  });

  it('compares runs side by side', async () => {
    await api('training.start', { spec: { ...tinySpec, training: { ...tinySpec.training, epochs: 2, learningRate: 0.01 } } });
    await expect
      .poll(async () => (await api<{ id: number; status: string }[]>('training.runs')).find((r) => r.id === 3)?.status, { timeout: 120_000 })
      .toBe('completed');
    await page.goto(`${server.url}/#/evaluate?run=2`);
    await page.waitForSelector('.compare');
    await page.check('.compare input[value="2"]');
    await page.check('.compare input[value="3"]');
    await page.waitForSelector('[data-testid=spec-diff]');
    const diff = await page.textContent('[data-testid=spec-diff]');
    expect(diff).toMatch(/training\.epochs/);
    expect(diff).toMatch(/training\.learningRate/);
    await page.screenshot({ path: path.join(screenshotsDir, 'evaluate-compare.png'), fullPage: true });
  });

  it('ran without console or page errors', () => {
    expect(problems).toEqual([]);
  });
});
