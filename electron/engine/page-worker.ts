/**
 * The engine's worker in a browser page: Electron's hidden training renderer
 * (electron/main/renderer-host.ts), where Chromium's own WebGPU is available (Dawn's Node
 * binding is refused in Electron's main and utility processes). It speaks the same typed
 * messages as worker.ts, over a MessagePort the page receives as a window message named
 * PORT_MESSAGE (forwarded by the host's preload), and starts the backend the same way:
 * webgpu on the page's adapter, named, a software one only when the job forces webgpu.
 *
 * Jobs that read the project (train, predict, export) need its database and image files,
 * which a sandboxed page cannot open: they are refused with a message saying so, and run in
 * the utility process instead. The probe runs here.
 */
import type { BackendChoice } from './backend.js';
import { PORT_MESSAGE } from './page-port.js';
import type { FromWorker, JobResult, ToWorker, WorkerJob } from './protocol.js';
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

async function run(job: WorkerJob, post: (m: FromWorker) => void): Promise<JobResult> {
  const choice = await selectPageBackend(job.backend);
  post({ type: 'backend', choice });
  if (job.kind === 'probe') return { kind: 'probe', choice };
  throw new Error(`${job.kind} jobs read the project's files, which the training renderer cannot open: run them in the utility process`);
}

/** The part of a DOM MessagePort used here (the engine is type-checked without the DOM library). */
export interface PortLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** Serves one job on `port`: the first message is its start, as in a process host. */
export function servePort(port: PortLike): void {
  const post = (m: FromWorker) => port.postMessage(m);
  let started = false;
  port.onmessage = (event) => {
    const message = event.data as ToWorker;
    if (message.type !== 'start' || started) return; // pause/resume/cancel: the probe has no steps
    started = true;
    run(message.job, post).then(
      (result) => post({ type: 'done', result }),
      (error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  };
}

/** The page's entry: wait for the port from the host. */
export function listenForPort(target: {
  addEventListener(type: 'message', listener: (event: { data: unknown; ports: readonly PortLike[] }) => void): void;
}): void {
  target.addEventListener('message', (event) => {
    if (event.data === PORT_MESSAGE && event.ports[0]) servePort(event.ports[0]);
  });
}
