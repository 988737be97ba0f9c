/** Seeded randomness for shuffles, splits, pairs and augmentation: the same seed, the same order. */
import { mulberry32 } from '../../shared/random.js';

/** The seeded PRNG every shuffle and split uses. */
export const seededRandom = mulberry32;

/** A seeded Fisher–Yates shuffle of 0..n-1. */
export function permutation(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
