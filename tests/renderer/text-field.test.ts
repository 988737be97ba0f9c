import { describe, expect, it } from 'vitest';
import { editsAsText, type TargetDef } from '../../shared/targets.js';
import { defaultTargetDefs } from '../engine-fixtures.js';
import { textFieldAction } from '../../renderer/src/labeling/keymap';
import { reduceLabels, type Labels } from '../../renderer/src/labeling/label-state';

const defaults: TargetDef[] = defaultTargetDefs();
const line: TargetDef = {
  id: 20,
  name: 'line',
  kind: 'sequence',
  alphabet: 'abc -',
  maxLength: 3,
  sourceTargetId: null,
  position: 4,
  hotkey: 'l',
  classes: [],
};
const lineLength: TargetDef = {
  id: 21,
  name: 'line_length',
  kind: 'length',
  alphabet: null,
  maxLength: null,
  sourceTargetId: 20,
  position: 5,
  hotkey: null,
  classes: ['0', '1', '2', '3', '>3'].map((name, i) => ({ id: 200 + i, name, hotkey: null, position: i })),
};
const targets = [...defaults, line, lineLength];

describe('a sequence edited as text', () => {
  it('is a text field for any alphabet beyond digits', () => {
    expect(editsAsText(defaults[0]!)).toBe(false); // digits: typed key by key
    expect(editsAsText(line)).toBe(true);
    expect(editsAsText({ kind: 'sequence', alphabet: 'ا ب ت' })).toBe(true);
    expect(editsAsText(defaults[2]!)).toBe(false); // categorical
  });

  it('leaves every character to the field; only the labeler keys act', () => {
    for (const key of ['a', 'q', 'g', '-', ' ', '?', '1', 'Backspace', 'Delete', 'ArrowLeft', 'ArrowRight', 'Home']) {
      expect(textFieldAction({ key }, targets), key).toBeNull();
    }
    expect(textFieldAction({ key: 'Enter' })).toEqual({ type: 'saveNext' });
    expect(textFieldAction({ key: 'Enter', isComposing: true })).toBeNull(); // an input method's Enter
    expect(textFieldAction({ key: 'Tab', shiftKey: true })).toEqual({ type: 'focusTarget', delta: -1 });
    expect(textFieldAction({ key: 'ArrowDown' })).toEqual({ type: 'focusTarget', delta: 1 });
    expect(textFieldAction({ key: 'PageDown' })).toEqual({ type: 'skip' });
    expect(textFieldAction({ key: '-', code: 'Minus', altKey: true })).toEqual({ type: 'unknown' });
    expect(textFieldAction({ key: 'Delete', altKey: true })).toEqual({ type: 'clear' });
    expect(textFieldAction({ key: 'z', ctrlKey: true })).toEqual({ type: 'undo' });
    expect(textFieldAction({ key: 'Z', ctrlKey: true, shiftKey: true })).toEqual({ type: 'redo' });
    expect(textFieldAction({ key: 'a', ctrlKey: true })).toBeNull(); // select all stays the field's
    expect(textFieldAction({ key: '2', code: 'Digit2', altKey: true }, targets)).toEqual({ type: 'jumpTarget', index: 1 });
    expect(textFieldAction({ key: 'l', code: 'KeyL', altKey: true }, targets)).toEqual({ type: 'jumpTarget', index: 4 });
    expect(textFieldAction({ key: 'Escape' })).toEqual({ type: 'escape' });
  });

  it('writes the whole value with its length; an emptied field is not looked at again, with the length that followed it', () => {
    let labels: Labels = {};
    let r = reduceLabels(labels, targets, line, { type: 'setText', value: 'ab c' });
    expect(r.labels[line.id]).toMatchObject({ state: 'value', value: 'ab c' });
    expect(r.labels[lineLength.id]).toMatchObject({ state: 'value', value: '>3', origin: 'derived' });
    expect(r.writes).toEqual([{ targetId: line.id, label: { kind: 'value', value: 'ab c' } }]);
    labels = r.labels;
    // The same text again writes nothing.
    expect(reduceLabels(labels, targets, line, { type: 'setText', value: 'ab c' }).writes).toEqual([]);
    r = reduceLabels(labels, targets, line, { type: 'setText', value: 'ab' });
    expect(r.labels[lineLength.id]).toMatchObject({ value: '2' });
    r = reduceLabels(r.labels, targets, line, { type: 'setText', value: '' });
    expect(r.labels[line.id]).toBeUndefined();
    expect(r.labels[lineLength.id]).toBeUndefined();
    // One write: the store removes the length that followed the text itself, in the same undo step.
    expect(r.writes).toEqual([{ targetId: line.id, label: null }]);
    // Nothing to clear: nothing written.
    expect(reduceLabels({}, targets, line, { type: 'setText', value: '' }).writes).toEqual([]);
  });
});
