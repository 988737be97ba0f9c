import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { ProjectStats } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';

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
const { projectPreset } = await import('../../renderer/src/project-preset');
const { useProjectStore } = await import('../../renderer/src/stores/project');
const { parseModelSpec } = await import('../../shared/model-spec.js');

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

/** A folder-per-class project: one categorical target of 10 classes, all labeled; plus targets no head can be made of. */
const target = (id: number, name: string, kind: TargetDef['kind'], classes: string[]): TargetDef => ({
  id,
  name,
  kind,
  alphabet: null,
  maxLength: null,
  sourceTargetId: null,
  position: id,
  hotkey: null,
  classes: classes.map((c, i) => ({ id: 100 * id + i, name: c, hotkey: null, position: i })),
});
const digits = [...'0123456789'];
const targets = [
  target(1, 'digit', 'categorical', digits),
  target(2, 'font', 'categorical', ['serif', 'sans']),
  target(3, 'my class', 'categorical', ['a', 'b']),
];
const stats: ProjectStats = {
  images: 100,
  targets: [
    { targetId: 1, name: 'digit', kind: 'categorical', labeled: 100, unknown: 0, pending: 0, classes: digits.map((c) => ({ name: c, count: 10 })) },
    // One labeled class: a head would have nothing to tell apart.
    {
      targetId: 2,
      name: 'font',
      kind: 'categorical',
      labeled: 5,
      unknown: 0,
      pending: 95,
      classes: [
        { name: 'serif', count: 5 },
        { name: 'sans', count: 0 },
      ],
    },
    // Not a name a spec can refer to.
    {
      targetId: 3,
      name: 'my class',
      kind: 'categorical',
      labeled: 4,
      unknown: 0,
      pending: 96,
      classes: [
        { name: 'a', count: 2 },
        { name: 'b', count: 2 },
      ],
    },
  ],
};

describe("a preset from the project's own targets", () => {
  it('has one head per categorical target with at least two labeled classes, and is a valid spec', () => {
    const preset = projectPreset(targets, stats)!;
    const parsed = parseModelSpec(preset.spec);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.spec.heads.map((head) => [head.name, head.target])).toEqual([['digit', { kind: 'target', target: 'digit' }]]);
    expect(projectPreset(targets.slice(1), { images: 100, targets: stats.targets.slice(1) })).toBeNull();
    expect(projectPreset(targets, null)).toBeNull();
  });

  it('is offered by Start from, by its name, and loads into the editor', async () => {
    setActivePinia(createPinia());
    server.presets = [{ file: 'house-numbers.json', spec: houseNumbers }];
    const project = useProjectStore();
    project.targets = targets;
    project.stats = stats;
    const { select, editor, shown } = await open();
    const own = [...select.element.options].find((o) => o.text.includes("this project's targets"));
    expect(own).toBeDefined();
    await select.setValue(own!.value);
    await flushPromises();
    expect(JSON.parse(editor.props('modelValue') as string)).toEqual(projectPreset(targets, stats)!.spec);
    expect(shown()).toBe(own!.text.trim());
  });
});
