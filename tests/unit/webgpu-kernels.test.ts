/**
 * Every kernel a training step uses, forward and gradient, on the webgpu backend against the
 * cpu backend (relative error < 1e-4), on the shapes the presets use: LeNet-5 (5x5 same and
 * valid), the conv stack (3x3 same), 2x2 max pooling of odd sizes, stride 2, batch norm with
 * batch statistics, dense layers, the masked softmax cross-entropy with class weights.
 * Runs on the software adapter here and in CI (small shapes: each shader compiles on the CPU).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../electron/engine/tf.js';
import { examplesPerChunk, useStockWebGpuFilterGradient } from '../../electron/engine/webgpu-kernels.js';
import { maxRelError, on, randomTensor, startForcedWebGpu } from '../webgpu-fixtures.js';

beforeAll(async () => {
  await startForcedWebGpu();
});

/** Compares every output of `fn` (value first, then gradients) between cpu and webgpu. */
async function agree(fn: () => tf.Tensor[], label: string): Promise<void> {
  const cpu = await on('cpu', fn);
  const gpu = await on('webgpu', fn);
  expect(gpu.length).toBe(cpu.length);
  cpu.forEach((c, i) => {
    // A comparison of zeros with zeros proves nothing: every output must carry signal.
    expect(Math.max(...Array.from(c, Math.abs)), `${label} output ${i} is all zeros`).toBeGreaterThan(1e-3);
    expect(maxRelError(gpu[i]!, c), `${label} output ${i}`).toBeLessThan(1e-4);
  });
}

type ConvCase = { x: [number, number, number, number]; k: number; co: number; stride: number; pad: 'same' | 'valid' };

describe('webgpu training kernels agree with the cpu backend', () => {
  const convs: ConvCase[] = [
    { x: [2, 14, 14, 1], k: 5, co: 6, stride: 1, pad: 'same' }, // LeNet-5 conv1
    { x: [2, 7, 7, 6], k: 5, co: 16, stride: 1, pad: 'valid' }, // LeNet-5 conv2 (odd input)
    { x: [3, 16, 16, 4], k: 3, co: 8, stride: 1, pad: 'same' }, // conv stack
    { x: [2, 9, 11, 3], k: 3, co: 5, stride: 2, pad: 'same' }, // odd sizes, stride 2
    { x: [2, 10, 10, 2], k: 4, co: 3, stride: 2, pad: 'valid' },
  ];
  for (const c of convs) {
    it(`conv2d and its gradients: x ${c.x.join('x')}, ${c.k}x${c.k} → ${c.co}, stride ${c.stride}, ${c.pad}`, async () => {
      await agree(() => {
        const x = randomTensor(c.x, 1) as tf.Tensor4D;
        const w = randomTensor([c.k, c.k, c.x[3], c.co], 2) as tf.Tensor4D;
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
        const y = f(x, w);
        const r = randomTensor(y.shape, 3);
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w]);
        return [y, dx!, dw!];
      }, `conv ${c.x}`);
    });
  }

  it("Polyhead's chunked filter gradient and the package's own both match cpu on a long inner axis (6 chunks of 2,304 rows)", async () => {
    const dw = () => {
      const x = randomTensor([6, 48, 48, 2], 21) as tf.Tensor4D;
      const w = randomTensor([3, 3, 2, 8], 22) as tf.Tensor4D;
      return ([1, 2] as const).map((stride) => {
        const r = randomTensor([6, 48 / stride, 48 / stride, 8], 23);
        return tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, b as tf.Tensor4D, stride, 'same'), r)))(w);
      });
    };
    expect([examplesPerChunk(6, 48 * 48), examplesPerChunk(6, 24 * 24), examplesPerChunk(32, 1024), examplesPerChunk(7, 100)]).toEqual([1, 6, 4, 7]);
    const cpu = await on('cpu', dw);
    const ours = await on('webgpu', dw);
    useStockWebGpuFilterGradient(true);
    try {
      const stock = await on('webgpu', dw);
      cpu.forEach((c, i) => expect(maxRelError(stock[i]!, c), `stock ${i}`).toBeLessThan(1e-4));
    } finally {
      useStockWebGpuFilterGradient(false);
    }
    cpu.forEach((c, i) => expect(maxRelError(ours[i]!, c), `chunked ${i}`).toBeLessThan(1e-4));
  });

  it('max pooling 2x2 (even and odd sizes) and its gradient, relu and its gradient', async () => {
    for (const shape of [
      [2, 14, 14, 6],
      [2, 7, 9, 3],
    ]) {
      await agree(() => {
        const x = randomTensor(shape, 4) as tf.Tensor4D;
        const f = (a: tf.Tensor) => tf.maxPool(tf.relu(a as tf.Tensor4D), 2, 2, 'valid');
        const y = f(x);
        const r = randomTensor(y.shape, 5);
        return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), r)))(x)];
      }, `pool ${shape}`);
    }
  });

  it('batch normalization with batch statistics (training), gradients to input, scale and offset', async () => {
    await agree(() => {
      const x = randomTensor([4, 6, 5, 3], 6) as tf.Tensor4D;
      const gamma = tf.add(randomTensor([3], 7), 1.5) as tf.Tensor1D;
      const beta = randomTensor([3], 8) as tf.Tensor1D;
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
      };
      const y = f(x, gamma, beta);
      const r = randomTensor(y.shape, 9);
      const [dx, dg, db] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), r)))([x, gamma, beta]);
      return [y, dx!, dg!, db!];
    }, 'batch norm');
  });

  it('dense layers (matMul with transposes, bias add) and their gradients', async () => {
    await agree(() => {
      const x = randomTensor([8, 400], 10) as tf.Tensor2D;
      const w = tf.mul(randomTensor([400, 120], 11), 0.1) as tf.Tensor2D;
      const b = randomTensor([120], 12);
      const f = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.relu(tf.add(tf.matMul(a as tf.Tensor2D, ww as tf.Tensor2D), bb));
      const y = f(x, w, b);
      const r = randomTensor(y.shape, 13);
      const [dx, dw, db] = tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(a, ww, bb), r)))([x, w, b]);
      return [y, dx!, dw!, db!];
    }, 'dense');
  });

  it('masked, class-weighted softmax cross-entropy (oneHot, logSoftmax, gather, argMax) and its gradient', async () => {
    await agree(() => {
      const z = tf.mul(randomTensor([9, 7], 14), 3) as tf.Tensor2D;
      const index = tf.tensor1d([0, 3, 6, 2, 2, 5, 1, 4, 6], 'int32');
      const mask = tf.tensor1d([1, 1, 0, 1, 0, 1, 1, 1, 1]);
      const classWeights = tf.tensor1d([1, 2, 0.5, 1, 3, 1, 0.25]);
      const loss = (logits: tf.Tensor) => {
        const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(index, 7), tf.logSoftmax(logits)), 1));
        const weight = tf.mul(mask, tf.gather(classWeights, index));
        return tf.div(tf.sum(tf.mul(weight, ce)), tf.maximum(tf.sum(mask), 1));
      };
      const correct = tf.sum(tf.mul(mask, tf.cast(tf.equal(tf.argMax(z, 1), index), 'float32')));
      return [loss(z), tf.add(correct, 0.5), tf.grad(loss)(z), tf.softmax(z)];
    }, 'cross-entropy');
  });
});
