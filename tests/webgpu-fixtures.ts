/**
 * Helpers for the WebGPU tests: they run on whatever adapter Dawn offers, a software one here
 * and in CI (Mesa's llvmpipe over OpenGL ES: .ci/run installs it), forced as POLYHEAD_BACKEND=webgpu does.
 */
import { selectBackend, type BackendChoice } from '../electron/engine/backend.js';
import { tf } from '../electron/engine/tf.js';
import { values } from './engine-fixtures.js';

/** Starts the webgpu backend (software adapter allowed); fails the test if none starts, never skips. */
export async function startForcedWebGpu(): Promise<BackendChoice> {
  const choice = await selectBackend('webgpu');
  if (choice.name !== 'webgpu') throw new Error(`webgpu did not start: ${choice.reason}`);
  return choice;
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** Largest |a − b| relative to the largest |b|: a whole-tensor relative error. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

/**
 * Runs `fn` on a backend and returns every output as plain arrays: fn builds its inputs
 * from seeds inside, so both backends see the same numbers.
 */
export async function on(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const data = await Promise.all(outs.map((t) => t.data()));
  tf.dispose(outs);
  return data.map((d) => Float32Array.from(d));
}
