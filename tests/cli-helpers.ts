import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, sampleDir } from './helpers.js';

export const cliPath = path.join(repoRoot, 'bin', 'polyhead.js');

export function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The token each running server printed, by its URL: callServer and the browser helpers sign in with it. */
const tokens = new Map<string, string>();
export const tokenFor = (url: string): string | undefined => tokens.get(url);

export interface Served {
  /** http://host:port, without the token. */
  url: string;
  /** The owner's token from the printed link (null with --no-auth). */
  token: string | null;
  child: ChildProcess;
  output: () => string;
}

/** Starts `polyhead serve` and resolves with its URL and the token of the link it prints, once it listens. */
export function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`polyhead serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^open (http:\/\/\S+?)\/(?:\?token=(\S+))?$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        const token = match[2] ?? null;
        if (token) tokens.set(match[1]!, token);
        resolve({ url: match[1]!, token, child, output: () => output });
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

/** Calls the API of a running `polyhead serve` over HTTP, as its owner (or with `token`); a structured error becomes an exception. */
export async function callServer<T>(url: string, method: string, payload: unknown = {}, token = tokens.get(url)): Promise<T> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', body: JSON.stringify(payload), headers });
  const body = (await response.json()) as { ok: boolean; data: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.data;
}

/** Imports the bundled sample with its labels into a new project in DIR/data; returns that folder. */
export function importSample(dir: string): string {
  const data = path.join(dir, 'data');
  const imported = cli(['import', '--data', data, sampleDir]);
  if (imported.status !== 0) throw new Error(`polyhead import exited with ${imported.status}:\n${imported.stderr}`);
  return data;
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
