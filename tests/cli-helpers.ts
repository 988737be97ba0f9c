import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, sampleDir } from './helpers.js';

export const cliPath = path.join(repoRoot, 'bin', 'polyhead.js');

export function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `polyhead serve` and resolves with its URL once it listens. */
export function serve(args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`polyhead serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /open (http:\/\/\S+?)\/?$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`polyhead serve exited with ${code}:\n${output}`)));
  });
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Calls the API of a running `polyhead serve` over HTTP; a structured error becomes an exception. */
export async function callServer<T>(url: string, method: string, payload: unknown = {}): Promise<T> {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', body: JSON.stringify(payload) });
  const body = (await response.json()) as { ok: boolean; data: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.data;
}

/** Imports the first `count` crops of the bundled sample, without their labels, into a new project in DIR/data; returns that folder. */
export function importUnlabeledSample(dir: string, count: number): string {
  const src = path.join(dir, 'crops');
  mkdirSync(src);
  for (let i = 0; i < count; i++) {
    const name = `hn-${String(i).padStart(4, '0')}.png`;
    copyFileSync(path.join(sampleDir, name), path.join(src, name));
  }
  const data = path.join(dir, 'data');
  const imported = cli(['import', '--data', data, src]);
  if (imported.status !== 0) throw new Error(`polyhead import exited with ${imported.status}:\n${imported.stderr}`);
  return data;
}
