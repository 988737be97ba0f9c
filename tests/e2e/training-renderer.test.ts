/**
 * The Electron training renderer's message path, in Chromium: the page script Electron loads
 * (electron/engine/page-entry.ts, bundled for the browser, under the page's CSP) receives a
 * MessagePort as the host's preload forwards it, and answers the typed worker messages with
 * the same backend selection. Headless Chromium offers a SwiftShader WebGPU adapter to
 * http://127.0.0.1 pages with --enable-unsafe-webgpu: the probe runs tfjs-webgpu on it, and
 * so does a training run whose data side this test process plays, as Electron's main process
 * does (sides/port-host.ts; the port bridged by page-port.ts instead of MessageChannelMain).
 * SwiftShader's timings say nothing about a GPU: none is measured here.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker, WorkerJob } from '../../electron/engine/protocol.js';
import { Project } from '../../electron/domain/project.js';
import { selectBackend } from '../../electron/engine/backend.js';
import { loadCheckpoint } from '../../electron/engine/checkpoint.js';
import { readLabels, type Example } from '../../electron/engine/data.js';
import { threadHost, type SpawnHost } from '../../electron/engine/host.js';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { DataPipeline } from '../../electron/engine/pipeline/pipeline.js';
import { pipelineData } from '../../electron/engine/pipeline/stream-data.js';
import { checkpointFolder, runTargets } from '../../electron/engine/run-files.js';
import { TrainingRuns } from '../../electron/engine/runs.js';
import { portHost } from '../../electron/engine/sides/port-host.js';
import { evaluateLosses } from '../../electron/engine/trainer.js';
import { runImport } from '../../electron/importer/importer.js';
import { parseModelSpec } from '../../shared/model-spec.js';
import { repoRoot, sampleDir, tempDir } from '../helpers.js';
import { CHROMIUM } from './browser.js';
import { pagePort, type PagePort } from './page-port.js';

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

describe('training in the renderer: the compute side in Chromium on WebGPU, the data side in Node', () => {
  it('trains a few steps, writes a checkpoint the usual way, and the run evaluates and resumes on wasm in Node (and a wasm run resumes in the page)', async () => {
    const { dir: projectDir, cleanup: removeProject } = tempDir();
    const project = Project.open(path.join(projectDir, 'data'));
    const ports: PagePort[] = [];
    try {
      await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [sampleDir] });
      // The page for webgpu (as desktopHost sends it to the renderer), a worker thread for the rest.
      const spawn: SpawnHost = (job) => {
        if (job.backend !== 'webgpu') return threadHost(job);
        const port = pagePort(browser, url);
        ports.push(port);
        return portHost(job, port, async () => (await port.page).close());
      };
      const runs = new TrainingRuns(project, spawn);
      const spec = {
        name: 'renderer',
        inputs: [{ name: 'x', height: 16, width: 32 }],
        trunk: { preset: 'conv', depth: 1, width: 4, dense: 16, batchNorm: true },
        heads: [
          { name: 'length', target: { kind: 'target', target: 'length' } },
          { name: 'font', target: { kind: 'target', target: 'font_style' }, adversarial: { lambda: { schedule: 'dann', max: 0.1 } } },
        ],
        training: { epochs: 3, batchSize: 64, learningRate: 0.003, reportEvery: 2, seed: 2, augmentShift: 1 },
      };
      const seen: string[] = [];
      const handle = runs.start(spec, {
        backend: 'webgpu',
        // Stopped after the first epoch's checkpoint, to go on elsewhere.
        onMessage: (m) => {
          seen.push(m.type);
          if (m.type === 'checkpoint') handle.control('cancel');
        },
      });
      const stopped = await handle.done;
      expect(ports[0]!.problems).toEqual([]);
      expect(stopped).toMatchObject({ status: 'cancelled', error: null, backend: 'webgpu', epochs_done: 1 });
      expect(stopped.backend_reason).toMatch(/^requested \(webgpu\): WebGPU on a SOFTWARE adapter .*swiftshader.*, in the training renderer$/);
      expect(seen.slice(0, 2)).toEqual(['backend', 'split']);
      expect(seen.filter((t) => t === 'progress').length).toBeGreaterThanOrEqual(2);
      const checkpoint = project.store.runs.latestCheckpoint(handle.runId)!;
      expect(checkpoint).toMatchObject({ epoch: 1 });
      const folder = checkpointFolder(project, checkpoint.path);
      expect(JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8'))).toMatchObject({ format: 1, epoch: 1, step: checkpoint.step });

      // On wasm in this process: the renderer's checkpoint gives the validation loss the renderer reported for that epoch.
      const row = project.store.runs.get(handle.runId)!;
      const split = JSON.parse(row.split!) as { validation: number[][] };
      const reported = project.store.runs.metrics(handle.runId).find((m) => m.split === 'val' && m.head === '' && m.metric === 'loss' && m.epoch === 0)!;
      await selectBackend('wasm');
      const parsed = parseModelSpec(spec);
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const model = new MultiHeadModel(parsed.spec, runTargets(project, row));
      await loadCheckpoint(folder, model, null);
      const validation: Example[] = split.validation.map((imageIds) => ({ imageIds }));
      const pipeline = DataPipeline.open(project, parsed.spec, model.resolved, readLabels(project), validation, { cacheDir: path.join(projectDir, 'cache') });
      const untrained = new MultiHeadModel(parsed.spec, runTargets(project, row));
      try {
        const { loss } = await evaluateLosses(model, pipelineData(pipeline, validation, 0), 64);
        expect(Math.abs(loss - reported.value)).toBeLessThan(1e-3 * Math.max(1, reported.value));
        // The comparison can fail: the same model without the checkpoint (its initial weights) scores otherwise.
        const { loss: before } = await evaluateLosses(untrained, pipelineData(pipeline, validation, 0), 64);
        expect(Math.abs(before - reported.value)).toBeGreaterThan(1e-2 * Math.max(1, reported.value));
      } finally {
        pipeline.close(true);
        model.dispose();
        untrained.dispose();
      }

      // The run resumes from the renderer's checkpoint on wasm (a worker thread) and completes.
      const resumed = await runs.resume(handle.runId, { backend: 'wasm' }).done;
      expect(resumed).toMatchObject({ status: 'completed', error: null, backend: 'wasm', epochs_done: 3 });
      expect(project.store.runs.evaluation(handle.runId, 'test')).toBeTruthy();

      // And the other way: a run checkpointed on wasm in a worker thread resumes in the renderer and completes there.
      const onWasm = runs.start(spec, { backend: 'wasm', onMessage: (m) => m.type === 'checkpoint' && onWasm.control('cancel') });
      expect(await onWasm.done).toMatchObject({ status: 'cancelled', backend: 'wasm' });
      const inPage = await runs.resume(onWasm.runId, { backend: 'webgpu' }).done;
      expect(ports[1]!.problems).toEqual([]);
      expect(inPage).toMatchObject({ status: 'completed', error: null, backend: 'webgpu', epochs_done: 3 });
      expect(project.store.runs.evaluation(onWasm.runId, 'test')).toBeTruthy();
    } finally {
      project.close();
      removeProject();
    }
  });
});
