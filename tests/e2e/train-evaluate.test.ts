import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: importSample, page: { height: 900 } });

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

const lengthTargetId = async () => (await app.api<{ id: number; name: string }[]>('targets.list')).find((t) => t.name === 'length')!.id;
const humanLength = async (imageId: number) => {
  const detail = await app.api<{ labels: Record<number, { value: string | null }> }>('images.get', { id: imageId });
  return detail.labels[await lengthTargetId()]?.value ?? null;
};

describe('Train and Evaluate views (server mode, Chromium)', () => {
  it('starts a run from the Train view, shows live curves, and finishes', async () => {
    await app.page.goto(`${app.server.url}/#/train`);
    await app.page.waitForSelector('[data-testid=backend-name]', { timeout: 30_000 });
    await app.page.waitForSelector('.spec-editor');
    await app.page.click('.spec-json summary');
    await app.page.fill(
      'textarea[aria-label="Model spec JSON"]',
      JSON.stringify({ ...tinySpec, heads: [{ name: 'bad', target: { kind: 'position', target: 'digits', position: -1 } }] }),
    );
    await expect.poll(() => app.page.textContent('.spec-problems')).toMatch(/heads\.0\.target\.position/);
    expect(await app.page.isDisabled('[data-testid=start-run]')).toBe(true);
    await app.page.fill('textarea[aria-label="Model spec JSON"]', JSON.stringify(tinySpec));
    await app.page.waitForSelector('.spec-ok');
    const setEpochs = async (n: number) => {
      await app.page.fill('input[name=epochs]', String(n));
      await app.page.press('input[name=epochs]', 'Tab');
      await expect.poll(async () => JSON.parse(await app.page.inputValue('textarea[aria-label="Model spec JSON"]')).training.epochs).toBe(n);
    };
    // A slower trunk and many epochs: long enough to pause, resume and cancel while it runs.
    await app.page.fill(
      'textarea[aria-label="Model spec JSON"]',
      JSON.stringify({ ...tinySpec, trunk: { preset: 'conv', depth: 2, width: 16, dense: 64 }, training: { ...tinySpec.training, reportEvery: 5 } }),
    );
    await app.page.waitForSelector('.spec-ok');
    await setEpochs(100);
    await app.page.click('[data-testid=start-run]');
    await app.page.waitForSelector('tr[data-run="1"]');
    // Curves appear and grow while it runs.
    await app.page.waitForSelector('[data-testid=curves] .metric-chart canvas', { timeout: 60_000 });
    const heading = () => app.page.textContent('[data-testid=curves] h2');
    await expect.poll(heading, { timeout: 60_000 }).toMatch(/step \d+/);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'train-running.png') });
    // Pause: the curves stop; resume: they go on to the end.
    await app.page.click('tr[data-run="1"] button:has-text("Pause")');
    await expect.poll(() => app.page.getAttribute('tr[data-run="1"]', 'data-status')).toBe('paused');
    await app.page.waitForTimeout(600);
    const pausedAt = Number(/step (\d+)/.exec((await heading())!)![1]);
    await app.page.waitForTimeout(600);
    expect(Number(/step (\d+)/.exec((await heading())!)![1])).toBe(pausedAt);
    await app.page.click('tr[data-run="1"] button:has-text("Resume")');
    await expect.poll(async () => Number(/step (\d+)/.exec((await heading())!)![1]), { timeout: 30_000 }).toBeGreaterThan(pausedAt);
    await app.page.click('tr[data-run="1"] button:has-text("Cancel")');
    await expect.poll(() => app.page.getAttribute('tr[data-run="1"]', 'data-status'), { timeout: 30_000 }).toBe('cancelled');
    // A short run to the end.
    await app.page.fill('textarea[aria-label="Model spec JSON"]', JSON.stringify(tinySpec));
    await app.page.waitForSelector('.spec-ok');
    await setEpochs(6);
    await app.page.click('[data-testid=start-run]');
    await expect.poll(() => app.page.getAttribute('tr[data-run="2"]', 'data-status'), { timeout: 120_000 }).toBe('completed');
    await expect.poll(() => app.page.locator('[data-testid=curves] .metric-chart').count()).toBe(7); // combined + 3 heads x (loss, accuracy)
    await app.page.screenshot({ path: path.join(screenshotsDir, 'train.png'), fullPage: true });
  });

  it('opens a confusion cell, then an image behind it in the labeler, and fixes its label', async () => {
    await app.page.click('tr[data-run="2"] a:has-text("Evaluate")');
    await app.page.waitForSelector('[data-head="length"] .confusion');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'evaluate.png'), fullPage: true });
    const cell = app.page.locator('[data-head="length"] td[data-count]:not(.diagonal):not(.empty)').first();
    const t = Number(await cell.getAttribute('data-true'));
    const p = Number(await cell.getAttribute('data-pred'));
    await cell.click();
    await app.page.waitForSelector('[data-testid=cell-images] a[data-image-id]');
    const imageId = Number(await app.page.getAttribute('[data-testid=cell-images] a[data-image-id]', 'data-image-id'));
    const classes = ['0', '1', '2', '3', '4', '5', '>5'];
    expect(await humanLength(imageId)).toBe(classes[t]);
    await app.page.click(`[data-testid=cell-images] a[data-image-id="${imageId}"]`);
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe(String(imageId));
    // The cell is the queue, and the keys start on its head's target: length.
    await expect.poll(() => app.page.getAttribute('.target-control[data-active="true"]', 'data-target')).toBe('length');
    expect(await app.page.textContent('[data-testid=queue-position]')).toMatch(/ \/ /);
    const title = await app.page.$eval('[aria-label="Labeling queue"]', (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent?.trim());
    expect(title).toBe(`Confusion cell of run 2, head length (true ${classes[t]}, predicted ${classes[p]})`);
    // Fix it: the model's answer for this cell (the test only needs a different class).
    const fixed = classes[p]!;
    await app.page.keyboard.press(fixed === '>5' ? '>' : fixed);
    await app.page.waitForSelector('.save-state[data-save-state="saved"]');
    await expect.poll(() => humanLength(imageId)).toBe(fixed);
    // An ordinary, undoable edit.
    const history = await app.api<{ undo: string | null }>('annotations.history');
    expect(history.undo).toBe(`length of image ${imageId}`);
  });

  it('model-assisted labeling: predict, walk the least confident first, accept two, correct one', async () => {
    await app.page.goto(`${app.server.url}/#/evaluate?run=2`);
    await app.page.click('[data-testid=predict]');
    await expect.poll(() => app.page.textContent('[data-testid=predict-message]'), { timeout: 60_000 }).toMatch(/Predicted \d+ images/);
    await app.page.click('[data-review="length"]');
    await app.page.waitForSelector('.target-control[data-target="length"] [data-testid=suggestion]');
    const seen: { id: number; suggested: string }[] = [];
    for (let i = 0; i < 3; i++) {
      await expect.poll(async () => (await app.page.getAttribute('.stage img', 'data-image-id')) !== String(seen.at(-1)?.id)).toBe(true);
      const id = Number(await app.page.getAttribute('.stage img', 'data-image-id'));
      const suggested = (await app.page.getAttribute('.target-control[data-target="length"]', 'data-suggested'))!;
      seen.push({ id, suggested });
      // The queue is about length: the keys start there.
      expect(await app.page.getAttribute('.target-control[data-active="true"]', 'data-target')).toBe('length');
      if (i === 2) {
        // Correct the third: set a different length by hand, then move on.
        await app.page.keyboard.press(suggested === '2' ? '3' : '2');
      } else {
        // Accept the first two explicitly (A); Enter alone never accepts.
        await app.page.keyboard.press('a');
        await expect.poll(() => app.page.getAttribute('.target-control[data-target="length"]', 'data-origin')).toBe('accepted');
      }
      if (i === 0) await app.page.screenshot({ path: path.join(screenshotsDir, 'label-suggestion.png') });
      await app.page.keyboard.press('Enter');
    }
    await app.page.waitForSelector('.save-state[data-save-state="saved"]');
    const lengthId = await lengthTargetId();
    const confidences = await Promise.all(
      seen.map(
        async (s) =>
          (await app.api<{ annotations: { targetId: number; source: string; confidence: number | null }[] }>('images.get', { id: s.id })).annotations.find(
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
    await app.api('training.start', { spec: { ...tinySpec, training: { ...tinySpec.training, epochs: 2, learningRate: 0.01 } } });
    await expect
      .poll(async () => (await app.api<{ id: number; status: string }[]>('training.runs')).find((r) => r.id === 3)?.status, { timeout: 120_000 })
      .toBe('completed');
    await app.page.goto(`${app.server.url}/#/evaluate?run=2`);
    await app.page.waitForSelector('.compare');
    await app.page.check('.compare input[value="2"]');
    await app.page.check('.compare input[value="3"]');
    await app.page.waitForSelector('[data-testid=spec-diff]');
    const diff = await app.page.textContent('[data-testid=spec-diff]');
    expect(diff).toMatch(/training\.epochs/);
    expect(diff).toMatch(/training\.learningRate/);
    await app.page.screenshot({ path: path.join(screenshotsDir, 'evaluate-compare.png'), fullPage: true });
  });

  it('ran without console or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
