import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { httpStatusOf, type ApiResult } from '../../shared/api/contract.js';
import type { Dispatch } from '../services/index.js';
import type { EventBus } from '../domain/event-bus.js';
import type { Project } from '../domain/project.js';
import { serveAsset } from './assets.js';
import { createUploadRoute, UPLOAD_ROUTE } from './upload-route.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  project: Project;
  dispatch: Dispatch;
  events: EventBus;
  rendererDir: string;
  host?: string;
  port?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: 'invalid_request' | 'unknown_method', message: string): void {
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

/**
 * Server mode: the built renderer, the API (POST /api/<service>.<method>, JSON in and out)
 * and events (WebSocket /api/events), bound to loopback unless told otherwise. Requests
 * from other origins, and Host headers other than the bound one (DNS rebinding), are refused.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const { dispatch, events, project, rendererDir } = options;
  let origin = '';
  const handleUpload = createUploadRoute(project.dataDir);

  const hostAllowed = (req: IncomingMessage): boolean => {
    const header = req.headers.host ?? '';
    const name = header.replace(/:\d+$/, '');
    if (LOOPBACK.has(host)) return LOOPBACK.has(name);
    return true;
  };
  const originAllowed = (req: IncomingMessage): boolean => {
    const from = req.headers.origin;
    if (from === undefined) return true;
    const port = new URL(origin).port;
    try {
      const url = new URL(from);
      return url.port === port && (url.hostname === new URL(origin).hostname || (LOOPBACK.has(url.hostname) && LOOPBACK.has(host)));
    } catch {
      return false;
    }
  };

  const server = createServer(async (req, res) => {
    try {
      if (!hostAllowed(req)) return fail(res, 421, 'invalid_request', `Host '${req.headers.host}' is not served here`);
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname.startsWith('/api/')) {
        if (!originAllowed(req)) return fail(res, 403, 'invalid_request', `Origin '${req.headers.origin}' may not call this API`);
        if (url.pathname.startsWith(UPLOAD_ROUTE)) return await handleUpload(req, res, url);
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
        const result = await dispatch(method, payload);
        return sendJson(res, result.ok ? 200 : httpStatusOf[result.error.code], result);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' });
        return res.end();
      }
      const asset = await serveAsset(project, rendererDir, url.pathname);
      res.writeHead(asset.status, { ...asset.headers, 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    } catch (error) {
      console.error(error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'internal server error' } });
      else res.destroy();
    }
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (path !== '/api/events' || !hostAllowed(req) || !originAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  const unsubscribe = events.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const client of sockets.clients) if (client.readyState === 1) client.send(text);
  });
  sockets.on('connection', (ws: WebSocket) => {
    ws.on('message', () => ws.send(JSON.stringify({ error: 'this socket only sends events; call the API over HTTP' })));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: origin,
    port,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
