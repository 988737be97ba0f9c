/**
 * A text target end to end in Chromium: created in the Targets view, labeled in the labeler's
 * text field with the three states (value, unknown, not looked at), keyboard first; then a
 * target renamed and one removed from the Targets view, the removal confirmed with its counts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUnlabeledSample } from '../cli-helpers.js';
import { screenshotsDir } from './browser.js';
import { useApp } from './use-app.js';

const IMAGES = 6;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz -';
const app = useApp({ project: (dir) => importUnlabeledSample(dir, IMAGES), importRoot: true });

const position = () => app.page.textContent('[data-testid=queue-position]');
const imageShown = () => app.page.getAttribute('.stage img', 'data-image-id');
const stateOf = (target: string) => app.page.getAttribute(`.target-control[data-target="${target}"]`, 'data-state');
const focusedField = () => app.page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);
const saved = () => expect.poll(() => app.page.getAttribute('.save-state', 'data-save-state')).toBe('saved');

/** The human labels of an image by target name ('?' for unknown); targets not looked at are absent. */
async function labelsOf(imageId: number): Promise<Record<string, string>> {
  const targets = await app.api<{ id: number; name: string }[]>('targets.list');
  const detail = await app.api<{ labels: Record<string, { state: string; value: string | null }> }>('images.get', { id: imageId });
  const out: Record<string, string> = {};
  for (const [id, l] of Object.entries(detail.labels)) out[targets.find((t) => t.id === Number(id))!.name] = l.state === 'unknown' ? '?' : l.value!;
  return out;
}

describe('a text target in Chromium (server mode)', () => {
  it('is created in the Targets view with its alphabet and length target', async () => {
    await app.page.goto(`${app.server.url}/#/targets`);
    await app.page.fill('[aria-label="Sequence target name"]', 'line');
    await app.page.fill('[aria-label="Alphabet"]', ALPHABET);
    await app.page.fill('[aria-label="Maximum length"]', '8');
    await app.page.click('[data-testid=add-sequence] button[type=submit]');
    await app.page.waitForSelector('.target-card[data-target="line_length"]');
    expect(await app.page.textContent('.target-card[data-target="line"] .note')).toContain(`Alphabet ${ALPHABET}, up to 8 positions modelled`);
    const targets = await app.api<{ name: string; kind: string; alphabet: string | null; classes: { name: string }[] }[]>('targets.list');
    expect(targets.find((t) => t.name === 'line')).toMatchObject({ kind: 'sequence', alphabet: ALPHABET });
    expect(targets.find((t) => t.name === 'line_length')!.classes.map((c) => c.name)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '>8']);
  });

  it('labels it in a text field: typing is never captured by labeler keys, Enter saves only what was typed, the three states', async () => {
    await app.page.goto(`${app.server.url}/#/label`);
    await expect.poll(position, { timeout: 15_000 }).toBe(`1 / ${IMAGES}`);
    await expect.poll(imageShown).toBe('1');

    // Alt+5 goes to the fifth target, 'line': its field takes the focus.
    await app.page.keyboard.press('Alt+5');
    await expect.poll(focusedField).toBe('transcript-input');
    // a (accept), q (queue picker), g d (go to Dataset), - (unknown), space, digits' keys: all type here.
    const text = 'a quiet gd-gap';
    await app.page.keyboard.type(text);
    expect(await app.page.inputValue('[data-testid=transcript-input]')).toBe(text);
    expect(await labelsOf(1)).toEqual({}); // a draft: written as a whole by a deliberate act
    await app.page.keyboard.press('Tab'); // → line_length, the text written
    await expect.poll(focusedField).not.toBe('transcript-input');
    await saved();
    await app.page.keyboard.press('Shift+Tab');
    await expect.poll(focusedField).toBe('transcript-input');
    await app.page.keyboard.press('End');
    expect(app.page.url()).toContain('#/label');
    expect(await focusedField()).toBe('transcript-input'); // q did not open the queue picker, ? no help
    expect(await app.page.$('.help-card')).toBeNull();
    expect(await stateOf('line')).toBe('value');
    expect(await labelsOf(1)).toEqual({ line: text, line_length: '>8' });

    // A character outside the alphabet is flagged, never written, and Enter does not leave the image.
    await app.page.keyboard.type('!');
    await app.page.waitForSelector('[data-testid=transcript-problem]');
    expect(await app.page.textContent('[data-testid=transcript-problem]')).toContain("'!' not in the alphabet of line: not saved");
    await app.page.screenshot({ path: path.join(screenshotsDir, 'transcript-field.png') });
    await app.page.keyboard.press('Enter');
    expect(await position()).toBe(`1 / ${IMAGES}`);
    expect(await labelsOf(1)).toEqual({ line: text, line_length: '>8' });
    // Esc drops the draft; Enter then moves on with what was typed, nothing else.
    await app.page.keyboard.press('Escape');
    expect(await app.page.inputValue('[data-testid=transcript-input]')).toBe(text);
    await app.page.keyboard.press('Enter');
    await expect.poll(imageShown).toBe('2');

    // Image 2: unknown (Alt+-), then the length set on its own from its field with the keyboard.
    await app.page.keyboard.press('Alt+5');
    await expect.poll(focusedField).toBe('transcript-input');
    expect(await app.page.inputValue('[data-testid=transcript-input]')).toBe(''); // image 1's text did not travel
    await app.page.keyboard.press('Alt+-');
    await expect.poll(() => stateOf('line')).toBe('unknown');
    await app.page.keyboard.press('Tab'); // → line_length; the field gives the focus back
    await expect.poll(focusedField).not.toBe('transcript-input');
    await app.page.keyboard.press('3');
    await expect.poll(() => stateOf('line_length')).toBe('value');
    await saved();
    expect(await labelsOf(2)).toEqual({ line: '?', line_length: '3' });

    // Back on line: type, then Alt+Delete puts it back to "not looked at". What was done in the
    // field since entering it is one undo step: Ctrl+Z brings back the unknown it had before.
    await app.page.keyboard.press('Shift+Tab');
    await expect.poll(focusedField).toBe('transcript-input');
    await app.page.keyboard.type('zebra');
    await app.page.keyboard.press('Alt+Delete');
    await expect.poll(() => stateOf('line')).toBe('pending');
    expect(await app.page.inputValue('[data-testid=transcript-input]')).toBe('');
    await saved();
    expect((await labelsOf(2)).line).toBeUndefined();
    await app.page.keyboard.press('Control+z');
    await expect.poll(() => stateOf('line')).toBe('unknown');
    await app.page.keyboard.type('zebra');
    await app.page.screenshot({ path: path.join(screenshotsDir, 'transcript-labeler.png') });
    await app.page.keyboard.press('Enter');
    await expect.poll(imageShown).toBe('3');
    await saved();
    expect(await labelsOf(2)).toEqual({ line: 'zebra', line_length: '3' });
    expect(await labelsOf(3)).toEqual({}); // not looked at

    // Image 3: a draft with a character outside the alphabet saves nothing of it, not its valid
    // prefix; Esc drops it and the label stays not looked at.
    await app.page.keyboard.press('Alt+5');
    await expect.poll(focusedField).toBe('transcript-input');
    await app.page.keyboard.type('naïve');
    await app.page.waitForSelector('[data-testid=transcript-problem]');
    await app.page.keyboard.press('Escape');
    expect(await app.page.inputValue('[data-testid=transcript-input]')).toBe('');
    await saved();
    expect(await labelsOf(3)).toEqual({});

    // Typed, then a class of another target clicked with the mouse: the text is written to its own target.
    await app.page.keyboard.type('kiwi');
    await app.page.click('.target-control[data-target="script"] .chip[data-value="latin"]');
    await expect.poll(() => stateOf('script')).toBe('value');
    await saved();
    expect(await labelsOf(3)).toEqual({ line: 'kiwi', line_length: '4', script: 'latin' });

    // Back (the browser's button) with a draft that cannot be saved: the page stays, says why; with a valid one it leaves, the text written.
    await app.page.click('nav a:has-text("Targets")');
    await app.page.click('nav a:has-text("Label")');
    await expect.poll(imageShown).toBe('3');
    await app.page.keyboard.press('Alt+5');
    await expect.poll(focusedField).toBe('transcript-input');
    await app.page.keyboard.press('End');
    await app.page.keyboard.type('!');
    await app.page.evaluate(() => history.back());
    await expect
      .poll(() => app.page.textContent('[data-testid=labeler-message]'))
      .toContain("'!' not in the alphabet of line: not saved — fix it, or press Esc");
    await expect.poll(() => app.page.url()).toContain('#/label'); // the router puts the address back after the popstate
    expect(await imageShown()).toBe('3');
    expect(await app.page.inputValue('[data-testid=transcript-input]')).toBe('kiwi!');
    await app.page.keyboard.press('Backspace');
    await app.page.keyboard.type('s');
    await app.page.evaluate(() => history.back());
    await expect.poll(() => app.page.url()).toContain('#/targets');
    await expect.poll(() => labelsOf(3)).toEqual({ line: 'kiwis', line_length: '5', script: 'latin' });
  });

  it('renames a target and removes one from the Targets view, the removal confirmed with its label count', async () => {
    const targets = await app.api<{ id: number; name: string }[]>('targets.list');
    const font = targets.find((t) => t.name === 'font_style')!;
    await app.api('annotations.set', { imageId: 4, targetId: font.id, label: { kind: 'value', value: 'serif' } });
    await app.page.goto(`${app.server.url}/#/targets`);

    await app.page.click('.target-card[data-target="script"] [data-action=rename-target]');
    await app.page.fill('[aria-label="New name of script"]', 'writing_system');
    await app.page.keyboard.press('Enter');
    await app.page.waitForSelector('.target-card[data-target="writing_system"]');

    await app.page.click('.target-card[data-target="font_style"] [data-action=remove-target]');
    await app.page.waitForSelector('[role=alertdialog] [data-choice=remove]');
    const dialog = await app.page.textContent('[role=alertdialog]');
    expect(dialog).toContain("'font_style' has 1 human label and 0 model predictions; removing it deletes them and cannot be undone");
    await app.page.screenshot({ path: path.join(screenshotsDir, 'targets-remove.png') });
    await app.page.click('[role=alertdialog] [data-choice=remove]');
    await expect.poll(() => app.page.$('.target-card[data-target="font_style"]')).toBeNull();
    expect((await app.api<{ name: string }[]>('targets.list')).map((t) => t.name)).toEqual(['digits', 'length', 'writing_system', 'line', 'line_length']);
    // The API's refusal without force (409), which the dialog showed, is the page's only complaint.
    expect(app.problems.filter((p) => !/status of 409 \(Conflict\)/.test(p))).toEqual([]);
    expect(app.problems).toHaveLength(1);
  });

  it('imports OCR transcripts from the Dataset view into the text target, naming the file with a character outside the alphabet', async () => {
    // The crops imported at the start, with transcripts beside two of them: every image is a duplicate, the transcripts fill what is not looked at.
    const crops = path.join(app.dir, 'crops');
    writeFileSync(path.join(crops, 'hn-0004.gt.txt'), 'four\n');
    writeFileSync(path.join(crops, 'hn-0005.gt.txt'), 'fi5e\n');
    await app.page.goto(`${app.server.url}/#/dataset`);
    await app.page.fill('[aria-label="Path to import"]', crops);
    await app.page.selectOption('[aria-label="Transcripts label"]', 'line');
    await app.page.click('.import-form button[type=submit]');
    await expect.poll(() => app.page.textContent('.import-status .summary'), { timeout: 15_000 }).toContain('1 of 2 transcripts read into line');
    await app.page.click('.import-status .summary button.link');
    expect(await app.page.textContent('.import-panel .problems')).toContain("hn-0005.gt.txt: character '5' not in the alphabet of 'line'");
    await app.page.screenshot({ path: path.join(screenshotsDir, 'transcripts-import.png') });
    expect(await labelsOf(5)).toEqual({ line: 'four', line_length: '4' });
    expect(await labelsOf(6)).toEqual({});
  });
});
