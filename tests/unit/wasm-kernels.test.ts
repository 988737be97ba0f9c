import { tf } from '../../electron/engine/tf.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../electron/engine/wasm-kernels.js';
import { values } from '../engine-fixtures.js';

type Case = { x: [number, number, number, number]; k: number; co: number; stride: number; pad: 'same' | 'valid' };

/** dL/dx and dL/dW of sum(conv2d(x, W) * r) on the named backend. */
async function grads(backend: string, c: Case): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(
      values(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const w = tf.tensor4d(values(c.k * c.k * c.x[3] * c.co, 2), [c.k, c.k, c.x[3], c.co]);
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const r = tf.tensor(values(y.size, 3), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
});

describe('wasm training kernels agree with the cpu backend', () => {
  const cases: Case[] = [
    { x: [2, 14, 14, 1], k: 5, co: 6, stride: 1, pad: 'valid' }, // LeNet-5 first layer
    { x: [2, 5, 5, 6], k: 5, co: 16, stride: 1, pad: 'same' },
    { x: [3, 16, 16, 4], k: 3, co: 8, stride: 1, pad: 'same' }, // conv stack
    { x: [2, 9, 11, 3], k: 3, co: 5, stride: 2, pad: 'same' }, // odd sizes, stride 2
    { x: [2, 10, 10, 2], k: 4, co: 3, stride: 2, pad: 'valid' },
    { x: [1, 8, 8, 1], k: 1, co: 2, stride: 1, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`x ${c.x.join('x')}, ${c.k}x${c.k} → ${c.co}, stride ${c.stride}, ${c.pad}`, async () => {
      const cpu = await grads('cpu', c);
      const wasm = await grads('wasm', c);
      expect(wasm.dw.length).toBe(cpu.dw.length);
      expect(wasm.dx.length).toBe(cpu.dx.length);
      expect(maxRelError(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
      expect(maxRelError(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
    });
  }

  it('matMul with transposed operands (dense backward) matches, batched too', async () => {
    const shapes: [number[], number[], boolean, boolean][] = [
      [[5, 7], [5, 3], true, false],
      [[4, 6], [3, 6], false, true],
      [[6, 4], [3, 6], true, true],
      [[2, 5, 7], [2, 5, 3], true, false],
    ];
    for (const [sa, sb, ta, tb] of shapes) {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(
          () =>
            tf
              .matMul(
                tf.tensor(
                  values(
                    sa.reduce((a, b) => a * b),
                    4,
                  ),
                  sa,
                ),
                tf.tensor(
                  values(
                    sb.reduce((a, b) => a * b),
                    5,
                  ),
                  sb,
                ),
                ta,
                tb,
              )
              .dataSync() as Float32Array,
        );
      };
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      expect(maxRelError(wasm, cpu), `${sa} x ${sb} ${ta} ${tb}`).toBeLessThan(1e-5);
    }
  });

  it('tile (batch norm backward broadcasts with it) matches, any shape, float and int', async () => {
    const tileCases: [number[], number[], 'float32' | 'int32'][] = [
      [[1, 1, 1, 5], [2, 3, 4, 1], 'float32'], // batch norm: per-channel scale over N x H x W
      [[2, 3], [3, 2], 'float32'], // every axis repeated, non-1 sizes
      [[3, 1, 2], [1, 4, 1], 'int32'],
      [[4], [3], 'int32'],
      [[2, 2, 2], [1, 1, 1], 'float32'],
    ];
    for (const [shape, reps, dtype] of tileCases) {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor(
            values(
              shape.reduce((a, b) => a * b),
              6,
            ).map((v) => (dtype === 'int32' ? Math.round(v * 100) : v)),
            shape,
            dtype,
          );
          const y = tf.tile(x, reps);
          return { shape: y.shape, data: Array.from(y.dataSync()) };
        });
      };
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      expect(wasm.shape, `${shape} x ${reps}`).toEqual(cpu.shape);
      expect(wasm.data, `${shape} x ${reps}`).toEqual(cpu.data);
    }
    // And the gradient of batch norm, which is what uses it.
    const bn = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 4 * 4 * 3, 7), [2, 4, 4, 3]);
        const r = tf.tensor4d(values(2 * 4 * 4 * 3, 8), [2, 4, 4, 3]);
        const mean = tf.tensor1d([0.1, -0.2, 0.3]);
        const variance = tf.tensor1d([1.5, 0.7, 2]);
        const scale = tf.tensor1d([0.9, 1.1, 1.3]);
        const offset = tf.tensor1d([0.05, 0, -0.1]);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor4D, mean, variance, offset, scale, 1e-3), r)))(x);
        return dx.dataSync() as Float32Array;
      });
    };
    const cpuBn = await bn('cpu');
    expect(maxRelError(await bn('wasm'), cpuBn)).toBeLessThan(1e-5);
    // The batch-norm layer as training uses it: batch statistics, gradients through them too.
    const layer = async (backend: string) => {
      await tf.setBackend(backend);
      const bnLayer = tf.layers.batchNormalization();
      return tf.tidy(() => {
        const x = tf.tensor4d(values(4 * 6 * 5 * 3, 9), [4, 6, 5, 3]);
        const r = tf.tensor4d(values(4 * 6 * 5 * 3, 10), [4, 6, 5, 3]);
        return tf
          .grad((a: tf.Tensor) => tf.sum(tf.mul(bnLayer.apply(a, { training: true }) as tf.Tensor, r)))(x)
          .dataSync() as Float32Array;
      });
    };
    const cpuLayer = await layer('cpu');
    expect(Math.max(...Array.from(cpuLayer, Math.abs))).toBeGreaterThan(0.01);
    expect(maxRelError(await layer('wasm'), cpuLayer)).toBeLessThan(1e-5);
  });

  it('leaks no tensors or backend memory', async () => {
    await tf.setBackend('wasm');
    const c = cases[2]!;
    await grads('wasm', c);
    const before = tf.memory();
    for (let i = 0; i < 5; i++) await grads('wasm', c);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
