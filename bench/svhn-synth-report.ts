/** What bench:svhn-synth measures per variant, and the table it prints. */

export type Variant = 'plain' | 'font-head' | 'adversarial';

export interface ProbeResult {
  /** Accuracy on unseen crops of the train fonts, and its chance (majority share). */
  seenFonts: number;
  seenFontsChance: number;
  heldoutFonts: number;
  heldoutFontsChance: number;
}

export interface VariantResult {
  variant: Variant;
  backend: string;
  trainExamples: number;
  testExamples: number;
  steps: number;
  trainSeconds: number;
  msPerStep: number;
  sequenceAccuracy: number | null;
  sequenceCount: number;
  coverageAt98: number | null;
  lengthAccuracy: number | null;
  digitAccuracy: Record<string, number | null>;
  /** The font_style head (adversarial or not) on the held-out fonts, and chance. */
  fontHead: { accuracy: number | null; chance: number } | null;
  probe: ProbeResult;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);

export function table(results: VariantResult[]): string {
  const rows: [string, (r: VariantResult) => string][] = [
    ['whole-sequence accuracy (held-out fonts)', (r) => `${pct(r.sequenceAccuracy)} of ${r.sequenceCount}`],
    ['coverage at 98% accuracy', (r) => pct(r.coverageAt98)],
    ['length accuracy', (r) => pct(r.lengthAccuracy)],
    ...[0, 1, 2, 3, 4].map((k) => [`digit ${k + 1} accuracy`, (r: VariantResult) => pct(r.digitAccuracy[`d${k}`])] as [string, (r: VariantResult) => string]),
    ['font_style head accuracy, held-out fonts (chance)', (r) => (r.fontHead ? `${pct(r.fontHead.accuracy)} (${pct(r.fontHead.chance)})` : '—')],
    ['probe font_style, unseen crops of train fonts (chance)', (r) => `${pct(r.probe.seenFonts)} (${pct(r.probe.seenFontsChance)})`],
    ['probe font_style, held-out fonts (chance)', (r) => `${pct(r.probe.heldoutFonts)} (${pct(r.probe.heldoutFontsChance)})`],
    ['training: steps, ms/step', (r) => `${r.steps}, ${r.msPerStep.toFixed(0)}`],
  ];
  const w0 = 56;
  const lines = ['measure'.padEnd(w0) + results.map((r) => r.variant.padStart(22)).join('')];
  for (const [name, f] of rows) lines.push(name.padEnd(w0) + results.map((r) => f(r).padStart(22)).join(''));
  return lines.join('\n');
}
