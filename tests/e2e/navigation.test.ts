/**
 * Seeing and navigation, in Chromium, keyboard first: g chords and the sidebar, Q and the queue
 * picker, the crop viewer's zoom (a 30:1 text line, an 8x12 crop), the layout at 1024x700, and
 * on a long Targets page: merge and delete confirmed in a dialog inside the window, then undone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli-helpers.js';
import { sampleDir } from '../helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const app = useApp({ project: makeProject });
let lineId: number;
let tinyId: number;

interface Target {
  id: number;
  name: string;
  kind: string;
  hotkey: string | null;
  classes: { id: number; name: string; hotkey: string | null }[];
}
const targetNamed = async (name: string) => (await app.api<Target[]>('targets.list')).find((t) => t.name === name)!;
const shot = (name: string) => app.page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });

/** A 600x20 text line (30:1) and an 8x12 crop, made here, imported after the sample's crops. */
async function makeOddCrops(folder: string): Promise<void> {
  mkdirSync(folder);
  const stripes = Array.from({ length: 30 }, (_, i) => `<rect x="${i * 20}" y="0" width="6" height="20" fill="#${i % 2 ? 'c5cad3' : 'd9dde3'}"/>`).join('');
  const line = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="20"><rect width="600" height="20" fill="#e9ecef"/>${stripes}
    <text x="4" y="15" font-family="DejaVu Sans Mono, monospace" font-size="14" fill="#868e96">4711 0815 2718 3141 5926 5358 9793 2384 6264 3383 2795 0288 4197 1693</text></svg>`;
  await sharp(Buffer.from(line)).png().toFile(path.join(folder, 'zz-line-600x20.png'));
  // An 8x12 "7": dark strokes on light grey.
  const px = Buffer.alloc(8 * 12 * 3, 0xdd);
  const dark = (x: number, y: number) => px.fill(0x22, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
  for (let x = 1; x < 7; x++) dark(x, 2);
  for (let y = 3; y < 10; y++) dark(Math.max(2, 6 - Math.floor((y - 2) / 2)), y);
  await sharp(px, { raw: { width: 8, height: 12, channels: 3 } })
    .png()
    .toFile(path.join(folder, 'zz-tiny-8x12.png'));
}

/** A one-epoch font_style model and its predictions: suggestions to accept (CLI, seconds). */
function trainAndPredict(dir: string, data: string): void {
  const spec = path.join(dir, 'tiny.json');
  writeFileSync(
    spec,
    JSON.stringify({
      name: 'tiny',
      inputs: [{ name: 'x', height: 16, width: 32 }],
      trunk: { preset: 'mlp', hidden: [16] },
      heads: [{ name: 'font', target: { kind: 'target', target: 'font_style' } }],
      training: { epochs: 1, batchSize: 16, learningRate: 0.003, reportEvery: 2 },
    }),
  );
  for (const args of [
    ['train', '--data', data, '--spec', spec],
    ['predict', '--data', data, '--run', '1'],
  ]) {
    const run = cli(args);
    expect(run.status, run.stderr).toBe(0);
  }
}

/** The bundled sample (half of it labeled), then a text line and a tiny crop, and a model's predictions, in DIR/data. */
async function makeProject(dir: string): Promise<string> {
  const data = path.join(dir, 'data');
  const odd = path.join(dir, 'odd');
  await makeOddCrops(odd);
  for (const src of [sampleDir, odd]) {
    const imported = cli(['import', '--data', data, src]);
    expect(imported.status, imported.stderr).toBe(0);
  }
  trainAndPredict(dir, data);
  return data;
}

beforeAll(async () => {
  const list = await app.api<{ items: { id: number; originalName: string }[] }>('images.list', { offset: 280, limit: 100 });
  lineId = list.items.find((i) => i.originalName.includes('line'))!.id;
  tinyId = list.items.find((i) => i.originalName.includes('tiny'))!.id;
});

const activeNav = () => app.page.textContent('.sidebar .nav[aria-current="page"]');
const shownId = () => app.page.getAttribute('.stage img', 'data-image-id');
const boxOf = async (selector: string) => (await app.page.locator(selector).boundingBox())!;
const scale = async () => Number(await app.page.getAttribute('.crop-viewer', 'data-scale'));
const labelAt = (imageId: number) => app.page.goto(`${app.server.url}/#/label?queue=any&image=${imageId}`);

describe('seeing and navigation (Chromium, server mode)', () => {
  it('goes to every view with g chords, and the sidebar highlights the view on every route', async () => {
    await app.page.goto(`${app.server.url}/#/dataset`);
    await app.page.waitForSelector('.cell[data-image-id="1"]');
    expect(await activeNav()).toBe('Dataset');
    const chords: [string, RegExp, string][] = [
      ['t', /#\/targets$/, 'Targets'],
      ['l', /#\/label/, 'Label'],
      ['r', /#\/train$/, 'Train'],
      ['e', /#\/evaluate$/, 'Evaluate'],
      ['d', /#\/dataset$/, 'Dataset'],
    ];
    for (const [key, url, name] of chords) {
      await app.page.keyboard.press('g');
      await app.page.keyboard.press(key);
      await expect.poll(() => app.page.url()).toMatch(url);
      await expect.poll(activeNav).toBe(name);
    }
    // The label route with its query (queue and image) still highlights Label.
    await labelAt(3);
    await expect.poll(shownId).toBe('3');
    await expect.poll(() => app.page.url()).toContain('image=3');
    expect(await activeNav()).toBe('Label');
    // A chord typed into a text field is text: Targets' "new class" field keeps it.
    await app.page.goto(`${app.server.url}/#/targets`);
    await app.page.fill('.target-card[data-target="font_style"] input[placeholder="new class"]', '');
    await app.page.focus('.target-card[data-target="font_style"] input[placeholder="new class"]');
    await app.page.keyboard.type('gd');
    await app.page.waitForTimeout(200);
    expect(app.page.url()).toMatch(/#\/targets$/);
    expect(await app.page.inputValue('.target-card[data-target="font_style"] input[placeholder="new class"]')).toBe('gd');
  });

  it('? lists the labeler, viewer and navigation keys, anywhere', async () => {
    await app.page.goto(`${app.server.url}/#/dataset`);
    await app.page.waitForSelector('.cell[data-image-id="1"]');
    await app.page.keyboard.press('?');
    await app.page.waitForSelector('.keyboard-help');
    for (const section of ['labeler', 'viewer', 'navigation']) expect(await app.page.locator(`.keyboard-help [data-section="${section}"]`).count()).toBe(1);
    const text = (await app.page.textContent('.keyboard-help'))!;
    expect(text).toContain('g t');
    expect(text).toContain('zoom in');
    expect(text).toContain('Enter');
    await shot('keyboard-help');
    await app.page.keyboard.press('Escape');
    expect(await app.page.locator('.keyboard-help').count()).toBe(0);
  });

  it('Q opens the queue picker in the Label view', async () => {
    await labelAt(1);
    await expect.poll(shownId).toBe('1');
    const pickerFocused = () => app.page.evaluate(() => document.activeElement?.matches('.queue-picker select') ?? false);
    await app.page.keyboard.press('q');
    await expect.poll(pickerFocused).toBe(true);
    // The picker is open: ↓ then Enter picks the next queue ("All images" → "digits: not looked at"), and the keys go back to the labeler.
    await app.page.keyboard.press('ArrowDown');
    await app.page.keyboard.press('Enter');
    await expect.poll(() => app.page.url()).toMatch(/queue=t\d+(:|%3A)pending/);
    await expect.poll(pickerFocused).toBe(false);
    // Esc closes the picker, a second Esc leaves it.
    await app.page.keyboard.press('q');
    await expect.poll(pickerFocused).toBe(true);
    await app.page.keyboard.press('Escape');
    await app.page.keyboard.press('Escape');
    await expect.poll(pickerFocused).toBe(false);
  });

  it('zooms with the keys and the wheel; fit and 1:1; the image and the controls never overlap', async () => {
    const labelsBefore = (await app.api<{ labels: object }>('images.get', { id: 2 })).labels;
    for (const [w, h] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await app.page.setViewportSize({ width: w, height: h });
      await labelAt(2);
      await expect.poll(shownId).toBe('2');
      await app.page.keyboard.press('\\'); // fit
      await expect.poll(() => app.page.getAttribute('.crop-viewer', 'data-mode')).toBe('fit');
      const stage = await boxOf('.stage');
      const controls = await boxOf('.controls');
      expect(stage.x + stage.width, `${w}x${h}: the image's box ends before the controls`).toBeLessThanOrEqual(controls.x);
      const viewport = await boxOf('.crop-viewport');
      expect(viewport.x + viewport.width).toBeLessThanOrEqual(controls.x);
      const img = await boxOf('.stage img');
      expect(img.x + img.width).toBeLessThanOrEqual(controls.x);
      expect(img.y + img.height).toBeLessThanOrEqual(h);
      await shot(`labeler-${w}x${h}`);
    }
    const { width: natural } = await app.page.evaluate(() => {
      const img = document.querySelector<HTMLImageElement>('.stage img')!;
      return { width: img.naturalWidth };
    });
    await app.page.keyboard.press('|'); // 1:1
    await expect.poll(async () => (await boxOf('.stage img')).width).toBeCloseTo(natural, 0);
    await app.page.keyboard.press(']');
    await app.page.keyboard.press(']');
    await expect.poll(scale).toBe(2);
    expect((await boxOf('.stage img')).width).toBeCloseTo(2 * natural, 0);
    await app.page.keyboard.press('[');
    await expect.poll(scale).toBe(1.5);
    // The wheel zooms in at the pointer.
    const vp = await boxOf('.crop-viewport');
    await app.page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
    await app.page.mouse.wheel(0, -100);
    await expect.poll(scale).toBe(2);
    // Contrast and invert toggle from the keys.
    await app.page.keyboard.press(';');
    await app.page.keyboard.press("'");
    await expect.poll(() => app.page.getAttribute('.crop-viewer', 'data-invert')).toBe('true');
    expect(await app.page.getAttribute('.crop-viewer', 'data-contrast')).toBe('true');
    expect(await app.page.$eval('.crop-canvas', (el) => getComputedStyle(el).filter)).toContain('invert(1)');
    await app.page.keyboard.press(';');
    await app.page.keyboard.press("'");
    await app.page.keyboard.press('\\');
    // The viewer's keys are not the labeler's: no label was written.
    expect((await app.api<{ labels: object }>('images.get', { id: 2 })).labels).toEqual(labelsBefore);
  });

  it('shows a 30:1 text line at a readable height with horizontal scroll, and zooms it', async () => {
    await app.page.setViewportSize({ width: 1440, height: 900 });
    await labelAt(lineId);
    await expect.poll(shownId).toBe(String(lineId));
    await app.page.keyboard.press('\\');
    await expect.poll(async () => (await boxOf('.stage img')).height).toBeGreaterThanOrEqual(96);
    const overflow = await app.page.$eval('.crop-viewport', (el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeGreaterThan(0);
    // The whole line, small, outlines the part in view.
    await app.page.waitForSelector('[data-testid=crop-overview] .crop-overview-image');
    const overview = await boxOf('[data-testid=crop-overview]');
    expect(overview.width / overview.height).toBeCloseTo(30, 0);
    await shot('text-line-fit');
    await app.page.keyboard.press(']');
    await app.page.keyboard.press(']');
    await expect.poll(async () => (await boxOf('.stage img')).height).toBeGreaterThanOrEqual(140);
    // Scroll along the line: Shift+] moves right, Shift+[ back.
    await app.page.keyboard.press('}');
    await expect.poll(() => app.page.$eval('.crop-viewport', (el) => el.scrollLeft)).toBeGreaterThan(0);
    await shot('text-line-zoomed');
    await app.page.keyboard.press('{');
    await app.page.keyboard.press('{');
    await expect.poll(() => app.page.$eval('.crop-viewport', (el) => el.scrollLeft)).toBe(0);
    await app.page.keyboard.press('\\');
  });

  it('scales a tiny 8x12 crop up, and shows it at 8x with crisp pixels', async () => {
    await labelAt(tinyId);
    await expect.poll(shownId).toBe(String(tinyId));
    await app.page.keyboard.press('\\');
    await expect.poll(async () => (await boxOf('.stage img')).height).toBeGreaterThanOrEqual(96);
    await app.page.keyboard.press('|');
    for (let i = 0; i < 6; i++) await app.page.keyboard.press(']'); // 1 → 1.5 → 2 → 3 → 4 → 6 → 8
    await expect.poll(scale).toBe(8);
    const img = await boxOf('.stage img');
    expect([img.width, img.height]).toEqual([64, 96]);
    expect(await app.page.$eval('.stage img', (el) => getComputedStyle(el).imageRendering)).toBe('pixelated');
    expect(await app.page.textContent('[data-testid=zoom-level]')).toBe('800%');
    await shot('tiny-crop-8x');
    await app.page.keyboard.press('\\');
  });
});

describe('the grid tells accepted suggestions from typed labels', () => {
  it('marks a label accepted from a model suggestion, with a tooltip; a typed one has no mark', async () => {
    await app.page.setViewportSize({ width: 1280, height: 800 });
    const font = await targetNamed('font_style');
    const predicted = await app.api<{ ids: number[] }>('images.ids', {
      filter: { status: 'any', order: 'id', target: { targetId: font.id, source: 'model' } },
    });
    const id = predicted.ids[0]!;
    await app.api('annotations.accept', { imageId: id, targetId: font.id });
    const typed = await app.api<{ ids: number[] }>('images.ids', {
      filter: { status: 'any', order: 'id', target: { targetId: font.id, source: 'human', state: 'value' } },
    });
    const typedId = typed.ids.find((x) => x !== id && Math.abs(x - id) < 12)!;
    await app.page.goto(`${app.server.url}/#/dataset`);
    await app.page.waitForSelector(`.cell[data-image-id="${id}"]`);
    const mark = `.cell[data-image-id="${id}"] [data-testid=accepted-mark]`;
    await app.page.waitForSelector(mark);
    expect(await app.page.getAttribute(mark, 'title')).toMatch(/font_style: accepted from (run \d+|a model suggestion), not typed/);
    expect(await app.page.locator(`.cell[data-image-id="${typedId}"] [data-testid=accepted-mark]`).count()).toBe(0);
    await app.page.hover(mark);
    await app.page.locator(`.cell[data-image-id="${id}"]`).screenshot({ path: path.join(screenshotsDir, 'grid-accepted-cell.png') });
    await shot('grid-accepted');
  });
});

describe('nothing irreversible by accident (Targets, 1024x700)', () => {
  let target: Target;
  const labeledIds = [1, 2, 3, 4, 5, 6];
  const valuesOf = async (ids: number[]) => {
    const out: (string | null | undefined)[] = [];
    for (const id of ids) {
      const d = await app.api<{ labels: Record<number, { state: string; value: string | null }> }>('images.get', { id });
      const l = d.labels[target.id];
      out.push(l ? (l.state === 'unknown' ? '?' : l.value) : undefined);
    }
    return out;
  };

  beforeAll(async () => {
    await app.page.setViewportSize({ width: 1024, height: 700 });
    // A target with many classes: its last classes sit at the bottom of a long page.
    const classes = Array.from({ length: 40 }, (_, i) => `kind${String(i + 1).padStart(2, '0')}`);
    await app.api('targets.createCategorical', { name: 'background', classes });
    target = await targetNamed('background');
    for (const [i, id] of labeledIds.entries()) {
      await app.api('annotations.set', { imageId: id, targetId: target.id, label: { kind: 'value', value: i < 3 ? 'kind40' : 'kind39' } });
    }
  });

  const dialogInViewport = async () => {
    const box = await boxOf('[role=alertdialog]');
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(1024);
    expect(box.y + box.height).toBeLessThanOrEqual(700);
  };

  it('merges a class at the bottom of the page after a dialog inside the window, and Ctrl+Z undoes it', async () => {
    await app.page.goto(`${app.server.url}/#/targets`);
    const row = '.target-card[data-target="background"] tr[data-class="kind40"]';
    await app.page.waitForSelector(row);
    // Keyboard: the merge target in the row's select, Tab to "Merge…", Enter.
    await app.page.focus(`${row} select`);
    await app.page.keyboard.press('ArrowDown'); // "merge into…" → kind01
    await expect.poll(() => app.page.$eval(`${row} select`, (el: HTMLSelectElement) => el.selectedOptions[0]?.textContent)).toBe('kind01');
    await app.page.keyboard.press('Tab');
    await app.page.keyboard.press('Enter');
    await app.page.waitForSelector('[role=alertdialog]');
    await dialogInViewport();
    const text = (await app.page.textContent('[role=alertdialog]'))!;
    expect(text).toContain('3 labels');
    expect(text).toContain('kind01');
    await shot('merge-dialog');
    // Focus starts on Cancel; Esc cancels and nothing changes.
    await app.page.keyboard.press('Escape');
    expect(await app.page.locator('[role=alertdialog]').count()).toBe(0);
    expect(await valuesOf(labeledIds)).toEqual(['kind40', 'kind40', 'kind40', 'kind39', 'kind39', 'kind39']);
    // Again, and confirm: Tab from Cancel to Merge, Enter.
    await app.page.focus(`${row} select`);
    await app.page.keyboard.press('Tab');
    await app.page.keyboard.press('Enter');
    await app.page.waitForSelector('[role=alertdialog]');
    await app.page.keyboard.press('Tab');
    expect(await app.page.evaluate(() => document.activeElement?.getAttribute('data-choice'))).toBe('merge');
    await app.page.keyboard.press('Enter');
    await expect.poll(() => app.page.locator(row).count()).toBe(0);
    expect(await valuesOf(labeledIds)).toEqual(['kind01', 'kind01', 'kind01', 'kind39', 'kind39', 'kind39']);
    await expect.poll(() => app.page.textContent('[data-testid=targets-toast]')).toContain('3 labels moved');
    // Ctrl+Z: the class and its labels are back.
    await app.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await app.page.keyboard.press('Control+z');
    await expect.poll(() => app.page.locator(row).count()).toBe(1);
    expect(await valuesOf(labeledIds)).toEqual(['kind40', 'kind40', 'kind40', 'kind39', 'kind39', 'kind39']);
    await expect.poll(() => app.page.textContent('[data-testid=targets-toast]')).toMatch(/^Undid/);
  });

  for (const as of ['unknown', 'pending'] as const) {
    it(`deletes a class in use (its labels ${as}) after a dialog, and Undo brings it back`, async () => {
      await app.page.goto(`${app.server.url}/#/targets`);
      const row = '.target-card[data-target="background"] tr[data-class="kind39"]';
      await app.page.waitForSelector(row);
      await app.page.focus(`${row} button.danger`);
      await app.page.keyboard.press('Enter');
      await app.page.waitForSelector('[role=alertdialog]');
      await dialogInViewport();
      expect(await app.page.textContent('[role=alertdialog]')).toContain('3 image(s)');
      if (as === 'unknown') await shot('delete-dialog');
      // Cancel (focused) → Mark unknown → Mark not looked at.
      await app.page.keyboard.press('Tab');
      if (as === 'pending') await app.page.keyboard.press('Tab');
      expect(await app.page.evaluate(() => document.activeElement?.getAttribute('data-choice'))).toBe(as);
      await app.page.keyboard.press('Enter');
      await expect.poll(() => app.page.locator(row).count()).toBe(0);
      expect(await valuesOf(labeledIds.slice(3))).toEqual(as === 'unknown' ? ['?', '?', '?'] : [undefined, undefined, undefined]);
      await app.page.click('[data-testid=targets-toast] button:has-text("Undo")');
      await expect.poll(() => app.page.locator(row).count()).toBe(1);
      expect(await valuesOf(labeledIds.slice(3))).toEqual(['kind39', 'kind39', 'kind39']);
    });
  }

  it('sets class and target keys in place; a refused key says why', async () => {
    await app.page.goto(`${app.server.url}/#/targets`);
    const keyOf = async (name: string, cls: string) => (await targetNamed(name)).classes.find((c) => c.name === cls)!.hotkey;
    const field = 'input[aria-label="Key of font_style = serif"]';
    await app.page.waitForSelector(field);
    const before = app.problems.length;
    await app.page.focus(field);
    await app.page.keyboard.press('q'); // reserved: q opens the queue picker
    await expect.poll(() => app.page.textContent('.target-card[data-target="font_style"] .hotkey-field.invalid [role=alert]')).toMatch(/\S/);
    const reserved = await app.page.textContent('.target-card[data-target="font_style"] .hotkey-field.invalid [role=alert]');
    await app.page.keyboard.press('2'); // sans has it
    await expect.poll(() => app.page.textContent('.target-card[data-target="font_style"] .hotkey-field.invalid [role=alert]')).not.toBe(reserved);
    await shot('targets-hotkey-refused');
    expect(await keyOf('font_style', 'serif')).toBe('1');
    await app.page.keyboard.press('z');
    await expect.poll(() => keyOf('font_style', 'serif')).toBe('z');
    await expect.poll(() => app.page.inputValue(field)).toBe('z');
    expect(await app.page.locator('.target-card[data-target="font_style"] .hotkey-field.invalid').count()).toBe(0);
    await app.page.keyboard.press('1');
    await expect.poll(() => keyOf('font_style', 'serif')).toBe('1');
    // The two refusals were answered 4xx: the browser logs them; nothing else went wrong.
    expect(app.problems.slice(before).every((p) => /status of 4\d\d/.test(p))).toBe(true);
    app.problems.splice(before);
    const jump = 'input[aria-label="Jump key of background"]';
    await app.page.focus(jump);
    await app.page.keyboard.press('b');
    await expect.poll(async () => (await targetNamed('background')).hotkey).toBe('b');
    await expect.poll(() => app.page.inputValue(jump)).toBe('b');
    await app.page.keyboard.press('Backspace');
    await expect.poll(async () => (await targetNamed('background')).hotkey).toBeNull();
  });

  it('keeps the active target in view on a targets column longer than the 1024x700 window, on Tab and on Enter', async () => {
    await app.page.setViewportSize({ width: 1024, height: 700 });
    // Two more targets with many classes, so the column is several windows long.
    for (const name of ['material', 'colour']) {
      await app.api('targets.createCategorical', { name, classes: Array.from({ length: 30 }, (_, i) => `${name}${i + 1}`) });
    }
    await labelAt(12);
    await expect.poll(shownId).toBe('12');
    const names = await app.page.$$eval('.target-control', (els) => els.map((el) => el.getAttribute('data-target')));
    expect(names.slice(-2)).toEqual(['material', 'colour']);
    const activeInView = async () => {
      const box = await boxOf('.target-control.active');
      return box.y >= 0 && box.y + Math.min(box.height, 700) <= 700;
    };
    const active = () => app.page.getAttribute('.target-control.active', 'data-target');
    for (const name of names.slice(1)) {
      await app.page.keyboard.press('Tab');
      await expect.poll(active).toBe(name);
      await expect.poll(activeInView, { message: `${name} scrolled into view` }).toBe(true);
    }
    // Enter moves on without a label (nothing typed): the first target is active and back in view.
    await app.page.keyboard.press('Enter');
    await expect.poll(shownId).not.toBe('12');
    await expect.poll(active).toBe(names[0]);
    await expect.poll(activeInView, { message: `${names[0]} scrolled back into view` }).toBe(true);
    await shot('labeler-long-targets-1024x700');
  });

  it('ran without console or page errors', () => {
    expect(app.problems).toEqual([]);
  });
});
