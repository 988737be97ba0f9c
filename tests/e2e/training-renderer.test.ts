/**
 * The Electron training renderer's message path, in Chromium: the page script Electron loads
 * (electron/engine/page-entry.ts, bundled for the browser, under the page's CSP) receives a
 * MessagePort as the host's preload forwards it, and answers the typed worker messages with
 * the same backend selection. Headless Chromium offers a SwiftShader WebGPU adapter to
 * http://127.0.0.1 pages with --enable-unsafe-webgpu: the probe runs tfjs-webgpu on it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker, WorkerJob } from '../../electron/engine/protocol.js';
import { repoRoot, tempDir } from '../helpers.js';
import { CHROMIUM } from './browser.js';

let cleanup: () => void;
let server: http.Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(repoRoot, 'electron/engine/page-entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife', // a classic script, as resources/training/index.html loads it
    external: ['webgpu'], // Dawn's Node binding: never loaded in a page (navigator.gpu is there)
    outfile: path.join(dir, 'page-worker.js'),
    logLevel: 'warning',
  });
  const page = readFileSync(path.join(repoRoot, 'resources/training/index.html'), 'utf8');
  writeFileSync(path.join(dir, 'index.html'), page);
  const csp = /content="([^"]+)"/.exec(page)![1]!;
  server = http.createServer((req, res) => {
    // The page names ../../dist/training/page-worker.js (its place in the app): any script is the bundle.
    const file = req.url?.endsWith('.js') ? 'page-worker.js' : 'index.html';
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : 'text/html');
    res.setHeader('content-security-policy', csp);
    res.end(readFileSync(path.join(dir, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
  cleanup?.();
});

/** Sends one job over a fresh port, as renderer-host.ts does, and collects the answers until done or error. */
async function runJob(job: WorkerJob): Promise<{ messages: FromWorker[]; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(url);
  const messages = await page.evaluate(
    (sent) =>
      new Promise<unknown[]>((resolve) => {
        const { port1, port2 } = new MessageChannel();
        const seen: unknown[] = [];
        port1.onmessage = (e) => {
          seen.push(e.data);
          const type = (e.data as { type: string }).type;
          if (type === 'done' || type === 'error') resolve(seen);
        };
        window.postMessage('polyhead-training-port', '*', [port2]);
        port1.postMessage({ type: 'start', job: sent });
      }),
    job,
  );
  await page.close();
  return { messages: messages as FromWorker[], problems };
}

describe('the training renderer in Chromium', () => {
  it('answers a probe over the port with the WebGPU adapter it runs on', async () => {
    const { messages, problems } = await runJob({ kind: 'probe', backend: 'webgpu' });
    expect(problems).toEqual([]);
    expect(messages.map((m) => m.type)).toEqual(['backend', 'done']);
    const backend = messages[0] as Extract<FromWorker, { type: 'backend' }>;
    expect(backend.choice.name).toBe('webgpu');
    expect(backend.choice.adapter?.via).toBe('the page (navigator.gpu)');
    // SwiftShader says it is a fallback adapter: used only because the job forces webgpu, and named so.
    expect(backend.choice.adapter?.software).toBe(true);
    expect(backend.choice.reason).toMatch(/^requested \(webgpu\): WebGPU on a SOFTWARE adapter .*architecture swiftshader.*isFallbackAdapter true/);
  });

  it('refuses a software adapter when webgpu is not forced, and jobs that need the project, with the reason', async () => {
    const unforced = await runJob({ kind: 'probe' });
    expect(unforced.messages.map((m) => m.type)).toEqual(['error']);
    expect((unforced.messages[0] as { message: string }).message).toMatch(/no hardware WebGPU adapter: the page \(navigator\.gpu\): only a software adapter/);
    const train = await runJob({ kind: 'export', dataDir: '/nowhere', runId: 1, outDir: '/nowhere', backend: 'webgpu' });
    expect(train.messages.map((m) => m.type)).toEqual(['backend', 'error']);
    expect((train.messages[1] as { message: string }).message).toMatch(/export jobs read the project's files/);
  });
});
