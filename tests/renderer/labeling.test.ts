import { describe, expect, it } from 'vitest';
import type { TargetDef } from '../../shared/targets.js';
import { defaultTargetDefs } from '../engine-fixtures.js';
import { actionFor, lengthClassForKey } from '../../renderer/src/labeling/keymap';
import { reduceLabels, stateOf, type Labels } from '../../renderer/src/labeling/label-state';

const targets: TargetDef[] = defaultTargetDefs();
const [digits, length, font, script] = targets as [TargetDef, TargetDef, TargetDef, TargetDef];

describe('keymap', () => {
  it('routes keys by the active target', () => {
    expect(actionFor({ key: '7' }, digits)).toEqual({ type: 'typeChar', char: '7' });
    expect(actionFor({ key: 'a' }, digits)).toBeNull();
    expect(actionFor({ key: 'Backspace' }, digits)).toEqual({ type: 'backspace' });
    expect(actionFor({ key: '3' }, length)).toEqual({ type: 'setClass', value: '3' });
    expect(actionFor({ key: '>' }, length)).toEqual({ type: 'setClass', value: '>5' });
    expect(actionFor({ key: '8' }, length)).toEqual({ type: 'setClass', value: '>5' });
    expect(actionFor({ key: '2' }, font)).toEqual({ type: 'setClass', value: 'sans' });
    expect(actionFor({ key: '8' }, script)).toEqual({ type: 'setClass', value: 'cjk' });
    expect(actionFor({ key: '9' }, font)).toBeNull();
    for (const t of targets) expect(actionFor({ key: '-' }, t)).toEqual({ type: 'unknown' });
    expect(actionFor({ key: 'Delete' }, font)).toEqual({ type: 'clear' });
  });

  it('has global keys for moving, undo/redo and help', () => {
    expect(actionFor({ key: 'Enter' }, digits)).toEqual({ type: 'saveNext' });
    expect(actionFor({ key: 'ArrowRight' }, font)).toEqual({ type: 'skip' });
    expect(actionFor({ key: 'ArrowLeft' }, font)).toEqual({ type: 'previous' });
    expect(actionFor({ key: 'Tab' }, font)).toEqual({ type: 'focusTarget', delta: 1 });
    expect(actionFor({ key: 'Tab', shiftKey: true }, font)).toEqual({ type: 'focusTarget', delta: -1 });
    expect(actionFor({ key: 'z', ctrlKey: true }, digits)).toEqual({ type: 'undo' });
    expect(actionFor({ key: 'Z', ctrlKey: true, shiftKey: true }, digits)).toEqual({ type: 'redo' });
    expect(actionFor({ key: 'z', metaKey: true, shiftKey: true }, digits)).toEqual({ type: 'redo' });
    expect(actionFor({ key: 'y', ctrlKey: true }, digits)).toEqual({ type: 'redo' });
    expect(actionFor({ key: '1', ctrlKey: true }, font)).toBeNull(); // browser shortcuts stay the browser's
    expect(actionFor({ key: '?' }, digits)).toEqual({ type: 'help' });
    expect(lengthClassForKey(length, '5')).toBe('5');
    expect(lengthClassForKey(length, 'x')).toBeNull();
  });
});

describe('label state', () => {
  const apply = (labels: Labels, target: TargetDef, action: Parameters<typeof reduceLabels>[3], fresh = false) =>
    reduceLabels(labels, targets, target, action, fresh);

  it('typing digits derives the length locally and writes only the digits (the store derives its own)', () => {
    let labels: Labels = {};
    for (const char of '123') labels = apply(labels, digits, { type: 'typeChar', char }).labels;
    expect(labels[digits.id]).toEqual({ state: 'value', value: '123' });
    expect(labels[length.id]).toEqual({ state: 'value', value: '3' });
    const more = apply(labels, digits, { type: 'typeChar', char: '4' });
    expect(more.writes).toEqual([{ targetId: digits.id, label: { kind: 'value', value: '1234' } }]);
    let long = more.labels;
    for (const char of '567') long = apply(long, digits, { type: 'typeChar', char }).labels;
    expect(long[length.id]).toEqual({ state: 'value', value: '>5' });
  });

  it('the first key in a field replaces its value, later keys append; Backspace to empty clears both', () => {
    const start: Labels = { [digits.id]: { state: 'value', value: '77' }, [length.id]: { state: 'value', value: '2' } };
    const replaced = apply(start, digits, { type: 'typeChar', char: '5' }, true).labels;
    expect(replaced[digits.id]?.value).toBe('5');
    const cleared = apply(replaced, digits, { type: 'backspace' });
    expect(stateOf(cleared.labels, digits.id)).toBe('pending');
    expect(stateOf(cleared.labels, length.id)).toBe('pending');
    expect(cleared.writes).toEqual([
      { targetId: digits.id, label: null },
      { targetId: length.id, label: null },
    ]);
  });

  it('keeps the three states distinct, and a length set alone survives unknown digits', () => {
    let labels: Labels = {};
    expect(stateOf(labels, font.id)).toBe('pending');
    labels = apply(labels, font, { type: 'unknown' }).labels;
    expect(stateOf(labels, font.id)).toBe('unknown');
    labels = apply(labels, font, { type: 'setClass', value: 'mono' }).labels;
    expect(labels[font.id]).toEqual({ state: 'value', value: 'mono' });
    labels = apply(labels, length, { type: 'setClass', value: '4' }).labels;
    const unreadable = apply(labels, digits, { type: 'unknown' });
    expect(unreadable.writes).toEqual([{ targetId: digits.id, label: { kind: 'unknown' } }]);
    expect(unreadable.labels[length.id]).toEqual({ state: 'value', value: '4' });
    expect(apply(unreadable.labels, font, { type: 'clear' }).writes).toEqual([{ targetId: font.id, label: null }]);
    expect(apply({}, font, { type: 'clear' }).writes).toEqual([]);
  });
});
