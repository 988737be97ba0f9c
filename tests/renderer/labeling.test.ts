import { describe, expect, it } from 'vitest';
import type { TargetDef } from '../../shared/targets.js';
import { defaultTargetDefs } from '../engine-fixtures.js';
import { actionFor, KEY_HELP, lengthClassForKey } from '../../renderer/src/labeling/keymap';
import { acceptLabel, lengthMismatch, lengthSetOnItsOwn, reduceLabels, stateOf, type Labels } from '../../renderer/src/labeling/label-state';
import { loadAcceptFloor, predictionsToAccept, saveAcceptFloor } from '../../renderer/src/labeling/predictions';
import {
  DEFAULT_QUEUE,
  decodeQueue,
  encodeQueue,
  headTargetName,
  queueTargetId,
  queueTitle,
  unlabeledFilter,
  type LabelQueue,
} from '../../renderer/src/labeling/queue';

const targets: TargetDef[] = defaultTargetDefs();
const [digits, length, font, script] = targets as [TargetDef, TargetDef, TargetDef, TargetDef];

describe('keymap', () => {
  it('routes keys by the active target', () => {
    expect(actionFor({ key: '7' }, digits)).toEqual({ type: 'typeChar', char: '7' });
    expect(actionFor({ key: 'x' }, digits)).toBeNull();
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
    expect(labels[digits.id]).toEqual({ state: 'value', value: '123', origin: 'typed' });
    expect(labels[length.id]).toEqual({ state: 'value', value: '3', origin: 'derived' });
    const more = apply(labels, digits, { type: 'typeChar', char: '4' });
    expect(more.writes).toEqual([{ targetId: digits.id, label: { kind: 'value', value: '1234' } }]);
    let long = more.labels;
    for (const char of '567') long = apply(long, digits, { type: 'typeChar', char }).labels;
    expect(long[length.id]).toEqual({ state: 'value', value: '>5', origin: 'derived' });
  });

  it('the first key in a field replaces its value, later keys append; Backspace to empty clears both, unknown makes both unknown', () => {
    const start: Labels = { [digits.id]: { state: 'value', value: '77' }, [length.id]: { state: 'value', value: '2', origin: 'derived' } };
    const replaced = apply(start, digits, { type: 'typeChar', char: '5' }, true).labels;
    expect(replaced[digits.id]?.value).toBe('5');
    const cleared = apply(replaced, digits, { type: 'backspace' });
    expect(stateOf(cleared.labels, digits.id)).toBe('pending');
    expect(stateOf(cleared.labels, length.id)).toBe('pending');
    // One write: the store removes the length that followed the digits itself (one undo step).
    expect(cleared.writes).toEqual([{ targetId: digits.id, label: null }]);
    // Unknown digits: the length that followed them is shown unknown too, as the store makes it.
    const unreadable = apply(apply(start, digits, { type: 'typeChar', char: '5' }, true).labels, digits, { type: 'unknown' });
    expect(unreadable.writes).toEqual([{ targetId: digits.id, label: { kind: 'unknown' } }]);
    expect(stateOf(unreadable.labels, length.id)).toBe('unknown');
  });

  it('keeps the three states distinct, and a length set alone survives unknown digits', () => {
    let labels: Labels = {};
    expect(stateOf(labels, font.id)).toBe('pending');
    labels = apply(labels, font, { type: 'unknown' }).labels;
    expect(stateOf(labels, font.id)).toBe('unknown');
    labels = apply(labels, font, { type: 'setClass', value: 'mono' }).labels;
    expect(labels[font.id]).toEqual({ state: 'value', value: 'mono', origin: 'typed' });
    labels = apply(labels, length, { type: 'setClass', value: '4' }).labels;
    const unreadable = apply(labels, digits, { type: 'unknown' });
    expect(unreadable.writes).toEqual([{ targetId: digits.id, label: { kind: 'unknown' } }]);
    expect(unreadable.labels[length.id]).toEqual({ state: 'value', value: '4', origin: 'typed' });
    expect(apply(unreadable.labels, font, { type: 'clear' }).writes).toEqual([{ targetId: font.id, label: null }]);
    expect(apply({}, font, { type: 'clear' }).writes).toEqual([]);
  });

  it('a length set on its own stays when digits are typed, and digits that contradict it are flagged', () => {
    // Unreadable digits, length 3 set on its own; then the digits turn out readable after all.
    let labels: Labels = {};
    labels = apply(labels, digits, { type: 'unknown' }).labels;
    labels = apply(labels, length, { type: 'setClass', value: '3' }).labels;
    expect(lengthSetOnItsOwn(labels, digits, length)).toBe(true);
    let typed = labels;
    for (const char of '49228') typed = apply(typed, digits, { type: 'typeChar', char }).labels;
    expect(typed[length.id]?.value).toBe('3');
    expect(lengthMismatch(typed, digits, length)).toEqual({ digits: 5, length: '3' });
    // Backspace to empty leaves a length set on its own alone.
    const emptied = apply({ [digits.id]: { state: 'value', value: '4' }, [length.id]: { state: 'value', value: '3', origin: 'typed' } }, digits, {
      type: 'backspace',
    });
    expect(emptied.writes).toEqual([{ targetId: digits.id, label: null }]);
    // A length that followed the digits keeps following them.
    let follows: Labels = {};
    for (const char of '12') follows = apply(follows, digits, { type: 'typeChar', char }).labels;
    expect(lengthSetOnItsOwn(follows, digits, length)).toBe(false);
    follows = apply(follows, digits, { type: 'typeChar', char: '3' }).labels;
    expect(follows[length.id]).toEqual({ state: 'value', value: '3', origin: 'derived' });
    expect(lengthMismatch(follows, digits, length)).toBeNull();
    // A length set to what the digits say is still set on its own: later digits do not move it.
    expect(
      lengthSetOnItsOwn({ [digits.id]: { state: 'value', value: '12' }, [length.id]: { state: 'value', value: '2', origin: 'typed' } }, digits, length),
    ).toBe(true);
  });

  it('after an undo the next digit replaces the field (fresh), as the first key in a field does', () => {
    const start: Labels = { [digits.id]: { state: 'value', value: '49228' } };
    expect(apply(start, digits, { type: 'typeChar', char: '2' }, true).labels[digits.id]?.value).toBe('2');
    expect(apply(start, digits, { type: 'typeChar', char: '2' }, false).labels[digits.id]?.value).toBe('492282');
  });

  it('an accepted suggestion keeps its provenance, and a sequence accepted sets its length', () => {
    const accepted = acceptLabel({}, targets, font, { value: 'mono', confidence: 0.87, runId: 4 });
    expect(accepted[font.id]).toEqual({ state: 'value', value: 'mono', origin: 'accepted', runId: 4, confidence: 0.87 });
    const seq = acceptLabel({}, targets, digits, { value: '644', confidence: 0.5, runId: 4 });
    expect(seq[length.id]).toEqual({ state: 'value', value: '3', origin: 'derived' });
    expect(acceptLabel({}, targets, script, { value: null, confidence: 0.2, runId: 1 })[script.id]?.state).toBe('unknown');
  });
});

describe('keys go where the user looks', () => {
  it('A accepts the active suggestion, Shift+A all of them; a field whose alphabet has the letter types it', () => {
    expect(actionFor({ key: 'a' }, font, targets)).toEqual({ type: 'accept' });
    expect(actionFor({ key: 'A', shiftKey: true }, digits, targets)).toEqual({ type: 'acceptAll' });
    const letters: TargetDef = { ...digits, id: 99, alphabet: 'abc' };
    expect(actionFor({ key: 'a' }, letters, [letters])).toEqual({ type: 'typeChar', char: 'a' });
    expect(actionFor({ key: 'Enter' }, font, targets)).toEqual({ type: 'saveNext' });
  });

  it('Alt+1..9 and Alt+<target key> jump to a target, by the physical key too', () => {
    const withKey = targets.map((t) => (t.name === 'script' ? { ...t, hotkey: 's' } : t));
    expect(actionFor({ key: '3', altKey: true }, digits, targets)).toEqual({ type: 'jumpTarget', index: 2 });
    expect(actionFor({ key: '¡', altKey: true, code: 'Digit1' }, font, targets)).toEqual({ type: 'jumpTarget', index: 0 });
    expect(actionFor({ key: '9', altKey: true }, digits, targets)).toBeNull(); // only four targets
    expect(actionFor({ key: 's', altKey: true, code: 'KeyS' }, digits, withKey)).toEqual({ type: 'jumpTarget', index: 3 });
    expect(actionFor({ key: 'ß', altKey: true, code: 'KeyS' }, digits, withKey)).toEqual({ type: 'jumpTarget', index: 3 });
    expect(actionFor({ key: '1', altKey: true, ctrlKey: true }, digits, targets)).toBeNull();
  });

  it("a class key never types into a sequence field unless it is in the field's alphabet; another target's class key only says where it belongs", () => {
    // Digits are the field's own: '1' types into an active digits field, and only then.
    expect(actionFor({ key: '1' }, digits, targets)).toEqual({ type: 'typeChar', char: '1' });
    expect(actionFor({ key: '1' }, font, targets)).toEqual({ type: 'setClass', value: 'serif' });
    // A letter class key of another target, while digits is active: nothing typed, nothing set elsewhere.
    const lettered = targets.map((t) => (t.name === 'font_style' ? { ...t, classes: t.classes.map((c, i) => (i === 0 ? { ...c, hotkey: 'x' } : c)) } : t));
    const action = actionFor({ key: 'x' }, lettered[0]!, lettered);
    expect(action?.type).toBe('hint');
    expect((action as { text: string }).text).toMatch(/font_style \(Alt\+3\)/);
    expect(actionFor({ key: 'x' }, lettered[3]!, lettered)?.type).toBe('hint');
    expect(actionFor({ key: 'x' }, lettered[2]!, lettered)).toEqual({ type: 'setClass', value: 'serif' });
    // The help lists the rule.
    expect(KEY_HELP.some(([, what]) => /class key of another target does nothing/.test(what))).toBe(true);
  });
});

describe('queues', () => {
  const cases: [string, LabelQueue][] = [
    ['pending', DEFAULT_QUEUE],
    ['untouched', { kind: 'filter', filter: { status: 'untouched', order: 'id' } }],
    ['t3:pending', { kind: 'filter', filter: { status: 'any', order: 'id', target: { targetId: 3, state: 'pending', source: 'human' } } }],
    ['t3:class:7', { kind: 'filter', filter: { status: 'any', order: 'id', target: { targetId: 3, classId: 7, state: 'value', source: 'human' } } }],
    ['t2:model', { kind: 'filter', filter: { status: 'any', order: 'confidence', target: { targetId: 2, source: 'model' } } }],
    ['cell:4:1:2:d:0', { kind: 'cell', runId: 4, head: 'd:0', trueIndex: 1, predIndex: 2 }],
  ];
  it('have a short text form for the URL that reads back as the same queue', () => {
    for (const [text, queue] of cases) {
      expect(encodeQueue(queue)).toBe(text);
      expect(decodeQueue(text)).toEqual(queue);
    }
    const odd: LabelQueue = { kind: 'filter', filter: { status: 'pending', order: 'id', target: { targetId: 3, state: 'unknown', source: 'human' } } };
    expect(encodeQueue(odd)).toMatch(/^json:/);
    expect(decodeQueue(encodeQueue(odd))).toEqual(odd);
    for (const bad of ['', 'nope', 't:pending', 't3:bogus', 'cell:1:2', 'json:{', 'json:{"status":"weird"}']) expect(decodeQueue(bad)).toBeNull();
  });

  it('know their target (where keys start), what "finished" means, and their title', () => {
    expect(queueTargetId(decodeQueue('t3:pending')!)).toBe(3);
    expect(queueTargetId(DEFAULT_QUEUE)).toBeNull();
    expect(queueTargetId(decodeQueue('cell:4:1:2:len')!, 2)).toBe(2);
    expect(unlabeledFilter(null)).toEqual({ status: 'pending', order: 'id' });
    expect(unlabeledFilter(3)).toEqual({ status: 'any', order: 'id', target: { targetId: 3, state: 'pending', source: 'human' } });
    expect(queueTitle(decodeQueue(`t${font.id}:unknown`)!, targets)).toBe('font_style: unknown');
    expect(queueTitle(decodeQueue(`t${font.id}:class:${font.classes[2]!.id}`)!, targets)).toBe('font_style = mono');
    // A confusion cell by its head's class names (the run's evaluation), by index only while they are not known.
    const cell = decodeQueue('cell:4:5:6:len')!;
    expect(queueTitle(cell, targets, ['0', '1', '2', '3', '4', '5', '>5'])).toBe('Confusion cell of run 4, head len (true 5, predicted >5)');
    expect(queueTitle(cell, targets)).toBe('Confusion cell of run 4, head len (true #5, predicted #6)');
    const spec = {
      heads: [
        { name: 'len', target: { kind: 'target', target: 'length' } },
        { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
      ],
    };
    expect(headTargetName(spec, 'len')).toBe('length');
    expect(headTargetName(spec, 'd0')).toBe('digits');
    expect(headTargetName(spec, 'x')).toBeNull();
  });
});

describe('suggestions', () => {
  it('Shift+A takes the suggestions shown at or above the floor; a digits suggestion taken sets the length', () => {
    const p = {
      [digits.id]: { value: '644', confidence: 0.9, runId: 1 },
      [length.id]: { value: '3', confidence: 0.95, runId: 1 },
      [font.id]: { value: 'mono', confidence: 0.0002, runId: 1 },
      [script.id]: { value: 'latin', confidence: 0.8, runId: 1 },
    };
    expect(predictionsToAccept(targets, p, {}, 0).map((t) => t.name)).toEqual(['digits', 'font_style', 'script']);
    expect(predictionsToAccept(targets, p, {}, 0.85).map((t) => t.name)).toEqual(['digits']);
    expect(predictionsToAccept(targets, p, { [digits.id]: { state: 'value', value: '1' } }, 0.5).map((t) => t.name)).toEqual(['length', 'script']);
  });

  it('keeps the floor in the browser, within 0..1', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadAcceptFloor(storage)).toBe(0);
    expect(saveAcceptFloor(0.8, storage)).toBe(0.8);
    expect(loadAcceptFloor(storage)).toBe(0.8);
    expect(saveAcceptFloor(7, storage)).toBe(1);
    store.set('polyhead.acceptFloor', 'junk');
    expect(loadAcceptFloor(storage)).toBe(0);
  });
});
