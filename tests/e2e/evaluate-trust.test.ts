import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { callServer, cli, cliPath, importSample, serve, stop } from '../cli-helpers.js';
import { sampleDir, tempDir } from '../helpers.js';
import { openPage, screenshotsDir, signIn } from './browser.js';
import { useApp } from './use-app.js';

/**
 * Issue 12 in the app: the Evaluate view says which checkpoint and which split it evaluates,
 * shows the warnings, top-k and the reliability diagram, and opens a head's most confident
 * mistakes in the labeler; the Train view checks a spec against the project as you type.
 */
const app = useApp({ project: importSample, page: { height: 900 } });
const shot = (name: string) => path.join(screenshotsDir, name);

const tinySpec = {
  name: 'trust tiny',
  inputs: [{ name: 'x', height: 16, width: 32 }],
  trunk: { preset: 'mlp', hidden: [48] },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'font', target: { kind: 'target', target: 'font_style' } },
  ],
  training: { epochs: 4, batchSize: 16, learningRate: 0.003, reportEvery: 2 },
};

beforeAll(async () => {
  await app.page.setViewportSize({ width: 1440, height: 900 });
  const run = await app.api<{ id: number }>('training.start', { spec: tinySpec });
  // expect.poll works only inside a test: wait for the run by hand.
  const until = Date.now() + 110_000;
  let status = '';
  while (status !== 'completed' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    status = (await app.api<{ id: number; status: string }[]>('training.runs')).find((r) => r.id === run.id)?.status ?? '';
  }
  expect(status).toBe('completed');
});

describe('Evaluate and Train views: numbers to trust (server mode, Chromium)', () => {
  it('says which checkpoint and split were evaluated, and shows the warnings prominently', async () => {
    await app.page.goto(`${app.server.url}/#/evaluate?run=1`);
    await app.page.waitForSelector('[data-testid=evaluation-basis]');
    expect(await app.page.textContent('[data-testid=checkpoint]')).toMatch(/^epoch [1-4] of 4, (lowest validation loss|the last one)/);
    const split = (await app.page.textContent('[data-testid=split]'))!.replace(/\s+/g, ' ').trim();
    expect(split).toBe("random split, stratified by the first head's label — 1 of 1 source folder has images on both sides");
    // ~25 test images over 7 lengths and 5 fonts: too few per class, said at the top and next to each matrix.
    const report = await app.api<{ warnings: { head: string | null; kind: string }[] }>('training.evaluation', { runId: 1 });
    const heads = [...new Set(report.warnings.filter((w) => w.head !== null).map((w) => w.head))];
    expect(heads.length).toBeGreaterThan(0);
    await app.page.waitForSelector('[data-testid=run-warnings] [data-testid=warned-heads]');
    const summary = (await app.page.textContent('[data-testid=warned-heads]'))!.replace(/\s+/g, ' ');
    for (const h of heads) expect(summary).toContain(`${h} (`);
    expect(summary).toMatch(/length \([^)]*few test examples/);
    for (const w of report.warnings.filter((x) => x.head !== null)) {
      await app.page.waitForSelector(`.head-evaluation[data-head="${w.head}"] [data-testid=head-warnings] [data-warning="${w.kind}"]`);
    }
    expect(await app.page.locator('[data-head="length"] [data-warning="few-examples"]').textContent()).toMatch(
      /Few test examples: .*fewer than 10 test examples/,
    );
    await app.page.screenshot({ path: shot('evaluate-warnings.png') });
    await app.page.locator('[data-testid=evaluation-basis]').screenshot({ path: shot('evaluate-split.png') });
  });

  it('says the runs are loading, never "No finished runs yet", while the list is on its way', async () => {
    const fresh = await openPage(app.browser, app.problems, { height: 900 });
    await signIn(fresh, app.server.url);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await fresh.route('**/api/training.runs', async (route) => {
      await held;
      await route.continue();
    });
    await fresh.goto(`${app.server.url}/#/evaluate`);
    await fresh.waitForSelector('[data-testid=runs-loading]');
    expect(await fresh.textContent('.view')).not.toContain('No finished runs yet');
    release();
    await fresh.waitForSelector('[data-testid=evaluation-basis]');
    expect(await fresh.locator('[data-testid=runs-loading]').count()).toBe(0);
    expect(await fresh.textContent('.view')).not.toContain('No finished runs yet');
    await fresh.close();
  });

  it('shows top-2/top-3 accuracy and a reliability diagram with its ECE per head', async () => {
    const card = app.page.locator('.head-evaluation[data-head="length"]');
    expect(await card.locator('[data-top-k="2"]').textContent()).toMatch(/^top-2 \d+\.\d%$/);
    expect(await card.locator('[data-top-k="3"]').textContent()).toMatch(/^top-3 \d+\.\d%$/);
    expect(await card.locator('[data-testid=ece]').textContent()).toMatch(/^ECE \d+\.\d%$/);
    await card.locator('[data-testid=calibration] canvas').waitFor();
    // The chart drew something: the canvas is not blank.
    const inked = await card.locator('[data-testid=calibration] canvas').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: shot('evaluate-calibration.png') });
    // Once at a small window: the head card still fits (the chart wraps below the matrix).
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await card.scrollIntoViewIfNeeded();
    await app.page.screenshot({ path: shot('evaluate-1024.png') });
    const overflow = await app.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await app.page.setViewportSize({ width: 1440, height: 900 });
  });

  it('opens a head’s most confident mistakes in the labeler as one queue', async () => {
    const { items } = await app.api<{ items: { imageId: number; confidence: number }[] }>('training.mistakes', { runId: 1, head: 'length' });
    expect(items.length).toBeGreaterThan(0);
    const button = app.page.locator('.head-evaluation[data-head="length"] [data-testid=review-mistakes]');
    expect(await button.textContent()).toContain(`(${items.length})`);
    await button.click();
    await app.page.waitForURL(/#\/label\?queue=mistakes(%3A|:)1(%3A|:)length/);
    await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe(String(items[0]!.imageId));
    expect(await app.page.textContent('[data-testid=queue-position]')).toMatch(new RegExp(`1 / ${items.length}\\b`));
    // The queue is about the head's target: the keys start on length.
    await expect.poll(() => app.page.getAttribute('.target-control[data-active="true"]', 'data-target')).toBe('length');
    expect(await app.page.locator('.queue-picker select option:checked').textContent()).toBe('Most confident mistakes of run 1, head length');
    // Walking it goes down the list, most confident first.
    if (items.length > 1) {
      await app.page.keyboard.press('Enter');
      await expect.poll(() => app.page.getAttribute('.stage img', 'data-image-id')).toBe(String(items[1]!.imageId));
    }
  });

  it('checks a spec against the project as you type: a head on a missing target is an error and Start stays disabled', async () => {
    await app.page.goto(`${app.server.url}/#/train`);
    await app.page.waitForSelector('.spec-editor');
    await app.page.click('.spec-json summary');
    const json = 'textarea[aria-label="Model spec JSON"]';
    await app.page.fill(json, JSON.stringify(tinySpec, null, 2));
    await app.page.waitForSelector('.spec-ok');
    expect(await app.page.textContent('.spec-ok')).toBe('Spec is valid for this project.');
    expect(await app.page.isDisabled('[data-testid=start-run]')).toBe(false);
    const bad = { ...tinySpec, heads: [tinySpec.heads[0], { name: 'font', target: { kind: 'target', target: 'nope' } }] };
    await app.page.fill(json, JSON.stringify(bad, null, 2));
    // Schema-valid, so only the project can say it is wrong: Start is disabled while it is asked, and after.
    expect(await app.page.isDisabled('[data-testid=start-run]')).toBe(true);
    await app.page.waitForSelector('.spec-problems li[data-path="heads.1.target.target"]');
    expect(await app.page.textContent('.spec-problems')).toContain("heads.1.target.target: no target named 'nope'");
    expect(await app.page.locator('.spec-ok').count()).toBe(0);
    expect(await app.page.isDisabled('[data-testid=start-run]')).toBe(true);
    expect(await app.page.textContent('[data-head-issues="font"]')).toContain("no target named 'nope'");
    await app.page.locator('.new-run').screenshot({ path: shot('train-spec-error.png') });
    // Nothing was created, and the form takes the fix.
    expect((await app.api<unknown[]>('training.runs')).length).toBe(1);
    await app.page.selectOption('tr[data-head="font"] select[aria-label="head target"]', 'font_style');
    await app.page.waitForSelector('.spec-ok');
    expect(await app.page.isDisabled('[data-testid=start-run]')).toBe(false);
  });

  it('shows a run whose trainer was killed as interrupted, and a resume refused because another process trains it (409)', async () => {
    const other = tempDir();
    const data = path.join(other.dir, 'data');
    const servers: Awaited<ReturnType<typeof serve>>[] = [];
    const seen: string[] = [];
    const conflictPage = await openPage(app.browser, seen);
    let trainer: ChildProcess | null = null;
    try {
      expect(cli(['import', '--data', data, sampleDir]).status).toBe(0);
      // A long run, its server killed while it trains.
      const first = await serve(['--data', data]);
      const long = { ...tinySpec, trunk: { preset: 'conv', depth: 2, width: 16, dense: 64 }, training: { ...tinySpec.training, epochs: 200 } };
      await callServer(first.url, 'training.start', { spec: long });
      await expect
        .poll(async () => (await callServer<{ status: string; stepsDone: number }[]>(first.url, 'training.runs'))[0]?.status, { timeout: 60_000 })
        .toBe('running');
      await stop(first.child, 'SIGKILL');
      // The next server marks the run interrupted (one server per project: the killed one's lock went with it).
      const a = await serve(['--data', data]);
      servers.push(a);
      await signIn(conflictPage, a.url);
      await conflictPage.setViewportSize({ width: 1440, height: 900 });
      await conflictPage.goto(`${a.url}/#/train`);
      await conflictPage.waitForSelector('tr[data-run="1"][data-status="interrupted"]');
      expect(await conflictPage.isVisible('tr[data-run="1"] button:has-text("Resume")')).toBe(true);
      // Another process (the CLI, writing beside the server) resumes it; the page's Resume is refused, naming that process.
      const cliTrainer = spawn(process.execPath, [cliPath, 'train', '--data', data, '--resume', '1'], { stdio: 'ignore' });
      trainer = cliTrainer;
      await expect.poll(async () => (await callServer<{ status: string }[]>(a.url, 'training.runs'))[0]?.status, { timeout: 60_000 }).toBe('running');
      await conflictPage.click('tr[data-run="1"] button:has-text("Resume")');
      await conflictPage.waitForSelector('[data-run-error="1"]');
      expect(await conflictPage.textContent('[data-run-error="1"]')).toMatch(
        new RegExp(
          `^\\s*Not resumed: run 1 is being trained by process ${cliTrainer.pid} on \\S+ \\(last heartbeat \\d+ s ago\\); a run has one trainer at a time`,
        ),
      );
      await conflictPage.locator('tr[data-run="1"]').first().scrollIntoViewIfNeeded();
      await conflictPage.screenshot({ path: shot('train-resume-conflict.png') });
      // Ctrl+C on the CLI cancels its run.
      await stop(cliTrainer, 'SIGINT');
      trainer = null;
      // The refused call is the page's only complaint (Chromium logs the 409 response).
      expect(seen.filter((m) => !/status of 409/.test(m))).toEqual([]);
    } finally {
      if (trainer) await stop(trainer, 'SIGKILL');
      await conflictPage.close();
      for (const s of servers) await stop(s.child);
      other.cleanup();
    }
  });

  it('ran without console or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
