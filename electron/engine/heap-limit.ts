/**
 * The JavaScript heap limit of an engine job's worker (a thread, a forked process, Electron's
 * utility process), sized from the project (issue 15: memory flat from 10,000 to 100,000 images).
 *
 * Why a limit at all: without one, V8 sizes the heap from the machine's memory (about 4 GB on
 * a 24 GB machine) and then lets garbage grow the old generation to up to 4× the live data
 * before it collects (its heap-growing factor is 4 for limits of 2 GB and more, 1.3–2 below).
 * A training job's live heap is 30–45 MB at 10,000–100,000 images, but its heap reached
 * 190 MB, mostly garbage, at 100,000 — more the longer the run. With a limit below 2 GB V8
 * collects at about 1.5× the live data instead.
 *
 * Why sized from the project: the live heap does grow a little with the images (examples,
 * labels, the split, the evaluation's confusion cells: about 0.1–0.5 kB an image), so a fixed
 * limit that is safe at 1,000,000 images would be loose at 10,000. The allowance per image is
 * twice the most measured, and the base covers TensorFlow.js and a batch. A job that still
 * runs out stops with an error naming the limit and ENGINE_HEAP_ENV (engine/host.ts).
 */
export const ENGINE_HEAP_ENV = 'POLYHEAD_ENGINE_HEAP_MB';
const BASE_MB = 512;
const PER_IMAGE_BYTES = 1024;
const MAX_MB = 4096;

/** The heap limit in MB for a job on a project of `images` images (POLYHEAD_ENGINE_HEAP_MB overrides it). */
export function engineHeapLimitMB(images: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = Number(env[ENGINE_HEAP_ENV]);
  if (Number.isInteger(forced) && forced > 0) return forced;
  return Math.min(MAX_MB, BASE_MB + Math.ceil((Math.max(0, images) * PER_IMAGE_BYTES) / 2 ** 20));
}

/** The V8 flag that gives a process (a forked one, Electron's utility process) a heap limit; none without one. */
export function heapLimitFlags(limitMB: number | undefined): string[] {
  return limitMB ? [`--max-old-space-size=${limitMB}`] : [];
}

/** How a job that ran out of its heap (`certain`) or may have (an abort) is reported, so that the user knows what to change. */
export function heapAdvice(limitMB: number, certain: boolean): string {
  return `it ${certain ? 'ran' : 'may have run'} out of its JavaScript heap limit of ${limitMB} MB; set ${ENGINE_HEAP_ENV} to a larger number of MB to raise it`;
}
