/**
 * Issue 14, pages and stats at scale: what migration 10's triggers keep (images.human_answers, a
 * model prediction's has_human) and migration 11's (label_counts, text_value_counts) must equal a recount from the labels after any mix of the writes the
 * app makes: typed labels, clears, accepted suggestions, bulk edits, undo and redo, predictions,
 * imports with labels, new and removed targets, merged classes. Random operations from a fixed seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../electron/importer/importer.js';
import type { TargetDef } from '../../shared/targets.js';
import { countDrift } from '../count-drift.js';
import { useSampleRuntime, writePrediction } from '../runtime-fixture.js';

const sample = useSampleRuntime();
const store = () => sample.runtime.project.store;

/** mulberry32: a small seeded generator, so a failure replays. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A label value the target accepts. */
function valueFor(target: TargetDef, random: () => number): string {
  if (target.kind === 'sequence') return String(Math.floor(random() * 10 ** (1 + Math.floor(random() * 3))));
  return target.classes[Math.floor(random() * target.classes.length)]!.name;
}

function predict(imageId: number, target: TargetDef, random: () => number): void {
  if (target.classes.length === 0) return;
  const classId = target.classes[Math.floor(random() * target.classes.length)]!.id;
  // Now and then no confidence at all: NULL has its own place in the confidence order.
  const confidence = random() < 0.1 ? null : Math.round(random() * 100) / 100;
  writePrediction(store(), { imageId, targetId: target.id, classId, confidence });
}

let imported = 0;
/** A few new images with a labels file beside them, through the importer. */
async function importSome(random: () => number): Promise<void> {
  const dir = path.join(sample.dir, `import-${imported++}`);
  mkdirSync(dir);
  const rows = ['file,digits,script'];
  for (let i = 0; i < 3; i++) {
    const name = `new-${imported}-${i}.png`;
    const data = Buffer.alloc(8 * 6 * 3, (imported * 31 + i * 7) % 256);
    data[0] = imported;
    data[1] = i;
    await sharp(data, { raw: { width: 8, height: 6, channels: 3 } })
      .png()
      .toFile(path.join(dir, name));
    rows.push(`${name},${random() < 0.5 ? String(i) : ''},${random() < 0.5 ? 'latin' : ''}`);
  }
  writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n') + '\n');
  await runImport({ store: store(), dataDir: sample.runtime.project.dataDir }, { paths: [dir] });
}

describe('the counts kept by triggers (migrations 10 and 11)', () => {
  it('equal a recount after every step of 300 random edits, undos, predictions, imports and target changes', async () => {
    const random = generator(14);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const imageIds = () => store().images.ids({ status: 'any', order: 'id' }, 0);
    const labelTargets = () =>
      store()
        .targets.list()
        .filter((t) => t.kind !== 'length');
    const extraTargets: number[] = [];
    const done: string[] = [];
    for (let step = 0; step < 300; step++) {
      const roll = random();
      const image = pick(imageIds());
      const target = pick(labelTargets());
      // Bulk edits set categorical (and length) targets only.
      const bulkTarget = pick(labelTargets().filter((t) => t.kind === 'categorical'));
      try {
        if (roll < 0.3) {
          await sample.call('annotations.set', {
            imageId: image,
            targetId: target.id,
            label: random() < 0.15 ? { kind: 'unknown' } : { kind: 'value', value: valueFor(target, random) },
          });
          done.push('set');
        } else if (roll < 0.4) {
          await sample.call('annotations.clear', { imageId: image, targetId: target.id });
          done.push('clear');
        } else if (roll < 0.5) {
          predict(image, target, random);
          done.push('predict');
        } else if (roll < 0.57) {
          const open = store()
            .db.prepare("SELECT image_id AS imageId, target_id AS targetId FROM annotations WHERE source = 'model' AND has_human = 0 LIMIT 20")
            .all() as { imageId: number; targetId: number }[];
          if (open.length > 0) await sample.call('annotations.accept', pick(open));
          done.push('accept');
        } else if (roll < 0.65) {
          const ids = imageIds().filter(() => random() < 0.2);
          if (ids.length > 0)
            await sample.call('annotations.bulkSet', { imageIds: ids, targetId: bulkTarget.id, label: { kind: 'value', value: valueFor(bulkTarget, random) } });
          done.push('bulk ids');
        } else if (roll < 0.69) {
          await sample.call('annotations.bulkSet', {
            filter: { status: pick(['pending', 'untouched', 'any']) },
            targetId: bulkTarget.id,
            label: { kind: 'unknown' },
          });
          done.push('bulk filter');
        } else if (roll < 0.8) {
          await sample.call('annotations.undo', {});
          done.push('undo');
        } else if (roll < 0.86) {
          await sample.call('annotations.redo', {});
          done.push('redo');
        } else if (roll < 0.9) {
          await importSome(random);
          done.push('import');
        } else if (roll < 0.94) {
          const created = await sample.call<{ id: number }>('targets.createCategorical', { name: `extra_${step}`, classes: ['a', 'b', 'c'] });
          extraTargets.push(created.id);
          done.push('add target');
        } else if (roll < 0.97 && extraTargets.length > 0) {
          await sample.call('targets.remove', { targetId: extraTargets.pop()!, force: true });
          done.push('remove target');
        } else if (extraTargets.length > 0) {
          const extra = store().targets.byId(extraTargets[extraTargets.length - 1]!);
          const [from, into] = extra.classes;
          if (from && into) await sample.call('targets.mergeClass', { targetId: extra.id, classId: from.id, intoClassId: into.id });
          done.push('merge class');
        }
      } catch (e) {
        // A refused edit (nothing to undo, a conflict) writes nothing; anything else is a failure.
        if (!/nothing|conflict|not found|does not exist|no suggestion|No model/i.test((e as Error).message)) throw e;
      }
      expect({ step, op: done[done.length - 1], ...countDrift(store().db) }).toEqual({
        step,
        op: done[done.length - 1],
        answers: [],
        shadows: [],
        labelCounts: [],
        textCounts: [],
      });
    }
    // The mix reached every kind of write (the seed is fixed; this guards against a dull one).
    expect(new Set(done)).toEqual(
      new Set(['set', 'clear', 'predict', 'accept', 'bulk ids', 'bulk filter', 'undo', 'redo', 'import', 'add target', 'remove target', 'merge class']),
    );
  }, 120_000);
});
