/**
 * Roles in the browser (server mode): a labeler signed in through their own link sees what the
 * server would refuse them (403) — Start training, Import, Upload, Export, Remove… — disabled,
 * each saying which role it needs; the owner (an admin) has them enabled. Nothing is refused
 * only on use.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, importUnlabeledSample } from '../cli-helpers.js';
import { openPage, screenshotsDir, signIn } from './browser.js';
import { useApp } from './use-app.js';

let lee = '';
const app = useApp({
  project: (dir) => {
    const data = importUnlabeledSample(dir, 8);
    const added = cli(['users', 'add', 'lee', '--role', 'labeler', '--data', data]);
    lee = /^token for lee \(labeler\): (\S+)$/m.exec(added.stdout)![1]!;
    return data;
  },
  cleanExit: true,
});
let labeler: Page;
let owner: Page;
const NEEDS_TRAINER = /^Needs the trainer role: lee is a labeler/;

beforeAll(async () => {
  owner = app.page;
  // The labeler's page, in the same browser, signed in through their own link.
  labeler = await openPage(app.browser, app.problems);
  await labeler.setViewportSize({ width: 1024, height: 700 });
  await signIn(labeler, app.server.url, lee);
});

/** Whether the control is disabled, and its tooltip, once the page knows the session (its role). */
async function control(page: Page, selector: string): Promise<{ disabled: boolean; title: string | null }> {
  await page.waitForSelector('[data-testid=signed-in-as]');
  const element = page.locator(selector).first();
  await element.waitFor();
  return { disabled: await element.isDisabled(), title: await element.getAttribute('title') };
}

describe('controls a role may not use', () => {
  it('Dataset: Import, Upload files…, Upload folder… and Export labels… are disabled for a labeler, naming the trainer role', async () => {
    await labeler.goto(`${app.server.url}/#/dataset`);
    await labeler.waitForSelector('[data-testid=signed-in-as]');
    expect(await labeler.textContent('[data-testid=signed-in-as]')).toMatch(/lee \(labeler\)/);
    expect(await labeler.textContent('[data-testid=import-needs-role]')).toMatch(NEEDS_TRAINER);
    for (const selector of [
      'input[name=import-path]',
      '.import-form button[type=submit]',
      '[data-testid=upload-files]',
      '[data-testid=upload-folder]',
      '[data-testid=export-labels]',
    ]) {
      const c = await control(labeler, selector);
      expect(c.disabled, selector).toBe(true);
      expect(c.title, selector).toMatch(NEEDS_TRAINER);
    }
    await labeler.screenshot({ path: path.join(screenshotsDir, 'roles-labeler-dataset-1024.png') });
    // Files dragged onto the window: the overlay says why they cannot be imported, and the drop sends nothing.
    await labeler.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'dropped.png', { type: 'image/png' }));
      const target = document.querySelector('.grid-scroll')!;
      for (const type of ['dragenter', 'dragover']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    });
    expect(await labeler.textContent('[data-testid=drop-overlay]')).toMatch(/Cannot import here\. Needs the trainer role: lee is a labeler/);
    await labeler.screenshot({ path: path.join(screenshotsDir, 'roles-labeler-drop-1024.png') });
    await labeler.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'dropped.png', { type: 'image/png' }));
      document.querySelector('.grid-scroll')!.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: transfer }));
    });
    expect(await labeler.locator('[data-testid=drop-overlay]').count()).toBe(0);
    expect(await labeler.locator('.upload-status, [data-testid=upload-status]').count()).toBe(0);
  });

  it('Train: Start training; Targets: renaming, removing, merging and deleting, new targets', async () => {
    await labeler.goto(`${app.server.url}/#/train`);
    await labeler.waitForSelector('select[aria-label="Preset spec"] option', { state: 'attached' });
    const start = await control(labeler, '[data-testid=start-run]');
    expect(start).toEqual({ disabled: true, title: expect.stringMatching(NEEDS_TRAINER) });
    expect(await labeler.textContent('[data-testid=train-needs-role]')).toMatch(NEEDS_TRAINER);
    await labeler.locator('[data-testid=start-run]').scrollIntoViewIfNeeded();
    await labeler.screenshot({ path: path.join(screenshotsDir, 'roles-labeler-train-1024.png') });
    await labeler.goto(`${app.server.url}/#/targets`);
    const classActions = '[data-target=font_style] tr[data-class=serif] .actions';
    for (const selector of ['[data-action=remove-target]', '[data-action=rename-target]', `${classActions} button.danger`, `${classActions} select`]) {
      const c = await control(labeler, selector);
      expect(c, selector).toEqual({ disabled: true, title: expect.stringMatching(NEEDS_TRAINER) });
    }
    // New targets, categorical and sequence: the role is named before a name is typed.
    const adding = await labeler.locator('.add-target button[type=submit]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title')));
    expect(adding).toEqual([expect.stringMatching(NEEDS_TRAINER), expect.stringMatching(NEEDS_TRAINER)]);
    // Adding a class and setting keys are a labeler's (the server allows them): they stay enabled.
    expect(await labeler.locator('[data-target=font_style] .add-class input').isDisabled()).toBe(false);
    await labeler.screenshot({ path: path.join(screenshotsDir, 'roles-labeler-targets-1024.png') });
  });

  it('the labeler still labels', async () => {
    await labeler.goto(`${app.server.url}/#/label`);
    await labeler.waitForSelector('.stage img[data-image-id]');
    await labeler.keyboard.type('42');
    await labeler.waitForSelector('.save-state[data-save-state="saved"]');
  });

  it('the owner (admin) has every one of them enabled, without a tooltip saying otherwise', async () => {
    await owner.goto(`${app.server.url}/#/dataset`);
    await owner.waitForSelector('[data-testid=signed-in-as]');
    await owner.fill('input[name=import-path]', '/anywhere');
    expect(await owner.locator('[data-testid=import-needs-role]').count()).toBe(0);
    for (const selector of ['.import-form button[type=submit]', '[data-testid=upload-files]', '[data-testid=upload-folder]', '[data-testid=export-labels]']) {
      expect(await control(owner, selector), selector).toEqual({ disabled: false, title: null });
    }
    await owner.goto(`${app.server.url}/#/targets`);
    expect(await control(owner, '[data-action=remove-target]')).toEqual({ disabled: false, title: null });
    await owner.goto(`${app.server.url}/#/train`);
    // (Start also waits for a valid spec: only the role's part of it is checked here.)
    await owner.waitForSelector('select[aria-label="Preset spec"] option', { state: 'attached' });
    expect(await owner.locator('[data-testid=train-needs-role]').count()).toBe(0);
    expect((await control(owner, '[data-testid=start-run]')).title).toBeNull();
  });

  it('ran without console or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
