import { mount } from '@vue/test-utils';
import { nextTick } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import type { RunMetric } from '../../shared/api/contract.js';
import ConfusionMatrix from '../../renderer/src/components/ConfusionMatrix.vue';
import SpecEditor from '../../renderer/src/components/SpecEditor.vue';
import { chanceOf, headsOf, metricSeries } from '../../renderer/src/composables/use-run-metrics';
import { coverageAt } from '../../electron/engine/evaluation.js';
import { defaultTargetDefs } from '../engine-fixtures.js';

const classes = ['a', 'b', 'c'];
const confusion = [
  [5, 1, 0],
  [2, 6, 2],
  [0, 0, 0],
];

describe('ConfusionMatrix', () => {
  it('shows counts, rows true and columns predicted', () => {
    const w = mount(ConfusionMatrix, { props: { classes, confusion, normalized: false } });
    const cell = (t: number, p: number) => w.get(`td[data-true="${t}"][data-pred="${p}"]`);
    expect(cell(0, 0).text()).toBe('5');
    expect(cell(1, 2).text()).toBe('2');
    expect(cell(0, 2).text()).toBe(''); // zero counts stay blank
    expect(cell(0, 0).classes()).toContain('diagonal');
    expect(cell(1, 2).attributes('title')).toBe('true b, predicted c: 2 (20.0% of the row)');
    expect(w.findAll('thead th').map((th) => th.text())).toEqual(['true ↓ / predicted →', 'a', 'b', 'c']);
  });

  it('row-normalises, and an empty row stays empty', () => {
    const w = mount(ConfusionMatrix, { props: { classes, confusion, normalized: true } });
    expect(w.get('td[data-true="0"][data-pred="0"]').text()).toBe('83%');
    expect(w.get('td[data-true="1"][data-pred="1"]').text()).toBe('60%');
    expect(w.findAll('td[data-true="2"]').map((td) => td.text())).toEqual(['', '', '']);
  });

  it('emits the cell clicked, never for an empty cell', async () => {
    const w = mount(ConfusionMatrix, { props: { classes, confusion, normalized: false } });
    await w.get('td[data-true="1"][data-pred="0"]').trigger('click');
    await w.get('td[data-true="0"][data-pred="2"]').trigger('click');
    expect(w.emitted('cell')).toEqual([[1, 0]]);
  });
});

describe('run metrics', () => {
  const rows: RunMetric[] = [
    { epoch: 0, step: 5, split: 'train', head: 'len', metric: 'step_loss', value: 2 },
    { epoch: 0, step: 10, split: 'train', head: 'len', metric: 'step_loss', value: 1.5 },
    { epoch: 0, step: 10, split: 'train', head: 'len', metric: 'loss', value: 1.7 },
    { epoch: 0, step: 10, split: 'val', head: 'len', metric: 'loss', value: 1.9 },
    { epoch: 0, step: 10, split: 'val', head: 'len', metric: 'accuracy', value: 0.4 },
    { epoch: 0, step: 10, split: 'train', head: '', metric: 'step_loss', value: 3 },
    { epoch: 1, step: 0, split: 'test', head: 'font', metric: 'chance', value: 0.25 },
  ];
  it('turns recorded rows into curves per head', () => {
    expect(headsOf(rows)).toEqual(['len']);
    expect(metricSeries(rows, 'len', 'loss')).toEqual([
      {
        name: 'train',
        points: [
          [5, 2],
          [10, 1.5],
        ],
      },
      { name: 'train (epoch)', points: [[10, 1.7]], dashed: true },
      { name: 'validation', points: [[10, 1.9]] },
    ]);
    expect(metricSeries(rows, 'len', 'accuracy')).toEqual([{ name: 'validation', points: [[10, 0.4]] }]);
    expect(metricSeries(rows, '', 'loss')).toEqual([{ name: 'train', points: [[10, 3]] }]);
    expect(chanceOf(rows, 'font')).toBe(0.25);
    expect(chanceOf(rows, 'len')).toBeNull();
  });

  it('coverage at 98%: the largest most-confident share answered at that accuracy', () => {
    expect(coverageAt([true, true, true, false], 0.98)).toBe(0.75);
    expect(coverageAt([false, true], 0.98)).toBe(0);
    expect(coverageAt(Array(49).fill(true).concat([false]), 0.98)).toBe(1);
    expect(coverageAt([], 0.98)).toBe(0);
  });
});

describe('SpecEditor', () => {
  const spec = {
    name: 's',
    inputs: [{ name: 'x', height: 16, width: 32 }],
    trunk: { preset: 'mlp' },
    heads: [{ name: 'font', target: { kind: 'target', target: 'font_style' } }],
  };
  it('validates as you type and names the bad field', async () => {
    const w = mount(SpecEditor, { props: { modelValue: JSON.stringify(spec), targets: defaultTargetDefs() } });
    expect(w.find('.spec-ok').exists()).toBe(true);
    expect(w.emitted('valid')!.at(-1)).toEqual([true]);
    await w.get('textarea').setValue(JSON.stringify({ ...spec, heads: [{ name: 'font', target: { kind: 'target', target: 'font_style' }, lossWeight: -2 }] }));
    expect(w.get('.spec-problems').text()).toMatch(/heads\.0\.lossWeight/);
    expect(w.emitted('valid')!.at(-1)).toEqual([false]);
    await w.get('textarea').setValue('{ not json');
    expect(w.get('.spec-problems').text()).toMatch(/^JSON: /);
  });

  it('edits through the form: loss weight, adversarial λ, target', async () => {
    const w = mount(SpecEditor, { props: { modelValue: JSON.stringify(spec), targets: defaultTargetDefs() } });
    await w.get('input[aria-label="loss weight"]').setValue('0.5');
    await w.get('input[aria-label="loss weight"]').trigger('change');
    await w.get('input[aria-label="adversarial"]').setValue(true);
    await w.get('select[aria-label="head target"]').setValue('script');
    const json = JSON.parse(w.emitted<[string]>('update:modelValue')!.at(-1)![0]);
    expect(json.heads[0]).toEqual({
      name: 'font',
      target: { kind: 'target', target: 'script' },
      lossWeight: 0.5,
      adversarial: { lambda: { schedule: 'dann', max: 0.05 } },
    });
    expect(w.findAll('select[aria-label="head target"] option').map((o) => o.text())).toEqual(['length', 'font_style', 'script']);
  });

  it('keeps a number typed into one field when the check of the field left before it answers (height, Tab, width typed)', async () => {
    vi.useFakeTimers();
    try {
      const w = mount(SpecEditor, { props: { modelValue: JSON.stringify(spec), targets: defaultTargetDefs(), check: async () => [] } });
      const height = w.get<HTMLInputElement>('input[aria-label="input height"]');
      const width = w.get<HTMLInputElement>('input[aria-label="input width"]');
      await height.setValue('24'); // typed and left: committed, the project check starts
      width.element.value = '56'; // typed, not left yet (setValue would also send change)
      await width.trigger('input');
      await vi.advanceTimersByTimeAsync(1000); // the check answers: the form renders again
      await nextTick();
      expect(w.find('.spec-ok').exists()).toBe(true);
      expect(width.element.value).toBe('56');
      await width.trigger('change');
      const json = JSON.parse(w.emitted<[string]>('update:modelValue')!.at(-1)![0]);
      expect(json.inputs[0]).toMatchObject({ height: 24, width: 56 });
    } finally {
      vi.useRealTimers();
    }
  });
});
