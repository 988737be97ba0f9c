import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Project } from '../domain/project.js';

/** The renderer's Content-Security-Policy, sent with every page in both Electron and server mode. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface Asset {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

const notFound = (what: string): Asset => ({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${what} not found` });

/** Resolves `relative` under `root`, or null if it would escape it. */
export function insideRoot(root: string, relative: string): string | null {
  const full = path.resolve(root, '.' + path.posix.normalize('/' + relative));
  const rel = path.relative(root, full);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return full;
}

/**
 * Serves a GET of the renderer's origin: `media/thumb/ID`, `media/image/ID` from the
 * project (never outside its folder, symlinks resolved), anything else from the built renderer, with the
 * SPA falling back to index.html. Shared by the HTTP server and Electron's protocol.
 */
export async function serveAsset(project: Project, rendererDir: string, pathname: string): Promise<Asset> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'bad path' };
  }
  if (decoded.includes('\0')) return { status: 400, headers: { 'content-type': 'text/plain' }, body: 'bad path' };
  const media = /^\/media\/(thumb|image)\/(\d{1,12})$/.exec(decoded);
  if (media) {
    const id = Number(media[2]);
    const cache = { 'cache-control': 'private, max-age=31536000, immutable' };
    if (media[1] === 'thumb') {
      // A small image is its own thumbnail: no row, the stored file is served below.
      const thumb = project.store.images.thumbnail(id);
      if (thumb) return { status: 200, headers: { 'content-type': thumb.mime, ...cache }, body: thumb.data };
    }
    const row = project.store.images.get(id);
    if (!row) return notFound(`image ${id}`);
    const file = await project.servableStored(row.stored_path);
    if (!file) return notFound(`stored file of image ${id}`);
    try {
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      return { status: 200, headers: { 'content-type': type, ...cache }, body: await readFile(file) };
    } catch {
      return notFound(`stored file of image ${id}`);
    }
  }
  if (decoded.startsWith('/media/')) return notFound(pathname);
  const file = insideRoot(rendererDir, decoded === '/' ? '/index.html' : decoded);
  if (!file) return notFound(pathname);
  const html = { 'content-type': CONTENT_TYPES['.html']!, 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-cache' };
  try {
    const body = await readFile(file);
    const ext = path.extname(file).toLowerCase();
    const headers: Record<string, string> = ext === '.html' ? html : { 'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream' };
    return { status: 200, headers, body };
  } catch {
    if (path.extname(decoded) !== '') return notFound(pathname);
    try {
      return { status: 200, headers: html, body: await readFile(path.join(rendererDir, 'index.html')) };
    } catch {
      return notFound('the built renderer (run `npm run build`)');
    }
  }
}
