#!/usr/bin/env node
// better-sqlite3 is a native module: Node (tests, CLI, server mode) and Electron (the app)
// need it built for their own ABI. `node scripts/ensure-native.mjs node|electron` checks that
// it loads in that runtime and rebuilds it for that runtime only when it does not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const mode = process.argv[2];
const probe = "const D = require('better-sqlite3'); new D(':memory:').close();";
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command, args, env = {}) {
  return spawnSync(command, args, { stdio: 'pipe', encoding: 'utf8', env: { ...process.env, ...env } });
}

function loadsIn(runtime) {
  if (runtime === 'node') return run(process.execPath, ['-e', probe]);
  return run(electronBinary(), ['-e', probe], { ELECTRON_RUN_AS_NODE: '1' });
}

function electronBinary() {
  let binary = null;
  try {
    binary = require('electron');
  } catch {
    // electron/index.js throws when its binary was never downloaded.
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    console.error(
      'The Electron binary is not installed (was npm run with ELECTRON_SKIP_BINARY_DOWNLOAD=1?).\n' +
        'Install it with `node node_modules/electron/install.js`, or use server mode: `npm run serve`.',
    );
    process.exit(1);
  }
  return binary;
}

if (mode !== 'node' && mode !== 'electron') {
  console.error('usage: ensure-native.mjs node|electron');
  process.exit(2);
}
const first = loadsIn(mode);
if (first.status === 0) process.exit(0);
if (!/NODE_MODULE_VERSION|was compiled against a different|invalid ELF header|Module did not self-register/.test(first.stderr)) {
  console.error(first.stderr);
  process.exit(1);
}
console.log(`better-sqlite3 is built for another runtime; rebuilding it for ${mode}…`);
const rebuild = mode === 'node' ? run(npm, ['rebuild', 'better-sqlite3']) : run(npx, ['electron-builder', 'install-app-deps']);
if (rebuild.status !== 0) {
  console.error(rebuild.stdout, rebuild.stderr);
  process.exit(1);
}
const second = loadsIn(mode);
if (second.status !== 0) {
  console.error(second.stderr);
  process.exit(1);
}
