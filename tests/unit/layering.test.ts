import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';

const probeRoot = path.join(repoRoot, '.tmp', 'layering-probe');
afterAll(() => rmSync(probeRoot, { recursive: true, force: true }));

function sources(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|vue)$/.test(f))
    .map((f) => path.join(dir, f));
}

function importsOf(file: string): string[] {
  return importsIn(readFileSync(path.join(repoRoot, file), 'utf8'));
}

function importsIn(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

/**
 * Who may import whom inside electron/ (ARCHITECTURE.md), lowest layer first. A folder may
 * import itself, the folders listed for it, shared/ (the store: not shared/api/, the wire
 * vocabulary) and npm packages. Type-only imports count: a type from above is still a back-edge.
 */
const LAYERS: Record<string, string[]> = {
  'electron/platform': [],
  'electron/store': [],
  'electron/domain': ['electron/platform', 'electron/store'],
  'electron/synth': [],
  'electron/importer': ['electron/platform', 'electron/store', 'electron/domain'],
  'electron/engine': ['electron/platform', 'electron/store', 'electron/domain'],
  'electron/services': ['electron/platform', 'electron/store', 'electron/domain', 'electron/importer', 'electron/engine'],
  'electron/app': ['electron/platform', 'electron/store', 'electron/domain', 'electron/importer', 'electron/services'],
  'electron/server': ['electron/platform', 'electron/domain', 'electron/services'],
  'electron/main': ['electron/platform', 'electron/domain', 'electron/engine', 'electron/services', 'electron/app', 'electron/server'],
  'electron/cli': ['electron/platform', 'electron/store', 'electron/domain', 'electron/services', 'electron/app', 'electron/server', 'electron/synth'],
  'electron/tools': ['electron/platform', 'electron/domain', 'electron/importer', 'electron/synth'],
  'electron/preload': [],
};

const layerOf = (file: string) => Object.keys(LAYERS).find((layer) => file.startsWith(layer + '/'));

/** The layering rules broken by `file` (repository-relative, '/'-separated) with source `text`. */
function breaches(file: string, text: string): string[] {
  const layer = layerOf(file);
  if (!layer) return [`${file} is in no layer of electron/ (add its folder to LAYERS and ARCHITECTURE.md)`];
  const found: string[] = [];
  for (const spec of importsIn(text)) {
    if (!spec.startsWith('.')) continue; // npm packages and node: builtins
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    if (target.startsWith('shared/')) {
      if (layer === 'electron/store' && target.startsWith('shared/api/')) found.push(`${file} imports ${spec}: the store does not speak the API's wire types`);
      continue;
    }
    const to = layerOf(target);
    if (to === layer) continue;
    if (!to || !LAYERS[layer]!.includes(to)) found.push(`${file} (${layer}) imports ${spec} (${to ?? target})`);
  }
  return found;
}

const MAX_LINES = 300;

/** Type-checks `code` under the compiler options of `tsconfig` and returns tsc's output. */
function typecheckUnder(tsconfig: string, name: string, code: string): string {
  const dir = path.join(probeRoot, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'probe.ts'), code);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: path.relative(dir, path.join(repoRoot, tsconfig)), include: ['probe.ts'], compilerOptions: { noEmit: true } }),
  );
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
  return result.stdout + result.stderr;
}

describe('layering', () => {
  it('shared/ imports nothing but itself and zod', () => {
    for (const file of sources('shared')) {
      for (const spec of importsOf(file)) {
        expect(
          spec === 'zod' ||
            ((spec.startsWith('./') || spec.startsWith('../')) &&
              !path.normalize(path.join(path.dirname(file), spec)).startsWith('..') &&
              path.normalize(path.join(path.dirname(file), spec)).startsWith('shared')),
          `${file} imports ${spec}`,
        ).toBe(true);
      }
    }
  });

  it('only electron/main and electron/preload import electron', () => {
    for (const file of sources('electron')) {
      if (file.startsWith(path.join('electron', 'main')) || file.startsWith(path.join('electron', 'preload'))) continue;
      expect(importsOf(file), file).not.toContain('electron');
    }
  });

  it('in the renderer, only api.ts reaches the bridge or the network', () => {
    for (const file of sources('renderer/src')) {
      if (file.endsWith(path.join('src', 'api.ts'))) continue;
      const text = readFileSync(path.join(repoRoot, file), 'utf8');
      expect(text, file).not.toMatch(/window\.polyhead|\bfetch\(|new WebSocket/);
      for (const spec of importsOf(file)) expect(spec.startsWith('node:') || spec === 'electron', `${file} imports ${spec}`).toBe(false);
    }
  });

  it('the split tsconfigs keep Node types out of shared/ and renderer/, and DOM types out of shared/ and electron/', () => {
    const node = 'export const cwd: string = process.cwd();\n';
    const dom = 'export const title: string = document.title;\n';
    expect(typecheckUnder('shared/tsconfig.json', 'shared-node', node)).toMatch(/Cannot find name 'process'/);
    expect(typecheckUnder('shared/tsconfig.json', 'shared-dom', dom)).toMatch(/Cannot find name 'document'/);
    expect(typecheckUnder('renderer/tsconfig.json', 'renderer-node', node)).toMatch(/Cannot find name 'process'/);
    expect(typecheckUnder('electron/tsconfig.json', 'electron-dom', dom)).toMatch(/Cannot find name 'document'/);
    // And the probes are sound: each runtime's own globals do type-check there.
    expect(typecheckUnder('renderer/tsconfig.json', 'renderer-dom', dom)).toBe('');
    expect(typecheckUnder('electron/tsconfig.json', 'electron-node', node)).toBe('');
  });
  it('inside electron/, every import follows the layers (and none is in no layer)', () => {
    const found = sources('electron')
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f.split('/').length > 2)
      .flatMap((f) => breaches(f, readFileSync(path.join(repoRoot, f), 'utf8')));
    expect(found).toEqual([]);
    expect(readdirSync(path.join(repoRoot, 'electron'), { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts'))).toEqual([]);
  });

  it('the layer check catches a back-edge: a probe in electron/store importing services', () => {
    const probe = "import type { ServiceImpl } from '../services/index.js';\nexport type Probe = ServiceImpl;\n";
    expect(breaches('electron/store/probe.ts', probe)).toEqual(['electron/store/probe.ts (electron/store) imports ../services/index.js (electron/services)']);
    expect(breaches('electron/store/probe.ts', "import type { ImageFilter } from '../../shared/api/contract.js';\n")).toHaveLength(1);
    expect(breaches('electron/engine/probe.ts', "import { runImport } from '../importer/importer.js';\n")).toHaveLength(1);
    expect(breaches('electron/services/probe.ts', "import { runImport } from '../importer/importer.js';\nimport { z } from 'zod';\n")).toEqual([]);
    expect(breaches('electron/probe.ts', '')).toHaveLength(1);
  });

  it(`no source file is over ${MAX_LINES} lines without a reason written at its top`, () => {
    const long = ['electron', 'shared', 'renderer/src', 'bench', 'scripts']
      .flatMap(sources)
      .map((file) => ({ file, text: readFileSync(path.join(repoRoot, file), 'utf8') }))
      .filter(({ text }) => text.split('\n').length > MAX_LINES && !/^[\s\S]{0,600}Longer than 300 lines because/.test(text))
      .map(({ file, text }) => `${file}: ${text.split('\n').length} lines`);
    expect(long).toEqual([]);
  });
});
