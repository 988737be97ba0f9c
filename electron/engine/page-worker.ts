/**
 * The engine's worker in a browser page: Electron's hidden training renderer
 * (electron/main/renderer-host.ts), where Chromium's own WebGPU is available (Dawn's Node
 * binding is refused in Electron's main and utility processes). It is the compute side of a
 * job (sides/compute-side.ts, the same code the worker runs), over a MessagePort the page
 * receives as a window message named PORT_MESSAGE (forwarded by the host's preload); the data
 * side runs in the main process. It starts the backend the same way: webgpu on the page's
 * adapter, named, a software one only when the job forces webgpu.
 *
 * Training and the probe run here. Prediction and export read the project's files as they
 * go, which a sandboxed page cannot open: they are refused with a message saying so, and run
 * in the utility process instead.
 */
import type { BackendChoice } from './backend.js';
import { PORT_MESSAGE } from './page-port.js';
import { serveCompute } from './sides/compute-side.js';
import { sidePort, type MessagePortLike } from './sides/protocol.js';
import { tf } from './tf.js';
import { describeAdapter, startWebGpu } from './webgpu.js';
import { registerWebGpuTrainingKernels } from './webgpu-kernels.js';

export { PORT_MESSAGE };

/** WebGPU on the page's adapter: the only backend this host offers (the CPU backends run faster in Node). */
export async function selectPageBackend(prefer: string | undefined): Promise<BackendChoice> {
  if (prefer !== undefined && prefer !== 'webgpu') throw new Error(`the training renderer runs webgpu only, not '${prefer}'`);
  const adapter = await startWebGpu(prefer === 'webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the WebGPU backend did not start on the adapter (${describeAdapter(adapter)})`);
  registerWebGpuTrainingKernels();
  await tf.ready();
  const warning = adapter.software ? 'a SOFTWARE adapter (CPU emulation, slower than the CPU backends; tests only): ' : '';
  const how = `WebGPU on ${warning}${describeAdapter(adapter)}, in the training renderer`;
  return { name: 'webgpu', tfBackend: tf.getBackend(), reason: `${prefer ? `requested (${prefer}): ` : ''}${how}`, skipped: [], adapter };
}

/** Serves one job on `port` as its compute side: the first message is its start, as in a process host. */
export function servePort(port: MessagePortLike): void {
  serveCompute(sidePort(port), selectPageBackend, 'the training renderer');
}

/** The page's entry: wait for the port from the host. */
export function listenForPort(target: {
  addEventListener(type: 'message', listener: (event: { data: unknown; ports: readonly MessagePortLike[] }) => void): void;
}): void {
  target.addEventListener('message', (event) => {
    if (event.data === PORT_MESSAGE && event.ports[0]) servePort(event.ports[0]);
  });
}
