import { tf } from './tf.js';

/**
 * Gradient reversal (Ganin & Lempitsky 2015): identity forward; backward, the gradient
 * times −λ. Between the trunk and an adversarial head, the head learns its target while
 * the trunk learns to defeat it.
 */
export function reverseGradient<T extends tf.Tensor>(x: T, lambda: number): T {
  const op = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.scalar(-lambda)),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as T;
}
