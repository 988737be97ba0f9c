import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliPath } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

const COMMANDS = ['serve', 'init', 'import', 'info', 'train', 'runs', 'eval', 'predict', 'export', 'synth'];

describe('polyhead usage', () => {
  it('--help works on every command and `help CMD` says the same', () => {
    for (const command of COMMANDS) {
      const help = cli([command, '--help']);
      expect(help.status, `${command} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: polyhead ${command} `, 'm'));
      expect(cli(['help', command]).stdout).toBe(help.stdout);
    }
    const top = cli(['--help']);
    expect(top.status).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(top.stdout).toMatch(/Exit codes: 0 success; 1 the command failed/);
  });

  it('stops quietly when its reader closes the pipe early (`polyhead --help | head`)', async () => {
    const child = spawn(process.execPath, [cliPath, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });

  it('refuses an option of another command, naming it, with exit code 2', () => {
    const wrong = cli(['info', '--data', dir, '--epochs', '3']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/unknown option '--epochs'/);
    const typo = cli(['train', '--dta', dir]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/unknown option '--dta'/);
    expect(cli([]).status).toBe(2);
    const unknown = cli(['help', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'nope'/);
  });

  it('a reading command on a folder without a project says so and creates nothing', () => {
    const missing = path.join(dir, 'typo');
    for (const args of [['info'], ['runs'], ['eval', '--run', '1'], ['predict', '--run', '1'], ['train', '--spec', 'x.json']]) {
      const r = cli([...args, '--data', missing]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/no Polyhead project in .*typo/);
    }
    expect(existsSync(missing)).toBe(false);
    const created = cli(['init', '--data', missing]);
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^project typo in .*typo \(schema version \d+, 0 images\)$/m);
    expect(cli(['runs', '--data', missing]).stdout).toMatch(/no training runs yet/);
  });

  it('invalid values are usage errors, and --json gives machine-readable output', () => {
    const data = path.join(dir, 'json');
    expect(cli(['init', '--data', data]).status).toBe(0);
    expect(cli(['import', '--data', data, '--max-pixels', 'lots', dir]).status).toBe(2);
    expect(cli(['eval', '--data', data, '--run', 'x']).stderr).toMatch(/--run must be a run id \(a positive integer.*got 'x'/);
    expect(cli(['eval', '--data', data]).stderr).toMatch(/--run RUN .* is required/);
    expect(JSON.parse(cli(['runs', '--data', data, '--json']).stdout)).toEqual([]);
    const info = JSON.parse(cli(['info', '--data', data, '--json']).stdout) as { images: number };
    expect(info.images).toBe(0);
  });
});
