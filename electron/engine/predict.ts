/**
 * Using a trained run, inside the engine's worker: load its model from the last checkpoint,
 * predict every head for images (by default those a human has not labelled for the head's
 * target) and hand the predictions, one batch at a time, to the job's owner, which stores
 * them as model-sourced annotations with confidences (engine/jobs.ts). Human labels are
 * separate rows and are never touched. Digit heads and the length head combine into one
 * predicted sequence (confidence: the product of the heads used).
 */
import { parseModelSpec, storedSpec } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';
import type { Project } from '../domain/project.js';
import { loadCheckpoint } from './checkpoint.js';
import { modelCheckpoint, runTargets } from './run-files.js';
import { decodedBatches } from './pipeline/decoded-batches.js';
import { MultiHeadModel } from './model.js';
import type { PredictedLabel } from './protocol.js';
import { tf } from './tf.js';
import { predictProbabilities } from './train-step.js';

/**
 * A run's model at the checkpoint it was evaluated with (else its last), built with the class
 * lists it was trained with — never the project's current ones, which may have changed since —
 * on the backend the worker has already started.
 */
export async function loadRunModel(project: Project, runId: number): Promise<MultiHeadModel> {
  const run = project.store.runs.get(runId);
  if (!run) throw new Error(`no run ${runId}`);
  const parsed = parseModelSpec(storedSpec(JSON.parse(run.spec)));
  if (!parsed.ok) throw new Error(`run ${runId} has an invalid spec: ${parsed.errors.join('; ')}`);
  const checkpoint = modelCheckpoint(project, run);
  if (!checkpoint) throw new Error(`run ${runId} has no checkpoint yet`);
  const model = new MultiHeadModel(parsed.spec, runTargets(project, run));
  await loadCheckpoint(checkpoint, model, null);
  return model;
}

/** Classes the run can predict that the project no longer has (deleted or renamed since): reported, never guessed. */
export function missingClasses(model: MultiHeadModel, targets: TargetDef[]): { target: string; classes: string[] }[] {
  const missing: { target: string; classes: string[] }[] = [];
  for (const h of model.resolved) {
    if (h.spec.target.kind !== 'target') continue;
    const name = h.spec.target.target;
    const target = targets.find((t) => t.name === name);
    const gone = h.classes.filter((c) => !target?.classes.some((x) => x.name === c));
    if (gone.length > 0) missing.push({ target: name, classes: gone });
  }
  return missing;
}

export interface PredictOptions {
  /** Predict for every image, not only those without a human label for the head's target. */
  all?: boolean;
  batchSize?: number;
  /** Receives each batch's labels, and how many images are done of how many. */
  onBatch: (labels: PredictedLabel[], done: number, total: number) => void;
}

/** Predicts for the run's images batch by batch; resolves with how many images it predicted. Writes nothing. */
export async function predictLabels(
  project: Project,
  runId: number,
  options: PredictOptions,
): Promise<{ images: number; missingClasses: { target: string; classes: string[] }[] }> {
  const model = await loadRunModel(project, runId);
  try {
    const { spec } = model;
    if (spec.inputs.length !== 1) throw new Error('prediction stores labels of single images; this run compares pairs');
    const { store } = project;
    const targets = store.targets.list();
    const missing = missingClasses(model, targets);
    const byName = new Map(targets.map((t) => [t.name, t]));
    // What each head writes: a categorical/length target directly, digit positions via the sequence.
    const direct = model.resolved.filter((h) => h.spec.target.kind === 'target' && byName.has(h.spec.target.target));
    const sequences = targets
      .filter((t): t is TargetDef => t.kind === 'sequence')
      .map((seq) => {
        const length = targets.find((t) => t.kind === 'length' && t.sourceTargetId === seq.id);
        const lengthHead = model.resolved.find((h) => h.spec.target.kind === 'target' && h.spec.target.target === length?.name);
        const digitHeads = model.resolved
          .filter((h) => h.spec.target.kind === 'position' && h.spec.target.target === seq.name)
          .sort((a, b) => (a.spec.target as { position: number }).position - (b.spec.target as { position: number }).position);
        return { seq, lengthHead, digitHeads };
      })
      .filter((s) => s.lengthHead && s.digitHeads.length > 0);
    const writtenTargets = [...direct.map((h) => byName.get((h.spec.target as { target: string }).target)!), ...sequences.map((s) => s.seq)];
    const allIds = store.images.ids({ status: 'any', order: 'id' }, targets.length);
    const ids = options.all ? allIds : allIds.filter((id) => writtenTargets.some((t) => !store.annotations.one(id, t.id, 'human')));
    const batchSize = options.batchSize ?? 64;
    const input = spec.inputs[0]!;
    for await (const { ids: chunk, pixels, from } of decodedBatches(project, ids, input, batchSize)) {
      const x = tf.tensor4d(pixels, [chunk.length, input.height, input.width, input.channels]);
      const probs = await predictProbabilities(model, { [input.name]: x });
      x.dispose();
      const best = (row: Float32Array) => {
        const k = row.indexOf(Math.max(...row));
        return { k, p: row[k]! };
      };
      const labels: PredictedLabel[] = [];
      chunk.forEach((imageId, i) => {
        const put = (target: TargetDef, value: { text?: string; className?: string }, confidence: number) => {
          const classId = value.className === undefined ? null : (target.classes.find((c) => c.name === value.className)?.id ?? null);
          if (value.className !== undefined && classId === null) return;
          labels.push({
            imageId,
            targetId: target.id,
            target: target.name,
            textValue: value.text ?? null,
            classId,
            confidence: Math.min(1, Math.max(0, confidence)),
          });
        };
        for (const h of direct) {
          const c = h.classes.length;
          const { k, p } = best(probs[h.spec.name]!.subarray(i * c, (i + 1) * c));
          put(byName.get((h.spec.target as { target: string }).target)!, { className: h.classes[k]! }, p);
        }
        for (const { seq, lengthHead, digitHeads } of sequences) {
          const lc = lengthHead!.classes.length;
          const { k, p } = best(probs[lengthHead!.spec.name]!.subarray(i * lc, (i + 1) * lc));
          const length = Number(lengthHead!.classes[k]);
          if (!Number.isInteger(length) || length > digitHeads.length) continue; // '>5': the digits cannot be read off the heads
          let confidence = p;
          let text = '';
          for (const d of digitHeads.slice(0, length)) {
            const dc = d.classes.length;
            const r = best(probs[d.spec.name]!.subarray(i * dc, (i + 1) * dc));
            text += d.classes[r.k];
            confidence *= r.p;
          }
          put(seq, { text }, confidence);
        }
      });
      options.onBatch(labels, Math.min(from + batchSize, ids.length), ids.length);
    }
    return { images: ids.length, missingClasses: missing };
  } finally {
    model.dispose();
  }
}
