/**
 * Composing a training kernel from a backend's own kernels (wasm-kernels.ts, webgpu-kernels.ts):
 * look a kernel up by name for that backend, run it on TensorInfos, and free every
 * intermediate it made except the result.
 */
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

export type KernelBackend = { disposeData(dataId: object): boolean | void };

/** The registered kernel `name` of `backendName`; throws when the backend has none. */
export function backendKernel(backendName: string, name: string): KernelFunc {
  const k = getKernel(name, backendName);
  if (!k) throw new Error(`the ${backendName} backend has no ${name} kernel`);
  return k.kernelFunc;
}

/** Runs kernels of `backendName` on `backend`, tracking their outputs; `release(keep)` frees all of them but `keep`. */
export function kernelRunner(backendName: string, backend: KernelBackend) {
  const temps: TensorInfo[] = [];
  const run = (name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo => {
    const out = backendKernel(backendName, name)({ inputs: inputs as never, backend: backend as never, attrs }) as TensorInfo;
    temps.push(out);
    return out;
  };
  const release = (keep: TensorInfo) => {
    for (const t of temps) if (t !== keep) backend.disposeData(t.dataId);
  };
  return { run, release };
}
