import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { callServer, type Served } from '../cli-helpers.js';
import { tempDir } from '../helpers.js';
import { closeApp, openApp, type openPage } from './browser.js';

export interface AppOptions {
  /** Makes the project inside the file's temporary folder `dir`; resolves with its data folder. */
  project: (dir: string) => string | Promise<string>;
  /** The page's size and whether console warnings count as problems (`openPage`). */
  page?: Parameters<typeof openPage>[2];
  /** Lets the server read typed paths (the import bar, uploads) inside the temporary folder. */
  importRoot?: boolean;
  /** Variables the server starts with, on top of this process's environment (restored after). */
  env?: Record<string, string>;
  /** Fails the file when the server does not exit with 0 once stopped. */
  cleanExit?: boolean;
  /** The setup's timeout in ms, where making the project takes longer than the e2e hook timeout. */
  timeout?: number;
}

export interface AppFixture {
  /** The file's temporary folder (removed after its tests). */
  readonly dir: string;
  /** The served project's data folder. */
  readonly data: string;
  readonly server: Served;
  readonly browser: Browser;
  /** A page signed in as the owner, still blank: each test goes where it needs. */
  readonly page: Page;
  /** Console errors (and warnings, with `page.warnings`) and page errors of the page and of any page opened with it. */
  readonly problems: string[];
  /** Calls the server's API as its owner. */
  api<T>(method: string, payload?: unknown): Promise<T>;
}

/**
 * The e2e files' preamble: before a file's tests, a temporary folder with the project that
 * `options.project` makes in it, served by `polyhead serve`, and headless Chromium on a page
 * signed in as the owner; after them, the browser closed, the server stopped and the folder
 * removed. Read the fields inside hooks and tests (they are set by the time those run); a
 * file's own `beforeAll` hooks run after this one.
 */
export function useApp(options: AppOptions): AppFixture {
  const problems: string[] = [];
  let dir: string | undefined;
  let data: string | undefined;
  let cleanup: (() => void) | undefined;
  let app: Partial<{ server: Served; browser: Browser; page: Page }> = {};
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`useApp: ${name} is read before the app has opened (read it inside a hook or a test)`);
    return value;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    data = await options.project(dir);
    const serveArgs = options.importRoot ? ['--import-root', dir] : [];
    const before = Object.fromEntries(Object.keys(options.env ?? {}).map((k) => [k, process.env[k]]));
    Object.assign(process.env, options.env);
    try {
      app = await openApp(data, problems, options.page, serveArgs);
    } finally {
      for (const [k, v] of Object.entries(before)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }, options.timeout);

  afterAll(async () => {
    const code = await closeApp(app);
    if (options.cleanExit && app.server) expect(code).toBe(0);
    cleanup?.();
  });

  return {
    get dir() {
      return ready(dir, 'dir');
    },
    get data() {
      return ready(data, 'data');
    },
    get server() {
      return ready(app.server, 'server');
    },
    get browser() {
      return ready(app.browser, 'browser');
    },
    get page() {
      return ready(app.page, 'page');
    },
    problems,
    api: <T>(method: string, payload: unknown = {}) => callServer<T>(ready(app.server, 'server').url, method, payload),
  };
}
