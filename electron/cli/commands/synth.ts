/** `polyhead synth`: labelled synthetic crops, written to a folder (no project involved). */
import type { Command } from 'commander';
import { contactSheet, synthesize } from '../../synth/generator.js';
import { UsageError } from '../errors.js';
import { parseInteger } from '../session.js';

export function registerSynthCommand(program: Command): void {
  program
    .command('synth')
    .description(
      'Render labelled synthetic crops with the system’s fonts (Debian font packages); --holdout puts that share of font families in OUT/heldout, the rest in OUT/train.',
    )
    .option('--out <DIR>', 'the folder to write (crops + labels.csv)')
    .option('--kind <KIND>', 'house-numbers or script-words')
    .option('--count <N>', 'how many crops', '100')
    .option('--seed <S>', 'the random seed', '1')
    .option('--fonts <LIST>', 'only these font families, comma-separated')
    .option('--holdout <SHARE>', 'share of font families held out (0..1)')
    .option('--contact-sheet <FILE>', 'also write a PNG contact sheet of the crops')
    .action(async (options: { out?: string; kind?: string; count: string; seed: string; fonts?: string; holdout?: string; contactSheet?: string }) => {
      if (!options.out) throw new UsageError('--out DIR is required');
      if (options.kind !== 'house-numbers' && options.kind !== 'script-words') throw new UsageError('--kind must be house-numbers or script-words');
      const holdout = options.holdout === undefined ? undefined : Number(options.holdout);
      if (holdout !== undefined && !(holdout >= 0 && holdout < 1)) throw new UsageError(`--holdout must be a share in [0, 1), got '${options.holdout}'`);
      const result = await synthesize({
        out: options.out,
        kind: options.kind,
        count: parseInteger(options.count, '--count', 1),
        seed: parseInteger(options.seed, '--seed'),
        fonts: options.fonts
          ?.split(',')
          .map((f) => f.trim())
          .filter(Boolean),
        holdout,
      });
      if (options.contactSheet) await contactSheet(result, options.contactSheet);
      console.log(`wrote ${result.written} ${options.kind} crops and labels.csv to ${result.dirs.join(' and ')}`);
      console.log(`fonts used (${result.fontsUsed.length}): ${result.fontsUsed.join(', ')}`);
      if (result.heldOut.length > 0) console.log(`held out: ${result.heldOut.join(', ')}`);
      if (result.missing.length > 0) {
        console.log(`fonts not found (${result.missing.length}), skipped:`);
        for (const m of result.missing) console.log(`  - ${m.family} (${m.file}, Debian package ${m.pkg})`);
      }
    });
}
