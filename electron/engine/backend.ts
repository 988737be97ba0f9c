/**
 * Picks the fastest TensorFlow.js backend present and says which and why:
 * tfjs-node-gpu (libtensorflow + CUDA) > WebGPU on a hardware adapter (any GPU vendor:
 * Vulkan, Metal, D3D12, GL) > tfjs-node (libtensorflow, CPU) > wasm with Polyhead's training
 * kernels > the pure-JS cpu backend. POLYHEAD_BACKEND forces one; a software WebGPU adapter
 * is used only when forced (webgpu.ts).
 * Called in the engine's worker (every job starts with it), in tests and in benchmarks:
 * never in the process that serves the UI.
 */
import { createRequire } from 'node:module';
import { tf } from './tf.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';
import { describeAdapter, startWebGpu, type AdapterSummary } from './webgpu.js';
import { registerWebGpuTrainingKernels } from './webgpu-kernels.js';

export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendChoice {
  name: BackendName;
  /** The backend name TensorFlow.js itself uses. */
  tfBackend: string;
  reason: string;
  /** Faster backends that were tried first, and why they are not used. */
  skipped: { name: BackendName; why: string }[];
  /** The WebGPU adapter, when the backend is webgpu. */
  adapter?: AdapterSummary;
}

const require = createRequire(import.meta.url);

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

async function tryBackend(name: BackendName, forced: boolean): Promise<{ how: string; adapter?: AdapterSummary }> {
  switch (name) {
    case 'webgpu': {
      const adapter = await startWebGpu(forced);
      if (!(await tf.setBackend('webgpu'))) throw new Error(`the WebGPU backend did not start on the adapter (${describeAdapter(adapter)})`);
      registerWebGpuTrainingKernels();
      const warning = adapter.software ? 'a SOFTWARE adapter (CPU emulation, slower than the CPU backends; tests only): ' : '';
      return { how: `WebGPU on ${warning}${describeAdapter(adapter)}`, adapter };
    }
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        require.resolve(pkg);
      } catch {
        throw new Error(`${pkg} is not installed (it downloads libtensorflow at install time)`);
      }
      require(pkg);
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not start`);
      if (name === 'tensorflow-gpu') {
        const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
        if (usingGpu === false) throw new Error('tfjs-node-gpu loaded, but found no usable GPU (CUDA 11.2 and cuDNN 8.1 are needed)');
        return { how: 'libtensorflow with CUDA on the GPU (tfjs-node-gpu)' };
      }
      return { how: 'libtensorflow on the CPU (tfjs-node)' };
    }
    case 'wasm':
      if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
      registerWasmTrainingKernels();
      return { how: `WebAssembly (XNNPACK${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ', SIMD' : ''}) with Polyhead's convolution-gradient kernels` };
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      return { how: 'the pure-JavaScript cpu backend (slow: a reference, not for real training)' };
  }
}

export async function selectBackend(prefer: string | undefined = process.env.POLYHEAD_BACKEND): Promise<BackendChoice> {
  if (prefer && !BACKEND_ORDER.includes(prefer as BackendName)) {
    throw new Error(`POLYHEAD_BACKEND='${prefer}' is not one of ${BACKEND_ORDER.join(', ')}`);
  }
  const order = prefer ? [prefer as BackendName] : BACKEND_ORDER;
  const skipped: BackendChoice['skipped'] = [];
  for (const name of order) {
    try {
      const { how, adapter } = await tryBackend(name, prefer === name);
      await tf.ready();
      const why = skipped.length > 0 ? `; ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}` : '';
      return { name, tfBackend: tf.getBackend(), reason: `${prefer ? `requested (${prefer}): ` : ''}${how}${why}`, skipped, ...(adapter ? { adapter } : {}) };
    } catch (error) {
      skipped.push({ name, why: firstLine(error) });
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`);
}
