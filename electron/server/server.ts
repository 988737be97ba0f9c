import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { httpStatusOf, roleMay, type ApiErrorBody, type ApiResult, type EventMessage } from '../../shared/api/contract.js';
import { localCaller, shownEvent, watchOtherWriters, type Caller, type Dispatch } from '../services/index.js';
import type { EventBus } from '../domain/event-bus.js';
import type { Project } from '../domain/project.js';
import { ServerLock } from '../domain/server-lock.js';
import { userForToken } from '../domain/users.js';
import { allowedHostNames, cookieName, hostName, LOOPBACK, originAllowed, signInCookie, signInPage, tokenOf } from './access.js';
import { CONTENT_SECURITY_POLICY, serveAsset } from './assets.js';
import { createUploadRoute, UPLOAD_ROUTE } from './upload-route.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  project: Project;
  dispatch: Dispatch;
  events: EventBus;
  rendererDir: string;
  host?: string;
  port?: number;
  /**
   * No sign-in: every request acts as the local user (an admin). Loopback binds only
   * (`serve --no-auth`); by default every request and WebSocket needs a user's token.
   */
  noAuth?: boolean;
  /** The only folders server-side imports may read (symlinks resolved); none by default. */
  importRoots?: readonly string[];
  /** Serve without writing anything (a second server on a project another one serves). */
  readOnly?: boolean;
  /** More host names browsers may use to reach the server (a reverse proxy's public name). */
  allowHosts?: readonly string[];
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: ApiErrorBody['code'], message: string): void {
  const result: ApiResult<never> = { ok: false, error: { code, message } };
  sendJson(res, status, result);
}

/** Reads a JSON body up to MAX_BODY_BYTES; a larger one is drained (up to a hard cap) so the client gets the 413. */
async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * MAX_BODY_BYTES) {
      req.destroy();
      break;
    }
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks);
}

const NOT_SIGNED_IN = 'This Polyhead server needs a token: no valid one came with this request.';

/**
 * Server mode: the built renderer, the API (POST /api/<service>.<method>, JSON in and out)
 * and events (WebSocket /api/events). Every request and WebSocket needs a user's token (a
 * header, or the sign-in cookie set by opening the `?token=` link) unless started with
 * `noAuth` on loopback; each acts as that user, within their role. Host headers other than
 * the allowed names (DNS rebinding) and requests from other origins are refused. A writing
 * server holds the project's server lock: a second one on the same folder is refused.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const { dispatch, events, project, rendererDir } = options;
  if (options.noAuth && !LOOPBACK.has(host)) throw new Error(`Serving without sign-in (--no-auth) is for loopback only, not ${host}`);
  const readOnly = options.readOnly ?? false;
  const importRoots = [...(options.importRoots ?? [])];
  const allowed = allowedHostNames(host, options.allowHosts);
  const cookie = cookieName(project.id);
  const anonymous: Caller = { ...localCaller(), importRoots, readOnly };
  const lock = readOnly ? null : ServerLock.acquire(project.dataDir, project.store);
  let origin = '';
  const handleUpload = createUploadRoute(project.dataDir);

  /** The caller a token stands for, or null when it stands for nobody. */
  const callerFor = (token: string | null): Caller | null => {
    if (options.noAuth) return anonymous;
    const user = token ? userForToken(project.store, token) : undefined;
    return user ? { user: user.name, role: user.role, importRoots, readOnly } : null;
  };
  const hostAllowed = (req: IncomingMessage) => allowed.has(hostName(req.headers.host ?? ''));

  const server = createServer(async (req, res) => {
    try {
      if (!hostAllowed(req)) return fail(res, 421, 'invalid_request', `Host '${req.headers.host}' is not served here`);
      const url = new URL(req.url ?? '/', origin);
      const given = url.searchParams.get('token');
      if (given !== null && !url.pathname.startsWith('/api/') && (req.method === 'GET' || req.method === 'HEAD')) {
        // The link `polyhead serve` prints: keep the token in a cookie and take it out of the address bar.
        if (!callerFor(given)) return page(res, 401, signInPage('The token in this link is not (or no longer) valid.'));
        url.searchParams.delete('token');
        // Relative, so that it also holds behind a reverse proxy serving under a path prefix.
        const location = `./${url.pathname.split('/').pop() ?? ''}${url.search}`;
        res.writeHead(303, { location, 'set-cookie': signInCookie(req, cookie, given), 'cache-control': 'no-store' });
        return res.end();
      }
      const caller = callerFor(tokenOf(req, cookie));
      if (url.pathname.startsWith('/api/')) {
        if (!originAllowed(req, allowed)) return fail(res, 403, 'forbidden', `Origin '${req.headers.origin}' may not call this API`);
        if (!caller) return fail(res, 401, 'unauthorized', `${NOT_SIGNED_IN} Send it as 'Authorization: Bearer TOKEN', or open the server's ?token= link.`);
        if (url.pathname.startsWith(UPLOAD_ROUTE)) {
          // The bytes of a browser upload: as imports.beginUpload/startUpload, for those who may import.
          const refused = caller.readOnly
            ? 'this server is read-only (--read-only)'
            : roleMay(caller.role, 'import')
              ? null
              : `${caller.user} is a ${caller.role}; uploads need the trainer role`;
          if (refused) {
            req.resume();
            return fail(res, 403, 'forbidden', `Upload refused: ${refused}`);
          }
          return await handleUpload(req, res, url);
        }
        if (req.method !== 'POST') return fail(res, 405, 'invalid_request', 'API methods are called with POST and a JSON body');
        const method = url.pathname.slice('/api/'.length);
        const body = await readBody(req);
        if (body === 'too-large') return fail(res, 413, 'invalid_request', `Request body over ${MAX_BODY_BYTES} bytes`);
        let payload: unknown = {};
        if (body.length > 0) {
          try {
            payload = JSON.parse(body.toString('utf8'));
          } catch (error) {
            return fail(res, 400, 'invalid_request', `Request body is not valid JSON: ${(error as Error).message}`);
          }
        }
        const result = await dispatch(method, payload, caller);
        return sendJson(res, result.ok ? 200 : httpStatusOf[result.error.code], result);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' });
        return res.end();
      }
      if (!caller) return page(res, 401, signInPage(NOT_SIGNED_IN));
      const asset = await serveAsset(project, rendererDir, url.pathname);
      res.writeHead(asset.status, { ...asset.headers, 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    } catch (error) {
      console.error(error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'internal server error' } });
      else res.destroy();
    }
  });

  // Longer than a reverse proxy's or a client's idle connection keeps (theirs must close first, or a
  // request sent on a connection the server is closing fails).
  server.keepAliveTimeout = 65_000;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Map<WebSocket, { caller: Caller; token: string | null }>();
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path !== '/api/events' || !hostAllowed(req) || !originAllowed(req, allowed)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const token = tokenOf(req, cookie);
    const caller = callerFor(token);
    if (!caller) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\n\r\nThis Polyhead server needs a token.\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      clients.set(ws, { caller, token });
      ws.on('close', () => clients.delete(ws));
      sockets.emit('connection', ws, req);
    });
  });
  const unsubscribe = events.subscribe((message: EventMessage) => {
    // Each client gets the event as its caller may see it (server paths only for admins).
    const texts = new Map<string, string>();
    for (const [client, { caller }] of clients) {
      if (client.readyState !== 1) continue;
      const key = caller.role === 'admin' ? 'admin' : 'other';
      let text = texts.get(key);
      if (text === undefined) texts.set(key, (text = JSON.stringify(shownEvent(message, caller, project.dataDir))));
      client.send(text);
    }
  });
  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', () => ws.send(JSON.stringify({ error: 'this socket only sends events; call the API over HTTP' })));
  });
  // A user removed (or given a new token) meanwhile loses their open event stream too.
  const recheck = setInterval(() => {
    if (options.noAuth) return;
    for (const [client, { token }] of clients) if (!callerFor(token)) client.close(4401, 'token no longer valid');
  }, 5000);
  recheck.unref();
  const stopWatching = watchOtherWriters(project.store, events);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    lock?.release();
    clearInterval(recheck);
    stopWatching();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  lock?.serving(origin);
  return {
    url: origin,
    port,
    close: async () => {
      unsubscribe();
      clearInterval(recheck);
      stopWatching();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      lock?.release();
    },
  };
}

function page(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}
