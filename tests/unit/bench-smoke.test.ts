import { beforeAll, describe, expect, it } from 'vitest';
import { asTrainData, loadDigits, requireTorch, runPolyhead, table as parityTable } from '../../bench/bn-parity.js';
import { CONFIGS, loadPairs, runConfig } from '../../bench/ee559.js';
import { tf } from '../../electron/engine/tf.js';
import { prepare, runVariant, table, type BenchSizes, type VariantResult } from '../../bench/svhn-synth.js';
import { tempDir } from '../helpers.js';

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

describe('bench:svhn-synth smoke', () => {
  it('renders with a font hold-out, imports, trains the three variants and measures them on the held-out fonts', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sizes: BenchSizes = { count: 80, holdout: 0.25, epochs: 1, seed: 3, lambdaMax: 0.3 };
      const prepared = await prepare(dir, sizes);
      expect(prepared.trainIds.length + prepared.heldoutIds.length).toBe(80);
      expect(prepared.heldoutIds.length).toBeGreaterThan(0);
      expect(prepared.trainIds.filter((id) => prepared.heldoutIds.includes(id))).toEqual([]);
      expect(prepared.heldOutFonts.length).toBeGreaterThan(0);
      const results: VariantResult[] = [];
      for (const variant of ['plain', 'font-head', 'adversarial'] as const) {
        const r = await runVariant(prepared, variant, sizes);
        expect(r.testExamples).toBe(prepared.heldoutIds.length);
        expect(r.steps).toBe(Math.ceil(r.trainExamples / 32));
        expect(r.sequenceCount).toBeGreaterThan(0);
        for (const v of [r.sequenceAccuracy, r.coverageAt98, r.lengthAccuracy, r.digitAccuracy.d0, r.probe.seenFonts, r.probe.heldoutFonts]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(r.probe.heldoutFontsChance).toBeGreaterThan(0);
        if (variant === 'plain') expect(r.fontHead).toBeNull();
        else expect(r.fontHead?.chance).toBeGreaterThan(0);
        results.push(r);
      }
      const printed = table(results);
      expect(printed).toContain('whole-sequence accuracy');
      expect(printed).toContain('probe font_style');
    } finally {
      cleanup();
    }
  });
});

describe('bench:bn-parity smoke (its Polyhead half: the PyTorch half needs python3-torch)', () => {
  it('trains the conv+BN model on real MNIST digits as shipped and with moving averages, and prints the curves', async () => {
    const train = loadDigits('train-images-first10k-idx3-ubyte.gz', 'train-labels-first10k-idx1-ubyte.gz', 64);
    const val = loadDigits('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 32);
    expect(new Set(train.y).size).toBeGreaterThan(5);
    const curves = {
      polyhead: [await runPolyhead('polyhead', asTrainData(train), asTrainData(val), 1, 1)],
      'moving 0.99': [await runPolyhead('moving 0.99', asTrainData(train), asTrainData(val), 1, 1)],
    };
    for (const c of Object.values(curves).flat()) {
      expect(c.validation).toHaveLength(1);
      expect(c.validation[0]).toBeGreaterThanOrEqual(0);
      expect(c.validation[0]).toBeLessThanOrEqual(1);
    }
    expect(parityTable(curves, 1)).toContain('moving 0.99');
  });

  it('fails loudly, naming the package, where PyTorch is missing', () => {
    expect(() => requireTorch('/bin/false')).toThrow(/apt-get install -y python3-torch/);
  });
});
