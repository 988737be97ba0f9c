/**
 * Exit codes of `polyhead` (README "CLI"):
 *   0  success
 *   1  the command ran and failed (a run that did not complete, an error reported by the API)
 *   2  usage: unknown command or option, a missing or invalid argument, a project folder that does not exist
 *   3  the project's database was written by a newer Polyhead
 *   4  the project's database is damaged (refused at open, or found by `polyhead check`)
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, tooNew: 3, damaged: 4 } as const;

/** A mistake in how the command was called; printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {}
