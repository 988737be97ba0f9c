import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lengthClassOf, lengthClassesFor, MAX_SEQUENCE_CHARS, sequenceProblem } from '../../shared/targets.js';
import { DomainError } from '../../shared/errors.js';
import { Project } from '../../electron/domain/project.js';
import { writeLabel } from '../../electron/domain/labeling.js';
import { HumanEdits } from '../../electron/domain/edits.js';
import { tempDir } from '../helpers.js';

describe('length derivation', () => {
  it('maps sequences to length classes 0..N and >N', () => {
    expect(lengthClassesFor(5)).toEqual(['0', '1', '2', '3', '4', '5', '>5']);
    expect(['', '7', '12345', '123456', '1234567890'].map((s) => lengthClassOf(s, 5))).toEqual(['0', '1', '5', '>5', '>5']);
    expect(sequenceProblem('0123', '0123456789')).toBeNull();
    expect(sequenceProblem('12a', '0123456789')).toMatch(/'a'/);
    expect(sequenceProblem('1'.repeat(MAX_SEQUENCE_CHARS), '0123456789')).toBeNull();
    expect(sequenceProblem('1'.repeat(MAX_SEQUENCE_CHARS + 1), '0123456789')).toMatch(new RegExp(`longer than ${MAX_SEQUENCE_CHARS}`));
    // Characters count by code point: an astral character is one position, as the labeler shows it.
    expect(lengthClassOf('𝔞b', 5)).toBe('2');
    expect(sequenceProblem('ab-é', 'abé')).toBe("character '-' is not in the alphabet 'abé'");
  });
});

describe('writing labels', () => {
  let project: Project;
  let cleanup: () => void;
  beforeEach(() => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    project = Project.open(path.join(tmp.dir, 'data'));
    project.store.write(() =>
      project.store.images.insert({
        sha256: 'b'.repeat(64),
        storedPath: 'images/bb/b.png',
        originalPath: null,
        originalName: 'b.png',
        format: 'png',
        width: 4,
        height: 4,
        channels: 1,
        byteSize: 1,
        thumbnail: null,
        batchId: null,
        importedAt: new Date().toISOString(),
      }),
    );
  });
  afterEach(() => {
    project.close();
    cleanup();
  });

  const state = (target: string) => {
    const t = project.store.targets.byName(target)!;
    const a = project.store.annotations.one(1, t.id, 'human');
    return a ? { state: a.state, value: a.class_name ?? a.text_value } : 'pending';
  };
  const write = (target: string, label: Parameters<typeof writeLabel>[3]) =>
    project.store.write(() => writeLabel(project.store, 1, project.store.targets.byName(target)!, label, { source: 'human' }));
  const clear = (target: string) => project.store.write(() => project.store.annotations.remove(1, project.store.targets.byName(target)!.id, 'human'));

  it('keeps the three states distinct: pending, unknown, value', () => {
    expect(state('font_style')).toBe('pending');
    write('font_style', { kind: 'unknown' });
    expect(state('font_style')).toEqual({ state: 'unknown', value: null });
    write('font_style', { kind: 'value', value: 'mono' });
    expect(state('font_style')).toEqual({ state: 'value', value: 'mono' });
  });

  it('a typed sequence sets its length; an unknown sequence leaves a length set on its own', () => {
    write('length', { kind: 'value', value: '4' });
    write('digits', { kind: 'unknown' });
    expect(state('digits')).toEqual({ state: 'unknown', value: null });
    expect(state('length')).toEqual({ state: 'value', value: '4' });
    // A length a person set on its own is not overwritten by digits that contradict it (the labeler flags them).
    expect(write('digits', { kind: 'value', value: '1234567' })).toHaveLength(1);
    expect(state('length')).toEqual({ state: 'value', value: '4' });
    clear('length');
    expect(write('digits', { kind: 'value', value: '1234567' })).toHaveLength(2);
    expect(state('length')).toEqual({ state: 'value', value: '>5' });
    // ...and a derived length keeps following the digits.
    expect(write('digits', { kind: 'value', value: '12' })).toHaveLength(2);
    expect(state('length')).toEqual({ state: 'value', value: '2' });
  });

  it('a length that followed its sequence becomes unknown with it and goes when it is cleared, one undo step each; one set on its own stays', async () => {
    const edits = new HumanEdits(project.store, 'tester');
    const [digits, length] = [project.store.targets.byName('digits')!, project.store.targets.byName('length')!];
    edits.set(1, digits, { kind: 'value', value: '42' });
    expect(state('length')).toEqual({ state: 'value', value: '2' });
    edits.set(1, digits, { kind: 'unknown' });
    expect(state('length')).toEqual({ state: 'unknown', value: null });
    await edits.undo();
    expect([state('digits'), state('length')]).toEqual([
      { state: 'value', value: '42' },
      { state: 'value', value: '2' },
    ]);
    expect(edits.clear(1, digits)).toBe(true);
    expect([state('digits'), state('length')]).toEqual(['pending', 'pending']);
    await edits.undo();
    expect(state('length')).toEqual({ state: 'value', value: '2' });
    // A length set on its own says something the digits do not: it stays through both.
    edits.set(1, length, { kind: 'value', value: '3' });
    edits.set(1, digits, { kind: 'unknown' });
    expect(state('length')).toEqual({ state: 'value', value: '3' });
    edits.clear(1, digits);
    expect(state('length')).toEqual({ state: 'value', value: '3' });
  });

  it('rejects values that are not classes or not in the alphabet, writing nothing', () => {
    expect(() => write('script', { kind: 'value', value: 'klingon' })).toThrow(DomainError);
    expect(() => write('digits', { kind: 'value', value: 'x1' })).toThrow(/not a valid digits value/);
    expect(state('script')).toBe('pending');
    expect(state('digits')).toBe('pending');
    expect(state('length')).toBe('pending');
  });
});
