import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lambdaAt, parseModelSpec } from '../../shared/model-spec.js';
import { lengthClassesFor, type TargetDef } from '../../shared/targets.js';
import { selectBackend } from '../../electron/engine/backend.js';
import { MultiHeadModel, SpecError } from '../../electron/engine/model.js';
import { tf } from '../../electron/engine/tf.js';
import { gradientsOf, makeOptimizer, predictProbabilities, trainStep } from '../../electron/engine/train-step.js';
import { batchOf, defaultTargetDefs, disposeBatch, spec, synthetic } from '../engine-fixtures.js';

const models: MultiHeadModel[] = [];
const build = (s: Parameters<typeof spec>[0], targets: TargetDef[] | null = null) => {
  const m = new MultiHeadModel(spec(s), targets);
  models.push(m);
  return m;
};
afterEach(() => {
  while (models.length > 0) models.pop()!.dispose();
});
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const twoHeads = {
  name: 'two heads',
  inputs: [{ name: 'x', height: 14, width: 14 }],
  trunk: { preset: 'lenet5' as const },
  heads: [
    { name: 'quad', target: { kind: 'target' as const, target: 'quad' }, classes: ['tl', 'tr', 'bl', 'br'] },
    { name: 'level', target: { kind: 'target' as const, target: 'level' }, classes: ['dim', 'mid', 'bright'], lossWeight: 0.5 },
  ],
};

const defaultTargets: TargetDef[] = defaultTargetDefs();

describe('model spec', () => {
  it('names every invalid field', () => {
    const result = parseModelSpec({
      name: 'bad',
      inputs: [
        { name: 'a', height: 14, width: 14 },
        { name: 'b', height: 28, width: 28 },
        { name: 'a', height: 14, width: 14 },
      ],
      trunk: { preset: 'resnet' },
      heads: [
        { name: 'cmp', target: { kind: 'compare', target: 'digits', op: 'le', a: 'a', b: 'c' } },
        { name: 'cmp', target: { kind: 'target', target: 'x' }, lossWeight: -1 },
      ],
    });
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.errors.join('\n');
    expect(text).toMatch(/^trunk\.preset: /m);
    expect(text).toMatch(/^heads\.1\.lossWeight: /m);
    const second = parseModelSpec({
      ...twoHeads,
      inputs: [
        { name: 'a', height: 14, width: 14 },
        { name: 'a', height: 28, width: 28 },
      ],
      heads: [
        { name: 'h', target: { kind: 'compare', target: 'digits', op: 'le', a: 'a', b: 'c' } },
        { name: 'h', target: { kind: 'target', target: 'x' } },
      ],
    });
    const text2 = second.ok ? '' : second.errors.join('\n');
    expect(text2).toMatch(/^inputs: input names must be unique$/m);
    expect(text2).toMatch(/^shareTrunk: a shared trunk needs/m);
    expect(text2).toMatch(/^heads\.0\.target\.b: no input named 'c'/m);
    expect(text2).toMatch(/^heads\.1\.name: head name 'h' is used twice$/m);
  });

  it('resolves classes from the project targets, naming bad references', () => {
    const m = build(
      {
        name: 'house numbers',
        inputs: [{ name: 'x', height: 32, width: 32 }],
        trunk: { preset: 'conv', depth: 2, width: 8, dense: 32 },
        heads: [
          { name: 'length', target: { kind: 'target', target: 'length' } },
          { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
        ],
      },
      defaultTargets,
    );
    expect(m.resolved.map((h) => h.classes)).toEqual([lengthClassesFor(5), [...'0123456789']]);
    const badHeads = {
      ...twoHeads,
      heads: [
        { name: 'd9', target: { kind: 'position' as const, target: 'digits', position: 7 } },
        { name: 'f', target: { kind: 'target' as const, target: 'fontstyle' } },
      ],
    };
    expect(() => build(badHeads, defaultTargets)).toThrow(SpecError);
    try {
      build(badHeads, defaultTargets);
    } catch (e) {
      expect((e as SpecError).problems).toEqual([
        "heads.0.target.position: 7 is past the 5 positions of 'digits'",
        "heads.1.target.target: no target named 'fontstyle' (targets: digits, length, font_style, script)",
      ]);
    }
    expect(() => build({ ...twoHeads, inputs: [{ name: 'x', height: 8, width: 8 }] })).toThrow(/LeNet-5 needs inputs of at least 12x12/);
  });

  it('ramps λ with the DANN schedule', () => {
    expect(lambdaAt(0.3, 0.5)).toBe(0.3);
    expect(lambdaAt({ schedule: 'dann', max: 1 }, 0)).toBe(0);
    expect(lambdaAt({ schedule: 'dann', max: 1 }, 1)).toBeCloseTo(2 / (1 + Math.exp(-10)) - 1, 12);
    expect(lambdaAt({ schedule: 'dann', max: 2 }, 0.1)).toBeCloseTo(2 * (2 / (1 + Math.exp(-1)) - 1), 12);
  });
});

describe('gradients', () => {
  const data = synthetic(8, 3);

  it('a masked head contributes exactly zero gradient: changing masked labels changes nothing', () => {
    const m = build(twoHeads);
    const a = batchOf(data, 0, 8);
    const b = batchOf(data, 0, 8);
    for (const batch of [a, b]) batch.labels.level!.mask.set([1, 0, 1, 1, 0, 1, 0, 1]);
    const masked = [...a.labels.level!.mask].map((v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
    expect(masked.length).toBeGreaterThan(0);
    for (const i of masked) b.labels.level!.index[i] = (a.labels.level!.index[i]! + 1) % 3;
    const ga = gradientsOf(m, a);
    const gb = gradientsOf(m, b);
    for (const [v, g] of ga) expect(Array.from(gb.get(v)!), v.name).toEqual(Array.from(g));
    // And an unmasked label does matter (the comparison can fail).
    const c = batchOf(data, 0, 8);
    c.labels.level!.mask.set([1, 0, 1, 1, 0, 1, 0, 1]);
    const kept = [...c.labels.level!.mask].findIndex((v) => v === 1);
    c.labels.level!.index[kept] = (c.labels.level!.index[kept]! + 1) % 3;
    const gc = gradientsOf(m, c);
    const head = m.heads.get('level')!.trainableWeights[0]!.read() as tf.Variable;
    expect(Array.from(gc.get(head)!)).not.toEqual(Array.from(ga.get(head)!));
    [a, b, c].forEach(disposeBatch);
  });

  it('gradient reversal flips and scales by λ the gradient reaching the trunk, and leaves the head alone', () => {
    const adversarial = { ...twoHeads, heads: [{ ...twoHeads.heads[1]!, lossWeight: 1, adversarial: { lambda: 0.3 } }] };
    const plain = { ...twoHeads, heads: [{ ...twoHeads.heads[1]!, lossWeight: 1 }] };
    const ma = build(adversarial);
    const mp = build(plain);
    const batch = batchOf(data, 0, 8);
    const ga = [...gradientsOf(ma, batch).values()];
    const gp = [...gradientsOf(mp, batch).values()];
    const trunkCount = ma.uniqueTrunks()[0]!.trainableWeights.length;
    expect(ga).toHaveLength(gp.length);
    ga.forEach((g, i) => {
      const p = gp[i]!;
      const expected = i < trunkCount ? Array.from(p, (x) => -0.3 * x) : Array.from(p);
      let worst = 0;
      const scale = Math.max(1e-12, ...Array.from(p, Math.abs));
      g.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - expected[j]!) / scale)));
      expect(worst, `variable ${i}${i < trunkCount ? ' (trunk)' : ' (head)'}`).toBeLessThan(1e-5);
    });
    expect(Math.max(...ga[0]!.map(Math.abs))).toBeGreaterThan(0);
    disposeBatch(batch);
  });

  it('weight sharing applies one set of trunk variables to every input', () => {
    const siamese = {
      name: 'pairs',
      inputs: [
        { name: 'a', height: 14, width: 14 },
        { name: 'b', height: 14, width: 14 },
      ],
      trunk: { preset: 'lenet5' as const },
      heads: [{ name: 'cmp', target: { kind: 'compare' as const, target: 'digits', op: 'le' as const, a: 'a', b: 'b' } }],
    };
    const shared = build(siamese);
    const separate = build({ ...siamese, shareTrunk: false });
    expect(shared.trunks.get('a')).toBe(shared.trunks.get('b'));
    expect(shared.uniqueTrunks()).toHaveLength(1);
    expect(separate.uniqueTrunks()).toHaveLength(2);
    const trunkVars = shared.uniqueTrunks()[0]!.trainableWeights.length;
    const headVars = shared.heads.get('cmp')!.trainableWeights.length;
    expect(shared.trainableVariables()).toHaveLength(trunkVars + headVars);
    expect(separate.trainableVariables()).toHaveLength(2 * trunkVars + headVars);
    // The comparison head reads both inputs' features: 2 x 84.
    expect(shared.heads.get('cmp')!.inputs[0]!.shape).toEqual([null, 168]);
  });
});

describe('training', () => {
  it('learns a two-head synthetic task with a masked head, with no tensor growth across epochs', async () => {
    const train = synthetic(384, 11);
    const test = synthetic(128, 12);
    const m = build({ ...twoHeads, trunk: { preset: 'mlp', hidden: [64] }, training: { learningRate: 0.01 } });
    const optimizer = makeOptimizer(m.spec.training);
    const counts: number[] = [];
    for (let epoch = 0; epoch < 6; epoch++) {
      for (let from = 0; from < train.n; from += 32) {
        const batch = batchOf(train, from, 32);
        trainStep(m, optimizer, batch, epoch / 6);
        disposeBatch(batch);
      }
      counts.push(tf.memory().numTensors);
    }
    // Optimizer slots appear in the first epoch; after that the count is flat.
    expect(new Set(counts.slice(1)).size).toBe(1);
    const batch = batchOf(test, 0, 128);
    const p = await predictProbabilities(m, batch.inputs);
    const accuracy = (probs: Float32Array, labels: Int32Array, classes: number, mask?: Float32Array) => {
      let ok = 0;
      let n = 0;
      for (let i = 0; i < labels.length; i++) {
        if (mask && mask[i] === 0) continue;
        const row = probs.subarray(i * classes, (i + 1) * classes);
        ok += row.indexOf(Math.max(...row)) === labels[i] ? 1 : 0;
        n++;
      }
      return ok / n;
    };
    expect(accuracy(p.quad!, test.quad, 4)).toBeGreaterThan(0.95);
    expect(accuracy(p.level!, test.level, 3, test.levelKnown)).toBeGreaterThan(0.85);
    disposeBatch(batch);
    optimizer.dispose();
  });
});

describe('backend selection', () => {
  it('picks the best backend present and says why', async () => {
    const require = createRequire(import.meta.url);
    const has = (pkg: string) => {
      try {
        require.resolve(pkg);
        return true;
      } catch {
        return false;
      }
    };
    const choice = await selectBackend(undefined);
    if (choice.name === 'webgpu') {
      // A machine with a GPU: never a software adapter unless forced.
      expect(choice.adapter?.software).toBe(false);
      expect(choice.reason).toMatch(/^WebGPU on .*isFallbackAdapter false/);
    } else if (!has('@tensorflow/tfjs-node-gpu') && !has('@tensorflow/tfjs-node')) {
      expect(choice.name).toBe('wasm');
      expect(choice.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow']);
      // Here and in CI Dawn offers only Mesa's software adapter: refused, and named.
      expect(choice.reason).toMatch(
        /WebAssembly.*tfjs-node-gpu is not installed.*webgpu: no hardware WebGPU adapter: .*only a software adapter \(device llvmpipe.*tfjs-node is not installed/,
      );
    } else {
      expect(['tensorflow-gpu', 'tensorflow']).toContain(choice.name);
    }
    expect(tf.getBackend()).toBe(choice.tfBackend);
    await expect(selectBackend('tpu')).rejects.toThrow(/POLYHEAD_BACKEND='tpu'/);
    const forced = await selectBackend('cpu');
    expect(forced).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    expect(forced.reason).toMatch(/^requested \(cpu\): /);
  });
});

describe('shipped example specs', () => {
  it('parse and build against the default targets', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../resources/specs/', import.meta.url);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(['digit-pairs.json', 'house-numbers-adversarial-font.json', 'house-numbers.json']);
    for (const file of files) {
      const parsed = parseModelSpec(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
      expect(parsed.ok, `${file}: ${parsed.ok ? '' : parsed.errors.join('; ')}`).toBe(true);
      if (!parsed.ok) continue;
      const m = new MultiHeadModel(parsed.spec, defaultTargets);
      models.push(m);
      expect(m.resolved.length).toBe(parsed.spec.heads.length);
    }
  });
});
