/**
 * Neutral errors any layer may raise, in domain terms: something named does not exist,
 * an action conflicts with the current state, a field holds a value that is invalid
 * for this project, or the one asking may not do it (a role, a folder outside the
 * import roots, a read-only server). They carry no transport vocabulary; the API maps them to its error
 * codes (electron/services/api-error.ts) and the CLI prints their messages.
 */
export type DomainErrorKind = 'not_found' | 'conflict' | 'invalid_value' | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** For invalid values: each bad field's path ("label.value") and what is wrong. */
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} does not exist`);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const conflict = (message: string, issues?: { path: string; message: string }[]) => new DomainError('conflict', message, issues);
/** A value that passed the request schema but is invalid for this project (a class that is not a class, say). */
export const invalidField = (path: string, message: string) => new DomainError('invalid_value', `${path}: ${message}`, [{ path, message }]);
