/** Who is calling the API, as every service sees it: a user, their role, and where the call comes from. */
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../shared/roles.js';

export interface Caller {
  /** Recorded with every change (annotations, history steps, runs, imports, the audit log). */
  user: string;
  role: Role;
  /**
   * The folders a server-side import may read (`serve --import-root`, symlinks resolved); null
   * for a local caller — the desktop app or the CLI on its own machine — who may read anything.
   */
  importRoots: readonly string[] | null;
  /** A --read-only server: every change is refused. */
  readOnly: boolean;
}

/** The operating system's user name, the author of what the desktop app and the CLI write. */
export function localUserName(): string {
  try {
    return os.userInfo().username || 'local';
  } catch {
    return 'local';
  }
}

/** The desktop app or the CLI: the local user, an admin, no folder limits. */
export function localCaller(): Caller {
  return { user: localUserName(), role: 'admin', importRoots: null, readOnly: false };
}

/** Whether the caller may see the server's absolute paths (admins and local callers). */
export const seesPaths = (caller: Caller): boolean => caller.role === 'admin';

/**
 * A path as a caller who may not see the server's folders is shown it: inside an import root,
 * relative to that root (prefixed with the root's name); inside the project, relative to it;
 * otherwise its file name alone.
 */
export function shownPath(file: string, caller: Caller, dataDir: string): string {
  if (seesPaths(caller) || !path.isAbsolute(file)) return file;
  for (const root of [...(caller.importRoots ?? []), dataDir]) {
    const rel = path.relative(root, file);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return path.join(path.basename(root), rel);
  }
  return path.basename(file);
}

/** Every absolute path the caller may not see, replaced in a free text (a message, a file:line item). */
export function shownText(text: string, caller: Caller, dataDir: string): string {
  if (seesPaths(caller)) return text;
  let out = text;
  for (const root of [...(caller.importRoots ?? []), dataDir].sort((a, b) => b.length - a.length)) {
    out = out
      .split(root + path.sep)
      .join(path.basename(root) + path.sep)
      .split(root)
      .join(path.basename(root));
  }
  return out;
}
