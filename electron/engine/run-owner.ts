/**
 * Who holds a run's lock: this process, named host/pid/nonce, with a heartbeat while it
 * trains. A holder on this host whose process is gone is dead at once; any other holder
 * is stale when its heartbeat is older than STALE_MS (a crash on another machine sharing
 * the project folder).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';

export const HEARTBEAT_MS = 5_000;
export const STALE_MS = 30_000;

export function newOwner(): string {
  return `${os.hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** True when `holder` names a process on this host that no longer exists. */
export function holderIsDead(holder: string): boolean {
  const [host, pid] = holder.split('/');
  if (host !== os.hostname() || !pid || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export const staleBefore = (now = Date.now()) => new Date(now - STALE_MS).toISOString();

/** "process 123 on host x, heartbeat 4 s ago" for an error message. */
export function describeHolder(holder: { owner: string | null; heartbeat: string | null }): string {
  const [host, pid] = (holder.owner ?? '?/?').split('/');
  const ago = holder.heartbeat ? `${Math.round((Date.now() - Date.parse(holder.heartbeat)) / 1000)} s ago` : 'never';
  return `process ${pid} on ${host} (last heartbeat ${ago})`;
}
