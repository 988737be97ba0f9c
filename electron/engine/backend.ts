/**
 * Picks the fastest TensorFlow.js backend present and says which and why:
 * tfjs-node-gpu (libtensorflow + CUDA) > tfjs-node (libtensorflow, CPU) > wasm with
 * Polyhead's training kernels > the pure-JS cpu backend. POLYHEAD_BACKEND forces one.
 * Called in the engine's worker (every job starts with it), in tests and in benchmarks:
 * never in the process that serves the UI.
 */
import { createRequire } from 'node:module';
import { tf } from './tf.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendChoice {
  name: BackendName;
  /** The backend name TensorFlow.js itself uses. */
  tfBackend: string;
  reason: string;
  /** Faster backends that were tried first, and why they are not used. */
  skipped: { name: BackendName; why: string }[];
}

const require = createRequire(import.meta.url);

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

async function tryBackend(name: BackendName): Promise<string> {
  switch (name) {
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
        return 'libtensorflow with CUDA on the GPU (tfjs-node-gpu)';
      }
      return 'libtensorflow on the CPU (tfjs-node)';
    }
    case 'wasm':
      if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
      registerWasmTrainingKernels();
      return `WebAssembly (XNNPACK${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ', SIMD' : ''}) with Polyhead's convolution-gradient kernels`;
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      return 'the pure-JavaScript cpu backend (slow: a reference, not for real training)';
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
      const how = await tryBackend(name);
      await tf.ready();
      const why = skipped.length > 0 ? `; ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}` : '';
      return { name, tfBackend: tf.getBackend(), reason: `${prefer ? `requested (${prefer}): ` : ''}${how}${why}`, skipped };
    } catch (error) {
      skipped.push({ name, why: firstLine(error) });
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`);
}
