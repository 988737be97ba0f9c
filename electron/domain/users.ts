/**
 * The people who use a served project and their tokens. A token is 32 random bytes
 * (base64url); the database keeps only its SHA-256, so a copy of the database (a backup) holds
 * no usable token. A token is shown once, when it is made.
 *
 * The project's own token belongs to the user `owner` (an admin), made on the first serve. Its
 * clear text is also kept in `DIR/owner-token` (readable by its owner only), so that every
 * `polyhead serve` can print the link to open: whoever can read the project folder can read
 * the database anyway.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { conflict, invalidField, notFound } from '../../shared/errors.js';
import type { Role } from '../../shared/roles.js';
import type { Store } from '../store/store.js';
import type { UserRow } from '../store/users-repo.js';

export const OWNER = 'owner';
export const OWNER_TOKEN_FILE = 'owner-token';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The user a token belongs to, or undefined. */
export function userForToken(store: Store, token: string): UserRow | undefined {
  if (token.length < 16 || token.length > 256) return undefined;
  // Looked up by its hash: the time taken says nothing about the token itself.
  return store.users.byTokenHash(hashToken(token));
}

function checkName(name: string): void {
  if (!NAME.test(name))
    throw invalidField('name', `'${name}' is not a user name: 1 to 64 letters, digits, '_', '.', '@' or '-', starting with a letter or digit`);
}

/** Adds a user; returns their token (shown once). */
export function addUser(store: Store, name: string, role: Role): string {
  checkName(name);
  const token = newToken();
  store.write(() => {
    if (store.users.byName(name)) throw conflict(`A user named '${name}' exists already (\`polyhead users token ${name}\` makes them a new token)`);
    store.users.insert(name, role, hashToken(token));
  });
  return token;
}

/** A new token for a user; the old one stops working at once. */
export function resetToken(store: Store, name: string, dataDir?: string): string {
  const token = newToken();
  if (!store.write(() => store.users.setToken(name, hashToken(token)))) throw notFound(`User '${name}'`);
  if (name === OWNER && dataDir) writeOwnerToken(dataDir, token);
  return token;
}

export function removeUser(store: Store, name: string): void {
  if (name === OWNER) throw conflict(`'${OWNER}' holds the project's own token; give it a new one with \`polyhead users token ${OWNER}\` instead`);
  if (!store.write(() => store.users.remove(name))) throw notFound(`User '${name}'`);
}

function writeOwnerToken(dataDir: string, token: string): void {
  const file = path.join(dataDir, OWNER_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function readOwnerToken(dataDir: string): string | null {
  try {
    return readFileSync(path.join(dataDir, OWNER_TOKEN_FILE), 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The project's own token (the `owner` user's), made on the first serve. A read-only
 * database cannot make one: it must have been served once before.
 */
export function ownerToken(store: Store, dataDir: string): string {
  const kept = readOwnerToken(dataDir);
  const owner = store.users.byName(OWNER);
  if (kept && owner && userForToken(store, kept)?.name === OWNER) return kept;
  if (store.readonly) {
    throw new Error(`This project has no usable owner token (${path.join(dataDir, OWNER_TOKEN_FILE)}); serve it once without --read-only to make one`);
  }
  const token = newToken();
  store.write(() => {
    if (store.users.byName(OWNER)) store.users.setToken(OWNER, hashToken(token));
    else store.users.insert(OWNER, 'admin', hashToken(token));
  });
  writeOwnerToken(dataDir, token);
  return token;
}
