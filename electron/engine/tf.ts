/**
 * The one place the engine loads TensorFlow.js from: core with its gradients, the cpu and
 * wasm backends, and layers. Backends with libtensorflow (tfjs-node, tfjs-node-gpu) are
 * optional and loaded by backend.ts when present.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';
