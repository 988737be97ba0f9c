/**
 * Checkpoints on disk: runs/N/checkpoints/epoch-NNNN/ with manifest.json and weights.bin
 * (checkpoint-codec.ts's float32 array, little-endian). Written atomically (a temporary
 * folder renamed into place), so a crash leaves the previous checkpoint whole. No
 * TensorFlow.js here: the data side writes the checkpoints the training renderer sends.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointStore, EncodedCheckpoint } from './checkpoint-codec.js';

/** Writes a checkpoint under `dir` (epoch-NNNN); resolves with its folder. */
export async function writeCheckpointFiles(dir: string, checkpoint: EncodedCheckpoint): Promise<string> {
  const { manifest, weights } = checkpoint;
  const final = path.join(dir, `epoch-${String(manifest.epoch).padStart(4, '0')}`);
  const temp = `${final}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  await writeFile(path.join(temp, 'weights.bin'), Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength));
  await writeFile(path.join(temp, 'manifest.json'), JSON.stringify(manifest, null, 1));
  await rm(final, { recursive: true, force: true });
  await rename(temp, final);
  return final;
}

export async function readCheckpointFiles(dir: string): Promise<EncodedCheckpoint> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as EncodedCheckpoint['manifest'];
  const raw = await readFile(path.join(dir, 'weights.bin'));
  // A copy of its own: the file's buffer may be a slice of Node's shared pool (not aligned, not transferable).
  const weights = new Float32Array(raw.byteLength / 4);
  new Uint8Array(weights.buffer).set(raw);
  return { manifest, weights };
}

/** Checkpoints saved under `dir` (without one: none saved) and loaded from any folder. */
export function fileCheckpoints(dir?: string): CheckpointStore {
  return { ...(dir ? { save: (checkpoint: EncodedCheckpoint) => writeCheckpointFiles(dir, checkpoint) } : {}), load: readCheckpointFiles };
}
