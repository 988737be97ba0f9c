import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../../electron/domain/project.js';
import { runImport } from '../../electron/importer/importer.js';
import { scaleSummary, scaleTable, type ImportMeasure } from '../../bench/scale-report.js';
import { measureTraining } from '../../bench/scale-train.js';
import { sampleDir, tempDir } from '../helpers.js';

// A smoke run of bench:scale's measuring parts on the bundled sample, so that they cannot rot. It checks that they measure, never how fast.
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const project = Project.open(path.join(dir, 'data'));
  await runImport({ store: project.store, dataDir: project.dataDir }, { paths: [sampleDir] });
  project.close();
});
afterAll(() => cleanup());

describe('bench:scale smoke', () => {
  it('trains two streamed epochs and one in-memory epoch, and reports every figure', async () => {
    const request = { dataDir: path.join(dir, 'data'), cacheDir: path.join(dir, 'cache'), backend: 'wasm', budgetMB: 1 };
    const stream = { ...(await measureTraining({ ...request, mode: 'stream' })), forkedAt: 0 };
    stream.forkedAt = stream.startedAt;
    const steps = Math.ceil(stream.trainExamples / 32);
    expect(stream.batchAt).toHaveLength(2 * steps);
    expect(stream.epochEndAt).toHaveLength(2);
    // Every image decoded once, the test split's by its evaluation: the second epoch read from the cache.
    expect(stream.cache!.diskWrites).toBe(stream.cache!.decoded);
    expect(stream.cache!.decoded).toBe(stream.cache!.records);
    // ...and not before it: decoding them in the background of the second epoch would slow the steady images/s measured there.
    expect(stream.decodedAtEpochEnd.at(-1)).toBe(stream.cache!.records - stream.testExamples!);
    expect(stream.testExamples).toBeGreaterThan(0);
    expect(stream.evaluationSeconds).toBeGreaterThan(0);
    expect(stream.cache!.memoryBytes).toBeLessThanOrEqual(2 ** 20);
    expect(stream.decodedAtFirstStep!.done).toBeGreaterThanOrEqual(32);
    const memory = { ...(await measureTraining({ ...request, mode: 'memory', limit: 100 })), forkedAt: 0 };
    memory.forkedAt = memory.startedAt;
    expect(memory.trainExamples).toBe(100);
    const imported: ImportMeasure = {
      dataDir: request.dataDir,
      images: 300,
      imported: 300,
      rejected: 0,
      synthSeconds: null,
      importSeconds: 1,
      importImagesPerSecond: 300,
      importImagesPerSecondFirst10Percent: 300,
      importImagesPerSecondLast10Percent: 300,
      importPeakRssMB: 100,
      databaseMB: 2,
      thumbnailsMB: 1,
      imagesFolderMB: 1,
    };
    const summary = scaleSummary(imported, stream, memory, 1, { images: 100, firstStepSeconds: 1, peakRssMB: 100 });
    for (const key of [
      'images',
      'importImagesPerSecond',
      'importImagesPerSecondLast10Percent',
      'firstStepSeconds',
      'steadyImagesPerSecond',
      'peakRssMB',
      'databaseMB',
      'thumbnailsMB',
    ] as const) {
      expect(typeof summary[key]).toBe('number');
      expect(summary[key]).toBeGreaterThan(0);
    }
    expect(summary.secondEpochImagesPerSecond).toBeGreaterThan(0);
    expect(summary.memoryPipelineSteadyImagesPerSecond).toBeGreaterThan(0);
    expect(summary.extrapolation1M.firstStepSeconds).not.toBeNull();
    expect(scaleTable(summary)).toContain('extrapolated to 1,000,000 images');
  });
});
