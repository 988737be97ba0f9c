import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
