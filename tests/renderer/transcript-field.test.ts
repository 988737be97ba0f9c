import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { TargetDef } from '../../shared/targets.js';
import TranscriptField from '../../renderer/src/components/TranscriptField.vue';

const line: TargetDef = {
  id: 20,
  name: 'line',
  kind: 'sequence',
  alphabet: 'abcdefghijklmnopqrstuvwxyz :',
  maxLength: 40,
  sourceTargetId: null,
  position: 4,
  hotkey: 'l',
  classes: [],
};

/** Types `text` into the field one character at a time, as a keyboard does. */
async function type(input: ReturnType<ReturnType<typeof mount>['find']>, text: string): Promise<void> {
  const el = input.element as HTMLInputElement;
  for (const c of text) {
    await input.trigger('keydown', { key: c });
    el.value += c;
    await input.trigger('input');
  }
}

describe('the transcript field', () => {
  it('saves nothing of a draft with a character outside the alphabet, not its valid prefix; Esc drops it', async () => {
    const wrapper = mount(TranscriptField, { props: { target: line, label: undefined, active: true, imageId: 1 }, attachTo: document.body });
    const input = wrapper.find('input');
    await type(input, 'naïve');
    expect(wrapper.find('[data-testid=transcript-problem]').exists()).toBe(true);
    await input.trigger('keydown', { key: 'Escape' });
    expect(wrapper.emitted('text') ?? []).toEqual([]);
    expect((input.element as HTMLInputElement).value).toBe('');
    await type(input, 'café x');
    await input.trigger('keydown', { key: 'Enter' }); // refused: the draft is not valid
    await input.trigger('blur');
    expect(wrapper.emitted('text') ?? []).toEqual([]);
    wrapper.unmount();
  });

  it('saves a valid text as a whole on Enter, Tab or leaving the field, before the key acts', async () => {
    const wrapper = mount(TranscriptField, { props: { target: line, label: undefined, active: true, imageId: 1 }, attachTo: document.body });
    const input = wrapper.find('input');
    await type(input, 'naive');
    expect(wrapper.emitted('text') ?? []).toEqual([]);
    await input.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('text')).toEqual([['naive']]);
    expect(wrapper.emitted('key')!.at(-1)![0]).toMatchObject({ key: 'Enter' });
    await wrapper.setProps({ label: { state: 'value', value: 'naive', origin: 'typed' } } as Record<string, unknown>);
    await type(input, ' x');
    await input.trigger('blur');
    expect(wrapper.emitted('text')).toEqual([['naive'], ['naive x']]);
    wrapper.unmount();
  });
});
