/**
 * Training kernels for the WebAssembly backend, which ships without Conv2DBackpropFilter
 * (so it cannot train a CNN) and with a slow Conv2DBackpropInput. Both are expressed as
 * ordinary forward convolutions on wasm (XNNPACK), composed from the backend's own kernels:
 *
 *  dW = conv2d(transpose(pad(x)) as [Ci,Hp,Wp,N], transpose(dy) as [Ho,Wo,N,Co],
 *              stride 1, dilation = forward stride, valid) → crop → [kh,kw,Ci,Co]
 *  dX = conv2d(pad(dy, k−1), reverse(W) with in/out swapped, valid) → crop the forward padding
 *       (stride 1; other strides use the backend's own kernel)
 *
 * Tested against the cpu backend (tests/unit/wasm-kernels.test.ts).
 */
import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { kernelRunner, type KernelBackend } from './kernel-runner.js';

type Backend = KernelBackend;
const runner = (backend: Backend) => kernelRunner('wasm', backend);

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

function checkSupported(name: string, attrs: ConvAttrs): void {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${name} on wasm: only NHWC data is supported`);
  const d = attrs.dilations ?? 1;
  if ((Array.isArray(d) ? d : [d, d]).some((v) => v !== 1)) throw new Error(`${name} on wasm: dilated convolutions are not supported`);
}

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  checkSupported('Conv2DBackpropFilter', a);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false);
  const { top, bottom, left, right } = info.padInfo;
  const { run, release } = runner(backend as unknown as Backend);
  const padded = run(
    'PadV2',
    { x },
    {
      paddings: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const xT = run('Transpose', { x: padded }, { perm: [3, 1, 2, 0] }); // [Ci, Hp, Wp, N]
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, N, Co]
  const conv = run('Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: 'valid',
    dataFormat: 'NHWC',
    dilations: [info.strideHeight, info.strideWidth],
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap); // [Ci, >=kh, >=kw, Co]
  const cropped = run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels] });
  const dW = run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }); // [kh, kw, Ci, Co]
  release(dW);
  return dW;
};

function conv2dBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    checkSupported('Conv2DBackpropInput', a);
    const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false);
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return original(args);
    const kh = info.filterHeight;
    const kw = info.filterWidth;
    const { run, release } = runner(backend as unknown as Backend);
    const padded = run(
      'PadV2',
      { x: dy },
      {
        paddings: [
          [0, 0],
          [kh - 1, kh - 1],
          [kw - 1, kw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh, kw, Co, Ci]
    const full = run('Conv2D', { x: padded, filter: swapped }, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [1, 1],
    } as unknown as NamedAttrMap); // [N, H+pt+pb, W+pl+pr, Ci]
    const [n, h, w, c] = a.inputShape;
    const dx = run('Slice', { x: full }, { begin: [0, info.padInfo.top, info.padInfo.left, 0], size: [n, h, w, c] });
    release(dx);
    return dx;
  };
}

/**
 * The wasm BatchMatMul is slow with a transposed operand (dense layers' backward pass:
 * dy·Wᵀ and xᵀ·dy); transposing explicitly first and multiplying plainly is much faster.
 */
function batchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const { run, release } = runner(backend as unknown as Backend);
    const swap = (t: TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2]!, perm[perm.length - 1]!];
      return run('Transpose', { x: t }, { perm });
    };
    const out = original({
      inputs: { a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    release(out);
    return out;
  };
}

type HeapBackend = Backend & {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
};

/**
 * Tile by block copies. The stock wasm Tile computes every output index separately, which
 * made batch norm's backward pass (it tiles the per-channel scale over N x H x W) the most
 * expensive kernel of a training step. Axis by axis from the innermost, each contiguous
 * chunk is copied `reps` times (TypedArray.set).
 */
function tile(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as unknown as HeapBackend;
    const { x } = inputs as { x: TensorInfo };
    const { reps } = attrs as { reps: number[] };
    if (x.dtype === 'string' || x.shape.length === 0) return original(args);
    const shape = [...x.shape];
    let data = backend.typedArrayFromHeap(x).slice();
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const r = reps[axis]!;
      if (r === 1) continue;
      const chunk = shape.slice(axis).reduce((a, b) => a * b, 1);
      const outer = data.length / Math.max(1, chunk);
      const next = new (data.constructor as Float32ArrayConstructor)(data.length * r);
      for (let o = 0; o < outer; o++) {
        const part = data.subarray(o * chunk, (o + 1) * chunk);
        for (let k = 0; k < r; k++) next.set(part, (o * r + k) * chunk);
      }
      data = next;
      shape[axis] = shape[axis]! * r;
    }
    const out = backend.makeOutput(shape, x.dtype);
    backend.typedArrayFromHeap(out).set(data);
    return out;
  };
}

let registered = false;

/** Registers (once) the wasm training kernels. Call before training on the wasm backend. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const configs: KernelConfig[] = [];
  if (!getKernel('Conv2DBackpropFilter', 'wasm')) {
    configs.push({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
  const stockInput = getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInput) {
    unregisterKernel('Conv2DBackpropInput', 'wasm');
    configs.push({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput(stockInput.kernelFunc) });
  }
  const stockMatMul = getKernel('BatchMatMul', 'wasm');
  if (stockMatMul) {
    unregisterKernel('BatchMatMul', 'wasm');
    configs.push({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul(stockMatMul.kernelFunc) });
  }
  const stockTile = getKernel('Tile', 'wasm');
  if (stockTile) {
    unregisterKernel('Tile', 'wasm');
    configs.push({ kernelName: 'Tile', backendName: 'wasm', kernelFunc: tile(stockTile.kernelFunc) });
  }
  for (const config of configs) registerKernel(config);
  registered = true;
}
