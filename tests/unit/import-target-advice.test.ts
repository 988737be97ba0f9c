import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../electron/importer/importer.js';
import { exportColumns } from '../../shared/label-file.js';
import { useTempProject } from '../image-fixtures.js';

const temp = useTempProject();

/** A folder of distinct small images with a labels.csv: one row per image, `cells(i)` its cells after file and sha256. */
async function folderWithLabels(count: number, columns: string[], cells: (i: number) => string[]): Promise<string> {
  const root = path.join(temp.dir, 'crops');
  mkdirSync(root);
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(8 * 8 * 3, (i * 37) % 251);
    data[0] = i;
    await sharp(data, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toFile(path.join(root, `c${i}.png`));
  }
  const rows = Array.from({ length: count }, (_, i) => [`c${i}.png`, '', ...cells(i)].join(','));
  writeFileSync(path.join(root, 'labels.csv'), `${columns.join(',')}\n${rows.join('\n')}\n`);
  return root;
}

async function problemsOf(root: string): Promise<Map<string, string>> {
  const { store, dataDir } = temp.runtime.project;
  const summary = await runImport({ store, dataDir }, { paths: [root] });
  return new Map(summary.labelProblems.map((p) => [p.item, p.reason]));
}

describe('the command an import suggests for a column naming no target', () => {
  it('re-importing an export of a sequence and its length: one command creating the sequence target (the length follows it)', async () => {
    const lines = ['hello world', 'the quick brown fox', 'ab'];
    const lengths = ['>8', '>8', '2'];
    const root = await folderWithLabels(3, exportColumns(['line', 'line_length']), (i) => [lines[i]!, 'human', '', '', lengths[i]!, 'derived', '', '']);
    const problems = await problemsOf(root);
    const line = problems.get("column 'line'")!;
    expect(line).toContain(`polyhead targets add line --alphabet ' abcdefhiklnoqrtuwx' --max-length 8 --data ${temp.runtime.project.dataDir}`);
    expect(line).not.toContain('--classes');
    expect(line).toMatch(/column 'line_length' beside it/);
    const length = problems.get("column 'line_length'")!;
    expect(length).not.toContain('targets add');
    expect(length).toMatch(/comes with the sequence target 'line'/);
  });

  it('free text (values that rarely repeat) gets a sequence target, repeated values a categorical one; the message says it was read from the values', async () => {
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
    const root = await folderWithLabels(12, ['file', 'sha256', 'word', 'colour'], (i) => [words[i]!, i % 3 === 0 ? 'red' : 'blue']);
    const problems = await problemsOf(root);
    const word = problems.get("column 'word'")!;
    expect(word).toMatch(/polyhead targets add word --alphabet [a-z]+ --max-length 7 --data /);
    expect(word).toMatch(/12 different values in 12 rows/);
    const colour = problems.get("column 'colour'")!;
    expect(colour).toContain(`polyhead targets add colour --classes red,blue --data ${temp.runtime.project.dataDir}`);
    expect(colour).toMatch(/2 different values in 12 rows/);
  });
});
