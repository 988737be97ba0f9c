/**
 * `npm run bench:transcripts [-- --count N]`: text targets at scale (default 100,000 lines).
 *
 * - reading N OCR transcripts (NAME.gt.txt, 10-60 characters, 1% with a character outside the
 *   alphabet) and matching them to N line images, as an import does before it stores images
 *   (Transcripts.read; the images themselves are not decoded here: bench:import and bench:scale
 *   measure that);
 * - removing a sequence target that carries N human labels and N derived lengths (targets.remove
 *   with force, through the dispatcher), and counting the labels first (refused without force).
 *
 * Prints the times and writes bench/results/transcripts.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openRuntime } from '../electron/app/runtime.js';
import { emptySummary } from '../electron/importer/summary.js';
import type { ImageFile } from '../electron/importer/scan.js';
import { Transcripts } from '../electron/importer/transcripts.js';
import { seededRandom } from '../electron/engine/sampling.js';
import { lengthClassOf } from '../shared/targets.js';
import { runAsScript, writeResult } from './common.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz ';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' } } });
  const count = Number(values.count);
  const work = mkdtempSync(path.join(os.tmpdir(), 'polyhead-bench-transcripts-'));
  try {
    const lines = path.join(work, 'lines');
    mkdirSync(lines);
    const random = seededRandom(7);
    const files: string[] = [];
    const images: ImageFile[] = [];
    for (let i = 0; i < count; i++) {
      const name = `l${String(i).padStart(7, '0')}`;
      const length = 10 + Math.floor(random() * 51);
      let text = Array.from({ length }, () => ALPHABET[Math.floor(random() * ALPHABET.length)]).join('');
      if (i % 100 === 0) text += 'é';
      writeFileSync(path.join(lines, `${name}.gt.txt`), `${text}\n`);
      files.push(path.join(lines, `${name}.gt.txt`));
      images.push({ file: path.join(lines, `${name}.png`), relative: `${name}.png` });
    }

    const runtime = openRuntime(path.join(work, 'data'), {}, { defaultTargets: false });
    try {
      const created = await runtime.dispatch('targets.createSequence', { name: 'line', alphabet: ALPHABET, maxLength: 16 });
      if (!created.ok) throw new Error(created.error.message);
      const store = runtime.project.store;
      const summary = emptySummary();
      const t0 = performance.now();
      await Transcripts.read(files, images, { target: 'line' }, store, summary);
      const readMs = performance.now() - t0;
      if (summary.transcripts?.matched !== count - Math.ceil(count / 100)) throw new Error(`matched ${summary.transcripts?.matched}`);

      // N images, each with a transcript and its derived length, written as an import would.
      const line = store.targets.byName('line')!;
      const length = store.targets.lengthOf(line.id)!;
      const insertImage = store.db.prepare(
        `INSERT INTO images (sha256, stored_path, original_name, format, width, height, channels, byte_size, imported_at)
         VALUES (?, ?, ?, 'png', 60, 12, 1, 100, '2026-01-01')`,
      );
      const insertLabel = store.db.prepare(
        `INSERT INTO annotations (image_id, target_id, source, state, text_value, class_id, updated_at, origin) VALUES (?, ?, 'human', 'value', ?, ?, '2026-01-01', ?)`,
      );
      store.write(() => {
        for (let i = 0; i < count; i++) {
          const id = Number(insertImage.run(`hash${i}`, `images/${i}.png`, images[i]!.relative).lastInsertRowid);
          const text = 'abc'.repeat(1 + (i % 8));
          insertLabel.run(id, line.id, text, null, 'typed');
          insertLabel.run(id, length.id, null, length.classes.find((c) => c.name === lengthClassOf(text, 16))!.id, 'derived');
        }
      });
      const t1 = performance.now();
      const refused = await runtime.dispatch('targets.remove', { targetId: line.id });
      const countMs = performance.now() - t1;
      if (refused.ok) throw new Error('a target with labels was removed without force');
      const t2 = performance.now();
      const removed = await runtime.dispatch('targets.remove', { targetId: line.id, force: true });
      const removeMs = performance.now() - t2;
      if (!removed.ok) throw new Error(removed.error.message);
      const result = {
        count,
        readTranscriptsMs: Math.round(readMs),
        refusedWithCountsMs: Math.round(countMs),
        removeWithLabelsMs: Math.round(removeMs),
        removed: removed.data,
        problemsReported: summary.labelProblems.length,
      };
      console.log(
        `${count} transcripts read and matched in ${result.readTranscriptsMs} ms (${result.problemsReported} reported); ` +
          `remove refused with counts in ${result.refusedWithCountsMs} ms; removed with ${2 * count} labels in ${result.removeWithLabelsMs} ms`,
      );
      await writeResult('transcripts', result);
    } finally {
      runtime.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

runAsScript('transcripts', main);
