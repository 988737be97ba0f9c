/**
 * The Train view with training forced onto WebGPU (POLYHEAD_BACKEND=webgpu, as the server's
 * environment): it names the adapter, and warns when it is a software one (here and in CI: Mesa's
 * llvmpipe through Dawn's OpenGL ES backend). Screenshot: test-results/train-webgpu.png.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: importSample, page: { warnings: true }, env: { POLYHEAD_BACKEND: 'webgpu' }, cleanExit: true });

describe('Train view on WebGPU', () => {
  it('names the WebGPU adapter training runs on, and warns that a software adapter is one', async () => {
    await app.page.goto(`${app.server.url}/#/train`);
    await app.page.waitForSelector('[data-testid=backend-name]', { timeout: 60_000 });
    expect(await app.page.textContent('[data-testid=backend-name]')).toBe('webgpu');
    const reason = await app.page.textContent('[data-testid=backend]');
    expect(reason).toMatch(/requested \(webgpu\): WebGPU on .*isFallbackAdapter (true|false), via Dawn/);
    const adapter = app.page.locator('[data-testid=backend-adapter]');
    expect(await adapter.textContent()).toMatch(/GPU adapter: \S+.*via Dawn/);
    if (/llvmpipe|swiftshader|lavapipe/i.test(reason ?? '')) {
      expect(await adapter.getAttribute('class')).toContain('warning');
      expect(await adapter.textContent()).toMatch(/a software adapter \(CPU emulation\)/);
    }
    await app.page.screenshot({ path: path.join(screenshotsDir, 'train-webgpu.png') });
  });

  it('ran without console errors, CSP violations or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
