/**
 * A test's stand-in for Electron's MessageChannelMain: the data side's port in Node, bridged to a
 * MessagePort in a Chromium page. The page receives its end exactly as the training preload
 * hands it over (a window message named PORT_MESSAGE); messages cross as JSON with typed arrays
 * in base64 (page.exposeBinding one way, page.evaluate the other). Only this transport differs
 * from the desktop app.
 */
import type { Browser, Page } from 'playwright-core';
import { PORT_MESSAGE } from '../../electron/engine/page-port.js';
import type { SidePort } from '../../electron/engine/sides/protocol.js';

const TYPED = { Uint8Array, Int32Array, Float32Array } as const;
type TypedName = keyof typeof TYPED;

export function encode(message: unknown): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    const name = value?.constructor?.name;
    if (ArrayBuffer.isView(value) && name && name in TYPED)
      return { __typed: name, b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
    return value;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    const typed = value as { __typed?: TypedName; b64?: string };
    if (!typed || typeof typed !== 'object' || !typed.__typed) return value;
    const bytes = Buffer.from(typed.b64!, 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return new TYPED[typed.__typed](copy.buffer);
  });
}

/** Runs in the page: the same codec, and the bridge's end of a fresh MessageChannel; the other end goes to the page script. */
function installBridge(portMessage: string): void {
  const w = window as unknown as Record<string, unknown> & { __toNode(text: string): void };
  const ctors: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = { Uint8Array, Int32Array, Float32Array };
  w.__decode = (text: string) =>
    JSON.parse(text, (_key, value: { __typed?: string; b64?: string }) => {
      if (!value || typeof value !== 'object' || !value.__typed) return value;
      const binary = atob(value.b64!);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return new ctors[value.__typed]!(bytes.buffer);
    });
  const pageEncode = (message: unknown) =>
    JSON.stringify(message, (_key, value: unknown) => {
      if (!ArrayBuffer.isView(value) || !(value.constructor.name in ctors)) return value;
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return { __typed: value.constructor.name, b64: btoa(binary) };
    });
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = (e) => w.__toNode(pageEncode(e.data));
  w.__bridge = port1;
  window.postMessage(portMessage, '*', [port2]);
}

export interface PagePort extends SidePort {
  page: Promise<Page>;
  /** Page errors and console errors. */
  problems: string[];
}

/** Opens `url` in a new page of `browser` and bridges a port to it; messages posted before the page is ready wait. */
export function pagePort(browser: Browser, url: string): PagePort {
  const listeners: ((message: unknown) => void)[] = [];
  const problems: string[] = [];
  const page = (async () => {
    const p = await browser.newPage();
    p.on('pageerror', (e) => problems.push(e.message));
    p.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await p.exposeBinding('__toNode', (_source, text: string) => {
      const message = decode(text);
      for (const l of listeners) l(message);
    });
    await p.goto(url);
    await p.evaluate(installBridge, PORT_MESSAGE);
    return p;
  })();
  let queue: Promise<unknown> = page;
  return {
    page,
    problems,
    post: (message) => {
      const text = encode(message);
      queue = queue
        .then(async () => {
          const p = await page;
          if (!p.isClosed())
            await p.evaluate(
              (t) =>
                (window as unknown as { __bridge: MessagePort; __decode(t: string): unknown }).__bridge.postMessage(
                  (window as unknown as { __decode(t: string): unknown }).__decode(t),
                ),
              text,
            );
        })
        .catch(async (error: unknown) => {
          // After the job the host closes the page: what was still on its way is dropped, as a closed port drops it.
          if (!(await page).isClosed()) problems.push(`posting to the page: ${(error as Error).message}`);
        });
    },
    listen: (listener) => void listeners.push(listener),
    close: () => {},
  };
}
