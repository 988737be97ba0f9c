/**
 * The one place the engine loads TensorFlow.js from. The umbrella package registers the
 * gradients and tensor methods on the same tfjs-core instance that tfjs-layers, the wasm
 * backend and the optional libtensorflow backends (tfjs-node, tfjs-node-gpu) use.
 */
import '@tensorflow/tfjs-backend-wasm';

export * as tf from '@tensorflow/tfjs';
/** The layers API (tf.layers, tf.sequential, …), named apart for readability. */
export * as tfl from '@tensorflow/tfjs';
