/**
 * A faster Conv2DBackpropFilter for the WebGPU backend. The stock kernel runs one thread per
 * filter weight, each summing over batch x output pixels: a 3x3x1x32 filter is 288 threads
 * looping 131,072 times at batch 32, far too few to fill a GPU. Here dW is a batched matrix
 * product over chunks of the long axis, then a sum over the chunks:
 *
 *  cols = concat over (i, j) < (kh, kw) of stridedSlice(pad(x), rows i.., cols j.., stride s)
 *         → [N·Ho·Wo, kh·kw·Ci]  (im2col: the input pixel under each filter tap)
 *  part = colsᵀ · dy per chunk of g examples: [N/g, g·Ho·Wo, kh·kw·Ci]ᵀ x [N/g, g·Ho·Wo, Co]
 *         → [N/g, kh·kw·Ci, Co]
 *  dW   = Σ over chunks → [kh, kw, Ci, Co]
 *
 * (The package's own split-K matrix product, tried first, adds into so few outputs with
 * atomics that it was slower on an H200 than this: bench/results/gpu-h200.json.)
 * It needs kh·kw copies of the input in GPU memory; larger than a storage binding allows, the
 * stock kernel runs instead. Tested against the cpu backend (tests/unit/webgpu-kernels.test.ts).
 */
import { backend_util, getKernel, registerKernel, unregisterKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { kernelRunner, type KernelBackend } from './kernel-runner.js';

type Backend = KernelBackend & { device?: GPUDevice };

/** Rows of the long axis per chunk: enough work per matrix product, enough chunks to fill a GPU. */
const CHUNK_ROWS = 4096;

/** The most examples per chunk that divides the batch and keeps a chunk within CHUNK_ROWS rows. */
export function examplesPerChunk(batch: number, pixels: number): number {
  let best = 1;
  for (let g = 1; g <= batch && g * pixels <= CHUNK_ROWS; g++) if (batch % g === 0) best = g;
  return best;
}

let stockFilterGradient = false;

/** Benchmarks and tests: run the package's own Conv2DBackpropFilter instead (A/B comparisons). */
export function useStockWebGpuFilterGradient(stock: boolean): void {
  stockFilterGradient = stock;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function filterGradient(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as unknown as Backend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    if (stockFilterGradient || a.dataFormat === 'NCHW') return stock(args);
    const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false);
    const { batchSize: n, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
    const rows = n * ho * wo;
    const limit = backend.device?.limits.maxStorageBufferBindingSize ?? 128 * 1024 * 1024;
    const chunks = n / examplesPerChunk(n, ho * wo);
    if (Math.max(rows, chunks * co) * kh * kw * ci * 4 > limit) return stock(args);

    const { run, release } = kernelRunner('webgpu', backend);
    const { top, bottom, left, right } = info.padInfo;
    const padded = run('PadV2', { x }, {
      paddings: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      constantValue: 0,
    } as unknown as NamedAttrMap);
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        taps.push(
          run(
            'StridedSlice',
            { x: padded },
            {
              begin: [0, i, j, 0],
              end: [n, i + (ho - 1) * info.strideHeight + 1, j + (wo - 1) * info.strideWidth + 1, ci],
              strides: [1, info.strideHeight, info.strideWidth, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          ),
        );
      }
    }
    const cols = taps.length === 1 ? taps[0]! : run('Concat', taps, { axis: 3 });
    const colsChunks = run('Reshape', { x: cols }, { shape: [chunks, rows / chunks, kh * kw * ci] });
    const dyChunks = run('Reshape', { x: dy }, { shape: [chunks, rows / chunks, co] });
    const parts = run('BatchMatMul', { a: colsChunks, b: dyChunks }, { transposeA: true, transposeB: false }); // [chunks, kh·kw·Ci, Co]
    const product = chunks === 1 ? parts : run('Sum', { x: parts }, { axis: [0], keepDims: false });
    const dW = run('Reshape', { x: product }, { shape: [kh, kw, ci, co] });
    release(dW);
    return dW;
  };
}

let registered = false;

/** Registers (once) the WebGPU training kernels. Call after the webgpu backend has started. */
export function registerWebGpuTrainingKernels(): void {
  if (registered) return;
  const stock = getKernel('Conv2DBackpropFilter', 'webgpu');
  if (!stock) throw new Error('the webgpu backend has no Conv2DBackpropFilter kernel');
  unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'webgpu', kernelFunc: filterGradient(stock.kernelFunc) });
  registered = true;
}
