/**
 * Imported labels say so in the browser: the bundled sample's labels came with its import (its
 * labels file), so the labeler shows them 'imported', not 'typed', the grid filters them by that
 * source, and a label typed over one is 'typed'.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageList } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';
import { importSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: importSample, page: { warnings: true }, cleanExit: true });
const provenance = (target: string) => app.page.textContent(`.target-control[data-target="${target}"] [data-testid=provenance]`);

describe('imported labels in the browser', () => {
  it('the labeler shows a label from the labels file as imported, its length as following the digits, and one typed over it as typed', async () => {
    await app.page.setViewportSize({ width: 1024, height: 700 });
    await app.page.goto(`${app.server.url}/#/label?image=1`);
    await app.page.waitForSelector('.target-control[data-target="font_style"] [data-testid=provenance]');
    expect(await provenance('digits')).toBe('imported');
    expect(await provenance('length')).toBe('follows the sequence');
    expect(await provenance('font_style')).toBe('imported');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'provenance-imported-1024.png') });
    // Someone types another font style over it: the page hears it, and it is typed now.
    const font = (await app.api<TargetDef[]>('targets.list')).find((t) => t.name === 'font_style')!;
    await app.api('annotations.set', { imageId: 1, targetId: font.id, label: { kind: 'value', value: 'mono' } });
    await expect.poll(() => provenance('font_style')).toBe('typed');
    expect(await provenance('digits')).toBe('imported');
  });

  it("the grid's source filter finds the imported labels of a target", async () => {
    const font = (await app.api<TargetDef[]>('targets.list')).find((t) => t.name === 'font_style')!;
    const imported = await app.api<ImageList>('images.list', { limit: 1, filter: { target: { targetId: font.id, source: 'imported' } } });
    const human = await app.api<ImageList>('images.list', { limit: 1, filter: { target: { targetId: font.id, state: 'answered' } } });
    // One font style was typed over above: it is among the human labels, not the imported ones.
    expect(imported.total).toBe(human.total - 1);
    await app.page.goto(`${app.server.url}/#/dataset?target=${font.id}&source=imported`);
    await expect.poll(() => app.page.textContent('[data-testid=image-count]')).toBe(`${imported.total} images`);
    expect(await app.page.inputValue('select[name=source]')).toBe('imported');
    expect(await app.page.getAttribute('.cell[data-image-id] .badge', 'title')).toMatch(/^font_style: \w+, imported$/);
  });

  it('ran without console or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
