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
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1]!,
  );
}

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
        expect(spec === 'zod' || (spec.startsWith('./') || spec.startsWith('../')) && !path.normalize(path.join(path.dirname(file), spec)).startsWith('..') && path.normalize(path.join(path.dirname(file), spec)).startsWith('shared'), `${file} imports ${spec}`).toBe(true);
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
});
