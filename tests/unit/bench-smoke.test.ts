import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGS, loadPairs, runConfig } from '../../bench/ee559.js';
import { tf } from '../../electron/engine/tf.js';

// Smoke runs of the benchmarks, so that they cannot rot. They check that they measure, never how well.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bench:ee559 smoke', () => {
  it('builds the digit pairs from the real MNIST files and scores a configuration of each readout', async () => {
    const { train, test } = loadPairs(100, 0);
    expect(train.n).toBe(100);
    for (let i = 0; i < train.n; i++) expect(train.le[i]).toBe(train.classA[i]! <= train.classB[i]! ? 1 : 0);
    expect(new Set(train.classA).size).toBeGreaterThan(5);
    // The cheapest configuration of each readout, one short epoch.
    for (const config of [CONFIGS[1]!, CONFIGS[4]!]) {
      const error = await runConfig(config, 1, 1, train, test);
      expect(error).toBeGreaterThanOrEqual(0);
      expect(error).toBeLessThanOrEqual(100);
    }
  });
});
