/**
 * Where a server may read imports from: only inside the folders it was started with
 * (`polyhead serve --import-root DIR`, repeatable; none by default). The one check every
 * server-side read of a path goes through — `imports.start`, and uploads staged in a folder
 * of the project (issue 13) by passing that folder as one more root.
 *
 * A path must be inside a root both as written and once its symlinks are resolved: a link
 * inside a root that points elsewhere is refused, and a path outside is refused before
 * anything on the disk is touched (so a caller cannot probe which files exist there). The
 * importer then reads the resolved paths, and its folder walk skips symlinks.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { forbidden } from '../../shared/errors.js';

/** True when `child` is `root` or inside it (both absolute and normalised). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The import roots as the server keeps them: absolute, symlinks resolved. Throws when one
 * does not exist or is not readable (the server refuses to start rather than serve a root
 * that is not there).
 */
export function resolveImportRoots(roots: readonly string[]): string[] {
  return [...new Set(roots.map((root) => realpathSync(path.resolve(root))))];
}

function outside(given: string, roots: readonly string[]): Error {
  return forbidden(
    roots.length === 0
      ? `Cannot import '${given}': this server reads no folder of its own (it was started without --import-root). ` +
          'Import from the desktop app or `polyhead import`, or restart the server with --import-root DIR.'
      : `Cannot import '${given}': it is outside the folders this server may import from (${roots.join(', ')}). ` +
          'Copy the files there, or restart the server with one more --import-root DIR.',
  );
}

/**
 * Checks the paths an import would read and returns them resolved (symlinks followed).
 * `roots` null: a local caller (the desktop app, the CLI) on its own machine, no limit; the
 * paths come back as given. Relative paths are taken from the first root. A path that does
 * not exist (inside a root) is returned as written, for the importer to report as missing.
 */
export async function checkImportPaths(paths: readonly string[], roots: readonly string[] | null): Promise<string[]> {
  if (roots === null) return [...paths];
  const checked: string[] = [];
  for (const given of paths) {
    const lexical = path.resolve(roots[0] ?? path.sep, given);
    if (!roots.some((root) => isInside(root, lexical))) throw outside(given, roots);
    let real: string;
    try {
      real = await realpath(lexical);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        checked.push(lexical);
        continue;
      }
      throw outside(given, roots);
    }
    if (!roots.some((root) => isInside(root, real))) throw outside(given, roots);
    checked.push(real);
  }
  return checked;
}
