/**
 * WebGPU for the engine: finds an adapter, says which it is, and registers TensorFlow.js's
 * WebGPU backend on it. In Node (CLI, server mode, tests) the adapter comes from Dawn through
 * the `webgpu` package; in a browser page (the Electron training renderer) from the page's own
 * navigator.gpu. A software or fallback adapter (llvmpipe, SwiftShader, lavapipe) is used only
 * when the caller allows it (POLYHEAD_BACKEND=webgpu): it is slower than the CPU backends.
 */
import { tf } from './tf.js';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A CPU implementation (isFallbackAdapter, or a known software rasteriser by name). */
  software: boolean;
  /** How the adapter was reached: Dawn's native API, Dawn over OpenGL ES, or the page's navigator.gpu. */
  via: string;
}

type AdapterInfoLike = Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean };

// Software rasterisers do not always set isFallbackAdapter (Mesa's llvmpipe over GL does not).
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|basic render/i;

export function summarize(info: AdapterInfoLike | undefined, via: string): AdapterSummary {
  const s = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: info?.isFallbackAdapter === true,
    via,
  };
  return { ...s, software: s.isFallbackAdapter || SOFTWARE.test(`${s.device} ${s.description} ${s.vendor}`) };
}

/** "vendor nvidia, architecture hopper, device …, isFallbackAdapter false, via Dawn (Vulkan/Metal/D3D12)". */
export function describeAdapter(a: AdapterSummary): string {
  const named = (['vendor', 'architecture', 'device', 'description'] as const).filter((k) => a[k] !== '').map((k) => `${k} ${a[k]}`);
  return `${[...named, `isFallbackAdapter ${a.isFallbackAdapter}`].join(', ')}, via ${a.via}`;
}

interface Candidate {
  via: string;
  gpu: GPU;
  options: GPURequestAdapterOptions;
}

/** Where adapters can come from in this process, best first. */
async function candidates(): Promise<Candidate[]> {
  const own = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (own && typeof process === 'undefined') return [{ via: 'the page (navigator.gpu)', gpu: own, options: { powerPreference: 'high-performance' } }];
  // Dawn's GL backend needs EGL without a display server; a worker thread shares the env (host.ts: SHARE_ENV).
  if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  return [
    { via: 'Dawn (Vulkan/Metal/D3D12)', gpu: create([]), options: { powerPreference: 'high-performance' } },
    // Compatibility mode: GL has no storage textures in vertex stages etc.; tfjs needs none of that.
    { via: 'Dawn (OpenGL ES)', gpu: create(['backend=opengles']), options: { powerPreference: 'high-performance', featureLevel: 'compatibility' } },
  ];
}

let started: AdapterSummary | null = null;

/**
 * Registers the 'webgpu' TensorFlow.js backend on the first adapter that qualifies and returns
 * it; throws naming every adapter seen and why it was refused.
 */
export async function startWebGpu(allowSoftware: boolean): Promise<AdapterSummary> {
  if (started && (allowSoftware || !started.software)) return started;
  const refused: string[] = [];
  for (const c of await candidates()) {
    const adapter = await c.gpu.requestAdapter(c.options).catch(() => null);
    if (!adapter) {
      refused.push(`${c.via}: no adapter`);
      continue;
    }
    const summary = summarize(adapter.info, c.via);
    if (summary.software && !allowSoftware) {
      refused.push(`${c.via}: only a software adapter (${describeAdapter(summary)}), used only when forced with POLYHEAD_BACKEND=webgpu`);
      continue;
    }
    await register(c.gpu, adapter);
    started = summary;
    return summary;
  }
  throw new Error(`no hardware WebGPU adapter: ${refused.join('; ')}`);
}

async function register(gpu: GPU, adapter: GPUAdapter): Promise<void> {
  // The package registers its kernels on import, and its own backend only where navigator.gpu exists.
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (!nav) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else if (nav.gpu !== gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.engine().registryFactory['webgpu']) tf.removeBackend('webgpu');
  // The package's own factory asks navigator.gpu for an adapter again, without the
  // compatibility feature level a GL adapter needs: ours reuses the adapter chosen above.
  tf.registerBackend('webgpu', async () => {
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      },
    });
    return new WebGPUBackend(device, adapter.info as never);
  });
}
