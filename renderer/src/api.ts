/**
 * The only module that talks to the outside: Electron's preload bridge when present,
 * otherwise the server mode's HTTP API and WebSocket events. Both speak the shared contract.
 */
import type { PickKind, PolyheadBridge } from '../../shared/api/bridge.js';
import { uploadFileUrl } from '../../shared/uploads.js';
import {
  buildClient,
  splitMethod,
  type ApiErrorBody,
  type ApiResult,
  type EventMessage,
  type EventName,
  type PolyheadEvents,
} from '../../shared/api/contract.js';

declare global {
  interface Window {
    polyhead?: PolyheadBridge;
  }
}

export class ApiCallError extends Error {
  readonly code: ApiErrorBody['code'];
  readonly issues: ApiErrorBody['issues'];
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiCallError';
    this.code = body.code;
    this.issues = body.issues;
  }
}

const bridge: PolyheadBridge | undefined = typeof window !== 'undefined' ? window.polyhead : undefined;
export const transport: 'electron' | 'http' = bridge ? 'electron' : 'http';

function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.data;
  throw new ApiCallError(result.error);
}

const NOT_SIGNED_IN = 'Not signed in to this Polyhead server: open the link `polyhead serve` printed (…/?token=…), or the one an admin gave you.';

/**
 * Server mode: the sign-in token travels in an HttpOnly, SameSite=Strict cookie the server set
 * when the `?token=` link was opened; the page's script never sees it. Fetches and the event
 * WebSocket carry it to this origin only.
 */
async function httpCall(method: string, payload: unknown): Promise<ApiResult<unknown>> {
  let response: Response;
  try {
    response = await fetch(`api/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload ?? {}),
    });
  } catch (error) {
    return { ok: false, error: { code: 'unreachable', message: `The Polyhead server cannot be reached (${(error as Error).message})` } };
  }
  try {
    return (await response.json()) as ApiResult<unknown>;
  } catch {
    if (response.status === 401) return { ok: false, error: { code: 'unauthorized', message: NOT_SIGNED_IN } };
    // A 5xx without the API's JSON comes from in between (a proxy while the server restarts), not from Polyhead.
    const code = response.status >= 500 ? 'unreachable' : 'internal';
    return { ok: false, error: { code, message: `The server answered ${response.status} without a JSON body` } };
  }
}

export const api = buildClient(async (method, payload) => {
  if (bridge) {
    const [service, fn] = splitMethod(method)!;
    return unwrap(await bridge.call[service][fn]!(payload));
  }
  return unwrap(await httpCall(method, payload));
});

type Listener = (message: EventMessage) => void;
const listeners = new Set<Listener>();
let socket: WebSocket | null = null;
let retry = 500;
let opened = false;
const reconnectListeners = new Set<() => void>();

/** Called whenever the event stream opens again after it was lost (the server is back); returns the unsubscribe function. */
export function onReconnect(handler: () => void): () => void {
  reconnectListeners.add(handler);
  return () => reconnectListeners.delete(handler);
}

/**
 * No answer from the server (down, restarting, a proxy's 5xx): worth sending again. An error the
 * server answered, 'internal' included (it failed on this call), is not: resent, it would fail
 * again and hold every later write behind it.
 */
export function isTransportFailure(error: Error): boolean {
  return !(error instanceof ApiCallError) || error.code === 'unreachable';
}

function connectSocket(): void {
  const url = new URL('api/events', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new WebSocket(url);
  socket.onopen = () => {
    retry = 500;
    if (opened) for (const handler of reconnectListeners) handler();
    opened = true;
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as EventMessage;
    for (const listener of listeners) listener(message);
  };
  socket.onclose = () => {
    socket = null;
    if (listeners.size > 0) setTimeout(connectSocket, (retry = Math.min(retry * 2, 10_000)));
  };
}

/** Subscribes to one kind of service event; returns the unsubscribe function. */
export function onEvent<E extends EventName>(event: E, handler: (payload: PolyheadEvents[E]) => void): () => void {
  const listener: Listener = (message) => {
    if (message.event === event) handler(message.payload as PolyheadEvents[E]);
  };
  if (bridge) return bridge.onEvent(listener);
  listeners.add(listener);
  if (!socket) connectSocket();
  return () => listeners.delete(listener);
}

/** The desktop's native picker (folders or files); undefined in a browser (upload, or type a path). */
export const pickPaths: ((kind: PickKind) => Promise<string[]>) | undefined = bridge ? (kind) => bridge.pickPaths(kind) : undefined;

/** The desktop's paths of files dropped on the window; undefined in a browser (the files are uploaded instead). */
export const pathsForFiles: ((files: readonly File[]) => string[]) | undefined = bridge ? (files) => bridge.pathsForFiles(files) : undefined;

/**
 * Sends one file of a browser upload (server mode) as the raw body of a PUT, reporting the
 * bytes sent as they go (fetch cannot report upload progress; XMLHttpRequest can). Rejects
 * with the server's message, which names the file.
 */
export function uploadFile(uploadId: string, relativePath: string, file: Blob, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', uploadFileUrl(uploadId, relativePath));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onerror = () => reject(new Error(`${relativePath}: the server cannot be reached`));
    xhr.onabort = () => reject(new Error(`${relativePath}: upload cancelled`));
    xhr.onload = () => {
      let body: ApiResult<unknown> | null;
      try {
        body = JSON.parse(xhr.responseText) as ApiResult<unknown>;
      } catch {
        body = null;
      }
      if (xhr.status === 200 && body?.ok) {
        onProgress(file.size);
        resolve();
      } else reject(new Error(body && !body.ok ? body.error.message : `${relativePath}: the server answered ${xhr.status}`));
    };
    xhr.send(file);
  });
}

export { mediaPath } from '../../shared/api/contract.js';
