import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, stop, tokenFor } from '../cli-helpers.js';
import { repoRoot } from '../helpers.js';

export const CHROMIUM = process.env.POLYHEAD_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = path.join(repoRoot, 'test-results');

/** Debian's Chromium, headless, with the flags this network needs. Fails loudly when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is needed for the e2e tests and was not found at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  mkdirSync(screenshotsDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A page whose console errors (and warnings, with `warnings`) and uncaught script errors are
 * collected into `problems` — CSP violations and failed requests surface there too.
 */
export async function openPage(browser: Browser, problems: string[], options: { height?: number; warnings?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: options.height ?? 800 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || (options.warnings && m.type() === 'warning')) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

/**
 * Signs a page's browser context in to a server started by `serve` through the link it prints
 * (`/?token=…`): the server answers with its sign-in cookie, kept by the context, and a
 * redirect that drops the token from the address. The page itself stays blank, as a new one is.
 */
export async function signIn(page: Page, url: string, token = tokenFor(url)): Promise<void> {
  if (!token) return;
  const response = await page.context().request.get(`${url}/?token=${token}`, { maxRedirects: 0 });
  const cookies = await page.context().cookies(url);
  if (response.status() !== 303 || response.headers()['location'] !== './' || !cookies.some((c) => c.httpOnly && c.sameSite === 'Strict')) {
    throw new Error(`signing in to ${url} failed: ${response.status()} ${JSON.stringify(response.headers())}`);
  }
}

export interface App {
  server: Awaited<ReturnType<typeof serve>>;
  browser: Browser;
  page: Page;
}

/**
 * Serves the project in `data` (`polyhead serve`, with `serveArgs`) and opens Chromium on a page
 * that collects `problems`, signed in with the owner's token.
 */
export async function openApp(data: string, problems: string[], options?: Parameters<typeof openPage>[2], serveArgs: string[] = []): Promise<App> {
  const server = await serve(['--data', data, ...serveArgs]);
  const browser = await launchChromium();
  const page = await openPage(browser, problems, options);
  await signIn(page, server.url);
  return { server, browser, page };
}

/** Closes the browser, then stops the server; resolves with the server's exit code (null when it never started). */
export async function closeApp(app: Partial<App>): Promise<number | null> {
  await app.browser?.close();
  return app.server ? stop(app.server.child) : null;
}
