import { flushPromises, shallowMount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { EvaluationReport } from '../../shared/evaluation.js';
import type { RunSummary } from '../../shared/runs.js';
import type { TargetDef } from '../../shared/targets.js';

/** Evaluate's "review least confident first": only the targets the selected run has heads for. */
const report: EvaluationReport = { count: 0, heads: [], sequences: [] };
const run = (id: number, heads: unknown[]): RunSummary => ({
  id,
  name: `run ${id}`,
  spec: { heads },
  status: 'completed',
  backend: 'cpu',
  epochsDone: 1,
  stepsDone: 1,
  createdAt: '2026-11-30T07:00:00Z',
  finishedAt: '2026-11-30T07:10:00Z',
  error: null,
  createdBy: null,
});
const runs = [
  run(2, [{ name: 'font', target: { kind: 'target', target: 'font_style' } }]),
  run(1, [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
  ]),
];
vi.mock('../../renderer/src/api', () => ({
  api: { training: { backend: async () => ({ name: 'cpu', reason: 'test' }), runs: async () => runs, specs: async () => [], evaluation: async () => report } },
  onEvent: () => () => {},
}));

const { default: EvaluateView } = await import('../../renderer/src/views/EvaluateView.vue');
const { useProjectStore } = await import('../../renderer/src/stores/project');

const target = (id: number, name: string): TargetDef => ({
  id,
  name,
  kind: 'categorical',
  alphabet: null,
  maxLength: null,
  sourceTargetId: null,
  position: id,
  hotkey: null,
  classes: [],
});

describe('Evaluate: review least confident first', () => {
  it('lists only the targets the selected run has heads for, and follows the run chosen', async () => {
    setActivePinia(createPinia());
    useProjectStore().targets = [target(1, 'digits'), target(2, 'length'), target(3, 'font_style')];
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { render: () => null } }] });
    const view = shallowMount(EvaluateView, { global: { plugins: [router] } });
    await flushPromises();
    const offered = () => view.findAll('[data-review]').map((b) => b.attributes('data-review'));
    expect(offered()).toEqual(['font_style']);
    await view.find('select[aria-label="Run to evaluate"]').setValue('1');
    await flushPromises();
    expect(offered()).toEqual(['digits', 'length']);
  });
});
