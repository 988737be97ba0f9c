/**
 * Uploads in the project folder: `<data>/uploads/<id>/<relative path>`, one folder per upload,
 * relative paths kept (so label files find their images) with every name made safe, each file
 * streamed to disk (never held whole), written to a `.part` file, fsynced and only then renamed.
 * The importer then reads the folder as it reads any other.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { conflict, invalidField, notFound } from '../../shared/errors.js';
import { UPLOAD_MAX_DEPTH, UPLOAD_MAX_FILE_BYTES } from '../../shared/uploads.js';

export const UPLOADS_DIR = 'uploads';
/** Uploads never imported (a closed tab) are removed after this long. */
export const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;
const PART = '.part';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Names Windows reserves whatever the extension; a project folder may be copied there. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_NAME_BYTES = 255;

/**
 * The safe form of a relative path from a browser (webkitRelativePath, or a dropped folder's
 * entry path): segments split on / and \, empty and "." dropped, ".." refused, control
 * characters removed, characters Windows forbids replaced by "_", trailing dots and spaces
 * trimmed, reserved device names prefixed. Throws invalid_value naming the path.
 */
export function safeRelativePath(relative: string): string[] {
  const fail = (why: string) => invalidField('path', `'${relative}' ${why}`);
  const segments: string[] = [];
  for (const raw of relative.normalize('NFC').split(/[/\\]+/)) {
    if (raw === '' || raw === '.') continue;
    if (raw === '..') throw fail('leaves the upload (..)');
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    let name = raw.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[<>:"|?*]/g, '_');
    name = name.replace(/[. ]+$/, '');
    if (name === '' || name === '.' || name === '..') throw fail(`has a name that cannot be stored ('${raw}')`);
    if (RESERVED.test(name)) name = `_${name}`;
    if (name.endsWith(PART)) name = `${name}_`;
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw fail(`has a name over ${MAX_NAME_BYTES} bytes`);
    segments.push(name);
  }
  if (segments.length === 0) throw fail('names no file');
  if (segments.length > UPLOAD_MAX_DEPTH + 1) throw fail(`is more than ${UPLOAD_MAX_DEPTH} folders deep`);
  return segments;
}

/** The folder of an upload; the id must be one this module made (a UUID), never a path. */
export function uploadDir(dataDir: string, uploadId: string): string {
  if (!UUID.test(uploadId)) throw invalidField('uploadId', `'${uploadId.slice(0, 80)}' is not an upload id`);
  return path.join(dataDir, UPLOADS_DIR, uploadId);
}

/** An upload's folder that exists, or not_found. */
export async function existingUploadDir(dataDir: string, uploadId: string): Promise<string> {
  const dir = uploadDir(dataDir, uploadId);
  const found = await stat(dir).catch(() => null);
  if (!found?.isDirectory()) throw notFound(`Upload ${uploadId}`);
  return dir;
}

/** Starts an upload: a new, empty folder. Uploads left over a day unimported are removed first. */
export async function beginUpload(dataDir: string, now = Date.now()): Promise<string> {
  const root = path.join(dataDir, UPLOADS_DIR);
  await mkdir(root, { recursive: true });
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !UUID.test(entry.name)) continue;
    const info = await stat(path.join(root, entry.name)).catch(() => null);
    if (info && now - info.mtimeMs > STALE_UPLOAD_MS) await rm(path.join(root, entry.name), { recursive: true, force: true });
  }
  const id = randomUUID();
  await mkdir(path.join(root, id));
  return id;
}

/** Counts bytes as they pass and fails the stream past the limit (a body may lie about its length). */
function byteLimit(limit: number, name: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(new UploadTooLarge(name, limit));
      else done(null, chunk);
    },
  });
}

export class UploadTooLarge extends Error {
  constructor(
    readonly file: string,
    readonly limit: number,
  ) {
    super(`${file}: over the upload limit of ${limit} bytes per file`);
    this.name = 'UploadTooLarge';
  }
}

/**
 * Streams one file of an upload to `<upload>/<safe path>`: into a `.part` file first (fsynced on
 * close), renamed into place only once whole; a failed or cut-off body leaves nothing behind.
 * A path already uploaded is a conflict. Resolves with the stored relative path and its size.
 */
export async function storeUploadFile(
  dataDir: string,
  uploadId: string,
  relative: string,
  body: Readable,
  maxBytes = UPLOAD_MAX_FILE_BYTES,
): Promise<{ path: string; bytes: number }> {
  const dir = await existingUploadDir(dataDir, uploadId);
  const segments = safeRelativePath(relative);
  const target = path.join(dir, ...segments);
  const stored = segments.join('/');
  await mkdir(path.dirname(target), { recursive: true });
  if (await stat(target).catch(() => null)) throw conflict(`${stored}: already uploaded`);
  const part = `${target}${PART}`;
  // 'wx': two requests for the same path never write one file.
  const out = createWriteStream(part, { flags: 'wx', flush: true });
  try {
    await pipeline(body, byteLimit(maxBytes, stored), out);
  } catch (error) {
    await unlink(part).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`${stored}: being uploaded by another request`);
    throw error;
  }
  await rename(part, target);
  return { path: stored, bytes: (await stat(target)).size };
}

/** Removes an upload's folder (after its import: the images now live in the project). */
export async function removeUpload(dataDir: string, uploadId: string): Promise<void> {
  await rm(uploadDir(dataDir, uploadId), { recursive: true, force: true });
}
