/**
 * Who may reach the server and as whom: the Host and Origin checks (DNS rebinding, other
 * sites), the token (a header, or the sign-in cookie a browser got from the `?token=` link),
 * and the answers when something is missing.
 */
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import { createHash } from 'node:crypto';

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** A Host header's name without its port, lower-cased, brackets kept off IPv6 literals. */
export function hostName(header: string): string {
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  return trimmed.replace(/:\d+$/, '');
}

/**
 * The host names a browser may use to reach the server (anything else is a DNS-rebinding
 * attempt, refused with 421): loopback names on a loopback bind; the bound address; on a
 * wildcard bind (0.0.0.0, ::) every address of this machine and its host name; and the names
 * given with --allow-host (a reverse proxy's public name).
 */
export function allowedHostNames(bind: string, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(extra.map((n) => hostName(n)));
  const bound = hostName(bind);
  if (LOOPBACK.has(bind) || LOOPBACK.has(bound) || WILDCARD.has(bind)) for (const n of LOOPBACK) names.add(hostName(n));
  if (!WILDCARD.has(bind)) names.add(bound);
  else {
    names.add(os.hostname().toLowerCase());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

/**
 * A request's Origin is acceptable when absent (not a browser page) or when it is the very
 * origin the request was sent to (scheme aside: a TLS proxy in front), under an allowed name.
 */
export function originAllowed(req: IncomingMessage, allowed: Set<string>): boolean {
  const from = req.headers.origin;
  if (from === undefined) return true;
  try {
    const origin = new URL(from);
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowed.has(hostName(origin.host))) return false;
    if (origin.host === host) return true;
    // Two loopback spellings of the same port (localhost vs 127.0.0.1) are the same machine.
    const port = (h: string) => /:(\d+)$/.exec(h)?.[1] ?? '';
    return LOOPBACK.has(hostName(origin.host)) && LOOPBACK.has(hostName(host)) && port(origin.host) === port(host);
  } catch {
    return false;
  }
}

/** The sign-in cookie's name: per project, so two served projects on one host keep their own. */
export function cookieName(projectId: string): string {
  return `polyhead_${createHash('sha256').update(projectId).digest('hex').slice(0, 12)}`;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return jar;
}

/** The token a request carries: `Authorization: Bearer …`, `X-Polyhead-Token`, or the sign-in cookie. */
export function tokenOf(req: IncomingMessage, cookie: string): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const header = req.headers['x-polyhead-token'];
  if (typeof header === 'string' && header !== '') return header.trim();
  return cookies(req).get(cookie) ?? null;
}

/** The Set-Cookie header that keeps a browser signed in: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export function signInCookie(req: IncomingMessage, cookie: string, token: string): string {
  const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
  return `${cookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${30 * 24 * 3600}${secure}`;
}

/** The page a browser gets without a valid token (no script, no style: the CSP allows neither inline). */
export function signInPage(why: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Polyhead: sign in</title></head>
<body>
<h1>Polyhead</h1>
<p>${why}</p>
<p>Open the link <code>polyhead serve</code> printed (it ends in <code>/?token=…</code>), or the one an admin made for you
with <code>polyhead users add NAME</code>. This browser then stays signed in to this project.</p>
</body></html>
`;
}
