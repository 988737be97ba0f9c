/**
 * Issue 14 in Chromium: the browser UI on a non-loopback bind. The server binds every interface
 * (0.0.0.0) and Chromium reaches it by this machine's own network address, as a teammate's
 * browser would: without a token it gets the sign-in page; the owner's link signs it in (the
 * token leaves the address bar), and the app labels, with live events from another user.
 */
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDetail } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { callServer, cli, importUnlabeledSample, serve, stop, type Served } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';
import { launchChromium, openPage, screenshotsDir } from './browser.js';

let dir: string;
let cleanup: () => void;
let server: Served;
let browser: Browser;
let page: Page;
let address: string;
const problems: string[] = [];

beforeAll(async () => {
  const external = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .find((a) => a.family === 'IPv4' && !a.internal);
  if (!external) throw new Error('this test needs a non-loopback IPv4 address on this machine (hostname -I shows none)');
  address = external.address;
  ({ dir, cleanup } = tempDir());
  const data = importUnlabeledSample(dir, 8);
  server = await serve(['--data', data, '--host', '0.0.0.0', '--no-backup']);
  browser = await launchChromium();
  page = await openPage(browser, problems);
});
afterAll(async () => {
  await browser?.close();
  if (server) expect(await stop(server.child)).toBe(0);
  cleanup?.();
});

describe('the browser UI on a non-loopback bind', () => {
  it('prints a link on the machine’s address; without a token the browser gets the sign-in page, not the app', async () => {
    expect(server.url).toBe(`http://${address}:${new URL(server.url).port}`);
    expect(server.output()).toMatch(/bound to 0\.0\.0\.0: use a TLS reverse proxy/);
    const response = await page.goto(`${server.url}/#/label`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/needs a token/);
  });

  it('the link signs the browser in (token out of the address bar), and the app labels through the API and hears another user live', async () => {
    await page.goto(`${server.url}/?token=${server.token}`);
    await page.waitForSelector('[data-testid=signed-in-as]');
    expect(page.url()).toBe(`${server.url}/#/dataset`);
    expect(await page.textContent('[data-testid=signed-in-as]')).toMatch(/owner \(admin\)/);
    await page.goto(`${server.url}/#/label`);
    await page.waitForSelector('.stage img[data-image-id="1"]');
    await page.keyboard.type('4021');
    await page.waitForSelector('.save-state[data-save-state="saved"]');
    const targets = await callServer<TargetDef[]>(server.url, 'targets.list');
    const id = (name: string) => targets.find((t) => t.name === name)!.id;
    const detail = await callServer<ImageDetail>(server.url, 'images.get', { id: 1 });
    expect(detail.labels[id('digits')]?.value).toBe('4021');
    expect(detail.annotations.find((a) => a.targetId === id('digits'))?.author).toBe('owner');
    // Another user, with their own token, changes the image shown: the page hears it over the WebSocket.
    const added = cli(['users', 'add', 'mira', '--role', 'labeler', '--data', path.join(dir, 'data')]);
    const mira = /^token for mira \(labeler\): (\S+)$/m.exec(added.stdout)![1]!;
    await callServer(server.url, 'annotations.set', { imageId: 1, targetId: id('script'), label: { kind: 'value', value: 'greek' } }, mira);
    await page.waitForSelector('.target-control[data-target="script"] .chip.selected[data-value="greek"]');
    await page.screenshot({ path: path.join(screenshotsDir, 'team-server-non-loopback.png') });
  });

  it('a labeler signed in through their own link is named in the app and cannot start training', async () => {
    const added = cli(['users', 'add', 'lee', '--role', 'labeler', '--data', path.join(dir, 'data')]);
    const lee = /^token for lee \(labeler\): (\S+)$/m.exec(added.stdout)![1]!;
    const other = await openPage(browser, problems);
    await other.goto(`${server.url}/?token=${lee}`);
    await other.waitForSelector('[data-testid=signed-in-as]');
    expect(await other.textContent('[data-testid=signed-in-as]')).toMatch(/lee \(labeler\)/);
    await expect(callServer(server.url, 'training.start', { spec: {} }, lee)).rejects.toThrow(/lee is a labeler/);
    await other.close();
  });

  it('ran without console or page errors', () => {
    // The sign-in page's 401 is the only complaint Chromium logs.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  });
});
