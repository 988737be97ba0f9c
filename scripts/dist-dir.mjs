#!/usr/bin/env node
// Builds electron-builder's unpacked `dir` target against a stand-in Electron folder.
// On a machine where the Electron binary cannot be downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1),
// this checks the packaging configuration (files, asar, unpacked native modules) end to end;
// the result cannot run because its "electron" is a placeholder. Native modules are not
// rebuilt for Electron's ABI here (that needs Electron's headers from the network); on a
// normal machine use `npm run dist`, which does rebuild them with install-app-deps.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const standin = path.resolve('.tmp', 'electron-standin');
rmSync(standin, { recursive: true, force: true });
mkdirSync(path.join(standin, 'resources'), { recursive: true });
writeFileSync(path.join(standin, 'electron'), '#!/bin/sh\necho "stand-in Electron: packaging check only" >&2\nexit 1\n');
chmodSync(path.join(standin, 'electron'), 0o755);
writeFileSync(path.join(standin, 'version'), electronVersion);
writeFileSync(path.join(standin, 'LICENSE'), 'stand-in');

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const result = spawnSync(
  npx,
  ['electron-builder', '--linux', '--dir', `-c.electronDist=${standin}`, `-c.electronVersion=${electronVersion}`, '-c.npmRebuild=false'],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
