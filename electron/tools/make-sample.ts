/**
 * Builds the bundled sample under resources/sample/ with the synthetic generator: 300
 * house-number crops in many fonts (npm run make:sample), with a labels.csv that covers every
 * label state, so that the app opens on work to do: half fully labelled, some with unreadable
 * digits but a known length, some partly labelled, some not looked at. Committed, so the app
 * needs neither ../shared nor the fonts at run time.
 *
 *   node dist/node/electron/tools/make-sample.js OUT_DIR [COUNT] [SEED]
 */
import { copyFile, mkdtemp, rm, writeFile, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { synthesize } from '../synth/generator.js';

async function main(): Promise<void> {
  const [outDir, countArg, seedArg] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: make-sample OUT_DIR [COUNT] [SEED]');
  const count = Number(countArg ?? 300);
  const work = await mkdtemp(path.join(os.tmpdir(), 'polyhead-sample-'));
  try {
    const result = await synthesize({ out: work, kind: 'house-numbers', count, seed: Number(seedArg ?? 7) });
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    const rows = ['file,digits,length,font_style,script'];
    for (const [n, f] of result.files.entries()) {
      const name = `hn-${String(n).padStart(4, '0')}.png`;
      await copyFile(path.join(f.dir, f.file), path.join(outDir, name));
      const { digits, length, font_style: font, script } = f.labels as Record<string, string>;
      // Every label state appears: full labels, unreadable digits with a known length, partial, none.
      const r = n % 10;
      if (r < 5) rows.push(`${name},${digits},${length},${font},${script}`);
      else if (r === 5) rows.push(`${name},?,${length},${font},${script}`);
      else if (r === 6) rows.push(`${name},${digits},,,${script}`);
      else if (r === 7) rows.push(`${name},${digits},,?,`);
      // r = 8, 9: not yet looked at.
    }
    await writeFile(path.join(outDir, 'labels.csv'), rows.join('\n') + '\n');
    await writeFile(
      path.join(outDir, 'NOTICE.md'),
      `# Bundled sample\n\n${count} synthetic house-number crops rendered by \`polyhead synth\` (\`npm run make:sample\`) with fonts from\n` +
        `Debian font packages (${result.fontsUsed.length} families: ${result.fontsUsed.join(', ')}).\n` +
        '`labels.csv` labels half of them fully and leaves the rest partly or wholly unlabelled, to label in the app.\n',
    );
    console.log(`wrote ${count} crops and labels.csv to ${outDir} (${(await readdir(outDir)).length} files)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
