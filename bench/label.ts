/**
 * `npm run bench:label`: in Chromium against server mode, the time from the Enter key
 * ("save and next") to the next image painted, over 200 images after a warm-up, with a
 * label keyed on each image first so a write is in flight.
 *
 * Two measures, each taken on the app and on a peer run side by side: a minimal page that
 * shows the class keyed and swaps a prefetched, decoded <img> on Enter (the floor this
 * browser and machine allow):
 *  - marks: key → the task after the frame that showed the new image (the app's own
 *    performance marks polyhead:label-key / polyhead:label-painted);
 *  - Event Timing: the browser's keydown → next paint, reported only above 16 ms (8 ms steps).
 *
 * Two pacings, both reported: "paced" leaves 120 ms between the class key and Enter (a fast
 * typist, ~100 words a minute) and is what the 16 ms goal is judged on; "burst" sends Enter
 * straight after the class key. In a burst the class key's own frame has just been drawn, so
 * Enter waits for the next 60 Hz vsync (0–16.7 ms) on any page that shows the key, the peer
 * included: burst measures the vsync phase as much as the page.
 * Prints p50/p95 against the 16 ms goal and the app/peer ratio; writes bench/results/label.json.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runImport } from '../electron/importer/importer.js';
import { openRuntime } from '../electron/app/runtime.js';
import { startServer } from '../electron/server/server.js';
import { mediaPath } from '../shared/api/contract.js';
import { repoRoot, runAsScript, writeResult } from './common.js';

/** The repository root, from bench/label.ts or its bundle dist/bench/label.mjs. */
const rendererDir = path.join(repoRoot, 'dist', 'renderer');
const sampleDir = path.join(repoRoot, 'resources', 'sample');

export const GOAL_P95_MS = 16;
/** Between the class key and Enter in the paced run: a fast typist's interval (100 wpm ≈ 120 ms a key). */
export const PACED_KEY_INTERVAL_MS = 120;

export interface Series {
  samplesMs: number[];
  p50: number;
  p95: number;
  mean: number;
  max: number;
  /** Enters whose keydown the browser reported slower than 16 ms to the next paint. */
  eventTimingOver16: number;
  eventTimingWorstMs: number;
}

export interface Pacing {
  /** Milliseconds between the class key and Enter (0: back to back). */
  keyIntervalMs: number;
  app: Series;
  peer: Series;
}

export interface LabelBenchResult {
  count: number;
  warmup: number;
  paced: Pacing;
  burst: Pacing;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

type Observed = { start: number; duration: number }[];

/** Records keydown Event Timing entries (≥ 16 ms) into a global, before any page script runs. */
function installEventTiming(): void {
  const store: Observed = [];
  (globalThis as unknown as { __polyheadEvents: Observed }).__polyheadEvents = store;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'keydown') store.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'event', durationThreshold: 16, buffered: true } as PerformanceObserverInit);
}

/** The peer: a page that shows the class keyed and swaps to the next prefetched, decoded image on Enter. */
async function peerPage(page: Page, urls: string[]): Promise<void> {
  await page.evaluate(async (srcs) => {
    const images = await Promise.all(
      srcs.map(async (src, i) => {
        const img = new Image();
        img.src = src;
        img.style.height = '200px';
        img.style.imageRendering = 'pixelated';
        img.dataset.imageId = String(i + 1);
        await img.decode();
        return img;
      }),
    );
    const stage = document.createElement('div');
    const keyed = document.createElement('output');
    document.body.append(stage, keyed);
    let at = 0;
    stage.replaceChildren(images[0]!);
    window.addEventListener('keydown', (event) => {
      if (/^[0-9]$/.test(event.key)) keyed.textContent = event.key;
      if (event.key !== 'Enter') return;
      keyed.textContent = '';
      performance.mark('polyhead:label-key');
      at++;
      const img = images[at]!;
      stage.replaceChildren(img);
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => performance.mark('polyhead:label-painted', { detail: at + 1 });
        channel.port2.postMessage(null);
      });
    });
  }, urls);
}

async function measure(page: Page, count: number, warmup: number, keyIntervalMs: number): Promise<Series> {
  const samples: number[] = [];
  const keyTimes: number[] = [];
  const first = await page.evaluate(() => Number(document.querySelector('.stage img, img')?.getAttribute('data-image-id')));
  for (let i = 0; i < count + warmup; i++) {
    const next = first + i + 1;
    // Label something first (script: "1" after three Tabs) so a write is in flight.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('1');
    await page.evaluate(() => performance.clearMarks());
    if (keyIntervalMs) await page.waitForTimeout(keyIntervalMs);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (id) => performance.getEntriesByName('polyhead:label-painted').some((e) => (e as unknown as { detail: unknown }).detail === id),
      next,
      { polling: 'raf', timeout: 10_000 },
    );
    const [ms, keyAt] = await page.evaluate((id) => {
      const key = performance.getEntriesByName('polyhead:label-key')[0]!;
      const painted = performance.getEntriesByName('polyhead:label-painted').find((e) => (e as unknown as { detail: unknown }).detail === id)!;
      return [painted.startTime - key.startTime, key.startTime] as const;
    }, next);
    if (i >= warmup) {
      samples.push(ms);
      keyTimes.push(keyAt);
    }
  }
  await page.waitForTimeout(300); // Event Timing entries arrive after their paint
  const timing = await page.evaluate((keys) => {
    const entries = (globalThis as unknown as { __polyheadEvents: { start: number; duration: number }[] }).__polyheadEvents;
    return keys.map((k) => entries.find((e) => e.start <= k && k - e.start < 50)?.duration ?? 0);
  }, keyTimes);
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samplesMs: samples,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    max: sorted[sorted.length - 1]!,
    eventTimingOver16: timing.filter((d) => d > 16).length,
    eventTimingWorstMs: Math.max(0, ...timing),
  };
}

/** One pacing on a fresh project and server: the app's labeler, then the peer page on the same images. */
async function measurePacing(browser: Browser, options: { count: number; warmup: number }, keyIntervalMs: number): Promise<Pacing> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'polyhead-bench-label-'));
  const runtime = openRuntime(path.join(work, 'data'));
  // A loopback benchmark of the labeler's paint time: no sign-in (as `serve --no-auth`).
  const server = await startServer({ ...runtime, rendererDir, noAuth: true });
  try {
    const needed = options.count + options.warmup + 1;
    const crops = path.join(work, 'crops');
    await mkdir(crops);
    const pngs = (await readdir(sampleDir)).filter((f) => f.endsWith('.png')).sort();
    if (pngs.length < needed) throw new Error(`the bundled sample has ${pngs.length} images; the bench needs ${needed}`);
    for (const f of pngs.slice(0, needed)) await copyFile(path.join(sampleDir, f), path.join(crops, f));
    await runImport({ store: runtime.project.store, dataDir: runtime.project.dataDir }, { paths: [crops] });

    const appPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await appPage.addInitScript(installEventTiming);
    await appPage.goto(`${server.url}/#/label`);
    await appPage.waitForSelector('.stage img[data-image-id="1"]');
    // POLYHEAD_TRACE=FILE writes a Chromium trace (with JS samples) of the app's paced run, or of its burst run with
    // POLYHEAD_TRACE_BURST=1, to find what a slow Enter waits on.
    const trace = (process.env.POLYHEAD_TRACE_BURST ? !keyIntervalMs : keyIntervalMs) ? process.env.POLYHEAD_TRACE : undefined;
    if (trace)
      await browser.startTracing(appPage, {
        path: trace,
        categories: ['devtools.timeline', 'blink.user_timing', 'v8.execute', 'disabled-by-default-devtools.timeline', 'disabled-by-default-v8.cpu_profiler'],
      });
    const app = await measure(appPage, options.count, options.warmup, keyIntervalMs);
    if (trace) await browser.stopTracing();
    await appPage.close();

    const peer = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await peer.addInitScript(installEventTiming);
    await peer.goto(`${server.url}/media/thumb/1`);
    await peer.evaluate(() => document.body.replaceChildren());
    await peerPage(
      peer,
      Array.from({ length: needed }, (_, i) => `${server.url}/${mediaPath.image(i + 1)}`),
    );
    const peerSeries = await measure(peer, options.count, options.warmup, keyIntervalMs);
    await peer.close();
    return { keyIntervalMs, app, peer: peerSeries };
  } finally {
    await server.close();
    runtime.close();
    await rm(work, { recursive: true, force: true });
  }
}

export async function runLabelBench(options: { count: number; warmup: number; chromium?: string }): Promise<LabelBenchResult> {
  const browser = await chromium.launch({
    executablePath: options.chromium ?? process.env.POLYHEAD_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const paced = await measurePacing(browser, options, PACED_KEY_INTERVAL_MS);
    const burst = await measurePacing(browser, options, 0);
    return { count: options.count, warmup: options.warmup, paced, burst };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const warmup = Number(process.argv[3] ?? 20);
  const r = await runLabelBench({ count, warmup });
  const f = (n: number) => n.toFixed(1).padStart(8);
  console.log(`Enter → next image painted, Chromium headless (--disable-gpu), ${r.count} images after ${r.warmup} warm-up, ${os.availableParallelism()} cores`);
  console.log("peer: a minimal page that shows the class keyed and swaps a prefetched, decoded <img> per Enter (this browser and machine's floor)");
  for (const [title, pacing] of [
    [`paced: ${r.paced.keyIntervalMs} ms between the class key and Enter (the goal is judged here)`, r.paced],
    ['burst: Enter straight after the class key (waits for the next vsync on any page)', r.burst],
  ] as const) {
    console.log(`\n${title}`);
    console.log('marks (ms)      p50     p95    mean     max   Event Timing: Enters > 16 ms (worst)');
    for (const [name, s] of [
      ['app', pacing.app],
      ['peer', pacing.peer],
    ] as const) {
      console.log(`${name.padEnd(10)}${f(s.p50)}${f(s.p95)}${f(s.mean)}${f(s.max)}   ${s.eventTimingOver16}/${r.count} (${s.eventTimingWorstMs} ms)`);
    }
    console.log(`app/peer  ${(pacing.app.p50 / pacing.peer.p50).toFixed(2).padStart(7)}x${(pacing.app.p95 / pacing.peer.p95).toFixed(2).padStart(7)}x`);
  }
  const { app, peer } = r.paced;
  console.log(
    `\ngoal (paced): p95 ≤ ${GOAL_P95_MS} ms → app p95 / goal = ${(app.p95 / GOAL_P95_MS).toFixed(2)}x, peer p95 / goal = ${(peer.p95 / GOAL_P95_MS).toFixed(2)}x`,
  );
  await writeResult('label', { goalP95Ms: GOAL_P95_MS, ...r });
}

runAsScript('label', main);
