/**
 * The fonts the generator draws with: Debian font packages, found by file name under the
 * system font folders at generation time. Each family belongs to one style group (the
 * font_style label) and covers some scripts. Missing fonts are listed, never fatal.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export type StyleGroup = 'serif' | 'sans' | 'mono' | 'handwriting' | 'display';
export type Script = 'latin' | 'cyrillic' | 'greek' | 'arabic' | 'hebrew' | 'devanagari' | 'thai' | 'cjk';

export interface FontSpec {
  family: string;
  file: string;
  group: StyleGroup;
  scripts: Script[];
  /** Debian package that ships it. */
  pkg: string;
}

const LCG: Script[] = ['latin', 'cyrillic', 'greek'];

export const FONT_CATALOG: FontSpec[] = [
  { family: 'DejaVu Serif', file: 'DejaVuSerif.ttf', group: 'serif', scripts: LCG, pkg: 'fonts-dejavu-extra' },
  { family: 'DejaVu Sans', file: 'DejaVuSans.ttf', group: 'sans', scripts: LCG, pkg: 'fonts-dejavu-core' },
  { family: 'DejaVu Sans Mono', file: 'DejaVuSansMono.ttf', group: 'mono', scripts: LCG, pkg: 'fonts-dejavu-core' },
  { family: 'Liberation Serif', file: 'LiberationSerif-Regular.ttf', group: 'serif', scripts: LCG, pkg: 'fonts-liberation2' },
  { family: 'Liberation Sans', file: 'LiberationSans-Regular.ttf', group: 'sans', scripts: LCG, pkg: 'fonts-liberation2' },
  { family: 'Liberation Mono', file: 'LiberationMono-Regular.ttf', group: 'mono', scripts: LCG, pkg: 'fonts-liberation2' },
  { family: 'FreeSerif', file: 'FreeSerif.ttf', group: 'serif', scripts: [...LCG, 'hebrew'], pkg: 'fonts-freefont-ttf' },
  { family: 'FreeSans', file: 'FreeSans.ttf', group: 'sans', scripts: [...LCG, 'hebrew'], pkg: 'fonts-freefont-ttf' },
  { family: 'FreeMono', file: 'FreeMono.ttf', group: 'mono', scripts: [...LCG, 'hebrew'], pkg: 'fonts-freefont-ttf' },
  { family: 'Nimbus Roman', file: 'NimbusRoman-Regular.otf', group: 'serif', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'C059', file: 'C059-Roman.otf', group: 'serif', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'P052', file: 'P052-Roman.otf', group: 'serif', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'URW Bookman', file: 'URWBookman-Light.otf', group: 'serif', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'Nimbus Sans', file: 'NimbusSans-Regular.otf', group: 'sans', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'Nimbus Sans Narrow', file: 'NimbusSansNarrow-Regular.otf', group: 'sans', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'Nimbus Mono PS', file: 'NimbusMonoPS-Regular.otf', group: 'mono', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'URW Gothic', file: 'URWGothic-Demi.otf', group: 'display', scripts: LCG, pkg: 'fonts-urw-base35' },
  { family: 'Z003', file: 'Z003-MediumItalic.otf', group: 'handwriting', scripts: ['latin'], pkg: 'fonts-urw-base35' },
  { family: 'Dancing Script', file: 'DancingScript-Regular.otf', group: 'handwriting', scripts: ['latin'], pkg: 'fonts-dancingscript' },
  { family: 'Comic Neue', file: 'ComicNeue-Regular.otf', group: 'handwriting', scripts: ['latin'], pkg: 'fonts-comic-neue' },
  { family: 'Noto Sans', file: 'NotoSans-Regular.ttf', group: 'sans', scripts: LCG, pkg: 'fonts-noto-core' },
  { family: 'Noto Serif', file: 'NotoSerif-Regular.ttf', group: 'serif', scripts: LCG, pkg: 'fonts-noto-core' },
  { family: 'Noto Sans Mono', file: 'NotoSansMono-Regular.ttf', group: 'mono', scripts: LCG, pkg: 'fonts-noto-core' },
  { family: 'Noto Sans Display', file: 'NotoSansDisplay-Bold.ttf', group: 'display', scripts: LCG, pkg: 'fonts-noto-core' },
  { family: 'Noto Serif Display', file: 'NotoSerifDisplay-Bold.ttf', group: 'display', scripts: LCG, pkg: 'fonts-noto-core' },
  { family: 'Noto Sans Arabic', file: 'NotoSansArabic-Regular.ttf', group: 'sans', scripts: ['arabic'], pkg: 'fonts-noto-core' },
  { family: 'Noto Naskh Arabic', file: 'NotoNaskhArabic-Regular.ttf', group: 'serif', scripts: ['arabic'], pkg: 'fonts-noto-core' },
  { family: 'Noto Sans Hebrew', file: 'NotoSansHebrew-Regular.ttf', group: 'sans', scripts: ['hebrew'], pkg: 'fonts-noto-core' },
  { family: 'Noto Serif Hebrew', file: 'NotoSerifHebrew-Regular.ttf', group: 'serif', scripts: ['hebrew'], pkg: 'fonts-noto-core' },
  { family: 'Noto Sans Devanagari', file: 'NotoSansDevanagari-Regular.ttf', group: 'sans', scripts: ['devanagari'], pkg: 'fonts-noto-core' },
  { family: 'Noto Serif Devanagari', file: 'NotoSerifDevanagari-Regular.ttf', group: 'serif', scripts: ['devanagari'], pkg: 'fonts-noto-core' },
  { family: 'Noto Sans Thai', file: 'NotoSansThai-Regular.ttf', group: 'sans', scripts: ['thai'], pkg: 'fonts-noto-core' },
  { family: 'Noto Serif Thai', file: 'NotoSerifThai-Regular.ttf', group: 'serif', scripts: ['thai'], pkg: 'fonts-noto-core' },
  { family: 'Noto Sans CJK SC', file: 'NotoSansCJK-Regular.ttc', group: 'sans', scripts: ['cjk'], pkg: 'fonts-noto-cjk' },
  { family: 'Noto Serif CJK SC', file: 'NotoSerifCJK-Regular.ttc', group: 'serif', scripts: ['cjk'], pkg: 'fonts-noto-cjk' },
];

export const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts'];

function indexFiles(dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = path.join(dir, name);
      try {
        if (statSync(full).isDirectory()) walk(full);
        else if (!files.has(name)) files.set(name, full);
      } catch {
        // unreadable entry: skip
      }
    }
  };
  dirs.forEach(walk);
  return files;
}

export interface FoundFonts {
  found: (FontSpec & { path: string })[];
  missing: FontSpec[];
}

/** The catalog's fonts present on this machine (optionally only the named families). */
export function findFonts(families?: string[], dirs = FONT_DIRS): FoundFonts {
  const files = indexFiles(dirs);
  const wanted = families ? FONT_CATALOG.filter((f) => families.includes(f.family)) : FONT_CATALOG;
  const found: FoundFonts['found'] = [];
  const missing: FontSpec[] = [];
  for (const f of wanted) {
    const p = files.get(f.file);
    if (p) found.push({ ...f, path: p });
    else missing.push(f);
  }
  return { found, missing };
}
