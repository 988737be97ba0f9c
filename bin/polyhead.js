#!/usr/bin/env node
// The polyhead CLI. The TypeScript sources are compiled by `npm run build` into dist/node.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/node/electron/cli/polyhead.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('polyhead: not built yet; run `npm run build` first');
  process.exit(1);
}
await import(cli.href);
