import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { TargetDef } from '../../shared/targets.js';
import { defaultTargetDefs } from '../engine-fixtures.js';
import QueuePicker from '../../renderer/src/components/QueuePicker.vue';
import TargetControl from '../../renderer/src/components/TargetControl.vue';
import type { LabelQueue } from '../../renderer/src/labeling/queue';
import type { LabelConflict } from '../../renderer/src/labeling/stored-labels';

const targets: TargetDef[] = defaultTargetDefs();
const [digits, , font] = targets as [TargetDef, TargetDef, TargetDef];

describe('TargetControl', () => {
  it('tells a suggestion, an accepted label and a typed one apart', () => {
    const suggested = mount(TargetControl, {
      props: { target: font, label: undefined, active: true, suggestion: { value: 'mono', confidence: 0.87, runId: 3 }, floor: 0.9 },
    });
    const badge = suggested.get('[data-testid=suggestion]');
    expect(badge.text()).toMatch(/^suggested mono 87%/);
    expect(badge.classes()).toContain('below'); // under the Shift+A floor
    expect(badge.attributes('title')).toMatch(/run 3, not a label: A accepts it \(below your Shift\+A floor\)/);
    expect(suggested.get('.chip.suggested').attributes('data-value')).toBe('mono');
    expect(suggested.find('.chip.selected').exists()).toBe(false);

    const accepted = mount(TargetControl, {
      props: { target: font, label: { state: 'value', value: 'mono', origin: 'accepted', runId: 3, confidence: 0.87 }, active: false },
    });
    expect(accepted.get('[data-testid=provenance]').text()).toBe('accepted from run 3 at 87%');
    expect(accepted.attributes('data-origin')).toBe('accepted');
    const typed = mount(TargetControl, { props: { target: font, label: { state: 'value', value: 'mono', origin: 'typed' }, active: false } });
    expect(typed.get('[data-testid=provenance]').text()).toBe('typed');
    // A label that came with an import (a labels file, folder names, transcripts) is not shown as typed.
    const imported = mount(TargetControl, { props: { target: font, label: { state: 'value', value: 'mono', origin: 'imported' }, active: false } });
    expect(imported.get('[data-testid=provenance]').text()).toBe('imported');
    expect(imported.get('[data-testid=provenance]').classes()).toContain('imported');
  });

  it('scrolls itself into view when it becomes the active target (a targets column longer than the window)', async () => {
    const wrapper = mount(TargetControl, { props: { target: font, label: undefined, active: false } });
    const calls: unknown[] = [];
    (wrapper.element as HTMLElement).scrollIntoView = (arg?: unknown) => void calls.push(arg);
    await wrapper.setProps({ active: true } as never);
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    expect(calls).toEqual([{ block: 'nearest' }]);
    await wrapper.setProps({ active: false } as never);
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    expect(calls).toHaveLength(1);
  });

  it('does not scroll (a forced layout) when the control becoming active is already wholly in view', async () => {
    const observed: { callback: IntersectionObserverCallback; element: Element }[] = [];
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(private callback: IntersectionObserverCallback) {}
        observe(element: Element) {
          observed.push({ callback: this.callback, element });
        }
        disconnect() {}
      },
    );
    try {
      const wrapper = mount(TargetControl, { props: { target: font, label: undefined, active: false } });
      const calls: unknown[] = [];
      (wrapper.element as HTMLElement).scrollIntoView = (arg?: unknown) => void calls.push(arg);
      const report = (intersectionRatio: number) =>
        observed[0]!.callback([{ target: observed[0]!.element, intersectionRatio } as IntersectionObserverEntry], {} as IntersectionObserver);
      const activate = async () => {
        await wrapper.setProps({ active: true } as never);
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        await wrapper.setProps({ active: false } as never);
      };
      report(1);
      await activate();
      expect(calls).toEqual([]);
      report(0.4); // partly below the fold
      await activate();
      expect(calls).toEqual([{ block: 'nearest' }]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('flags a contradiction, and asks about a label changed elsewhere', async () => {
    const conflict: LabelConflict = {
      imageId: 2,
      targetId: digits.id,
      theirs: { state: 'value', value: '965442' },
      theirsVersion: 9,
      mine: { state: 'value', value: '96544' },
    };
    const wrapper = mount(TargetControl, {
      props: { target: digits, label: conflict.theirs!, active: true, warning: '6 digits, but length is 5', conflict },
    });
    expect(wrapper.get('[data-testid=label-warning]').text()).toContain('6 digits, but length is 5');
    expect(wrapper.get('[data-testid=conflict-theirs]').text()).toBe("'965442'");
    expect(wrapper.get('[data-testid=conflict-mine]').text()).toBe("'96544'");
    await wrapper.get('[data-choice=mine]').trigger('click');
    await wrapper.get('[data-choice=theirs]').trigger('click');
    expect(wrapper.emitted('resolve')).toEqual([
      [conflict, 'mine'],
      [conflict, 'theirs'],
    ]);
  });
});

describe('QueuePicker', () => {
  it('lists the queues by their URL form, names a confusion cell, and emits the queue picked', async () => {
    const cell: LabelQueue = { kind: 'cell', runId: 2, head: 'length', trueIndex: 1, predIndex: 3 };
    const wrapper = mount(QueuePicker, { props: { queue: cell, targets } });
    const select = wrapper.get('select');
    expect((select.element as HTMLSelectElement).value).toBe('cell:2:1:3:length');
    expect(wrapper.get('option[value="cell:2:1:3:length"]').text()).toMatch(/Confusion cell of run 2, head length/);
    expect(wrapper.find(`option[value="t${font.id}:pending"]`).text()).toBe('font_style: not looked at');
    await select.setValue(`t${font.id}:model`);
    expect(wrapper.emitted('change')).toEqual([
      [{ kind: 'filter', filter: { status: 'any', order: 'confidence', target: { targetId: font.id, source: 'model' } } }],
    ]);
    // It shows the queue it is given: a pick refused (a text draft that cannot be saved) leaves the open one shown.
    expect((select.element as HTMLSelectElement).value).toBe('cell:2:1:3:length');
    await wrapper.setProps({ queue: { kind: 'filter', filter: { status: 'pending', order: 'id' } } } as never);
    expect((select.element as HTMLSelectElement).value).toBe('pending');
  });

  it('opens on the app-wide Q request (and says so)', () => {
    const wrapper = mount(QueuePicker, { props: { queue: { kind: 'filter', filter: { status: 'pending', order: 'id' } }, targets }, attachTo: document.body });
    const event = new CustomEvent('polyhead:open-queue-picker', { cancelable: true });
    expect(window.dispatchEvent(event)).toBe(false); // handled
    expect(document.activeElement).toBe(wrapper.get('select').element);
    wrapper.unmount();
  });
});
