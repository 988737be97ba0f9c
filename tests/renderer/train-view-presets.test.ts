import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';

/** The Train view's "Start from": it names the preset only while the editor still holds that preset. */
const server = vi.hoisted(() => ({ presets: [] as { file: string; spec: unknown }[] }));
vi.mock('vue-echarts', () => ({ default: defineComponent(() => () => h('div')) }));
vi.mock('../../renderer/src/api', () => ({
  ApiCallError: class extends Error {},
  api: {
    training: {
      backend: async () => ({ name: 'cpu', reason: 'test' }),
      runs: async () => [],
      specs: async () => server.presets,
      metrics: async () => ({ rows: [] }),
    },
  },
  onEvent: () => () => {},
}));

const { default: TrainView } = await import('../../renderer/src/views/TrainView.vue');

const houseNumbers = { name: 'house numbers', heads: [{ name: 'length', target: { kind: 'target', target: 'length' } }] };
const digitPairs = { name: 'digit pairs', heads: [{ name: 'le', target: { kind: 'compare', target: 'digits', op: 'le', a: 'a', b: 'b' } }] };

async function open() {
  const view = mount(TrainView, { global: { stubs: { RouterLink: true } } });
  await flushPromises();
  const select = view.find<HTMLSelectElement>('select[aria-label="Preset spec"]');
  const editor = view.findComponent({ name: 'SpecEditor' });
  /** What "Start from" shows: the text of the selected option. */
  const shown = () => [...select.element.options].find((o) => o.selected)?.text.trim();
  const type = async (text: string) => {
    editor.vm.$emit('update:modelValue', text);
    await flushPromises();
  };
  return { view, select, editor, shown, type };
}

describe('Train view: Start from', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    server.presets = [
      { file: 'house-numbers.json', spec: houseNumbers },
      { file: 'digit-pairs.json', spec: digitPairs },
    ];
  });

  it('names the preset while the editor holds it, and a custom spec once the JSON was replaced or edited', async () => {
    const { shown, type } = await open();
    expect(shown()).toBe('house numbers');
    await type(JSON.stringify({ ...houseNumbers, name: 'mine' }, null, 2));
    expect(shown()).toBe('custom spec');
    await type('{ "name": ');
    expect(shown()).toBe('custom spec');
    // Only the layout differs: still that preset.
    await type(JSON.stringify(digitPairs));
    expect(shown()).toBe('digit pairs');
  });

  it('choosing the preset again after an edit loads it again', async () => {
    const { select, editor, shown, type } = await open();
    await type('{}');
    await select.setValue('house-numbers.json');
    await flushPromises();
    expect(JSON.parse(editor.props('modelValue') as string)).toEqual(houseNumbers);
    expect(shown()).toBe('house numbers');
  });
});
