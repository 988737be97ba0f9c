import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { TrainingProgressEvent } from '../../shared/api/events.js';
import type { RunSummary } from '../../shared/runs.js';

/** The Train view opened (or the page reloaded) while a run trains: it reads training.runs, and events only come later. */
const server = vi.hoisted(() => ({ runs: [] as unknown[], events: new Map<string, (payload: unknown) => void>() }));
vi.mock('vue-echarts', () => ({ default: defineComponent(() => () => h('div')) }));
vi.mock('../../renderer/src/api', () => ({
  ApiCallError: class extends Error {},
  api: {
    training: {
      backend: async () => ({ name: 'cpu', reason: 'test' }),
      runs: async () => server.runs,
      specs: async () => [],
      metrics: async () => ({ rows: [] }),
    },
  },
  onEvent: (name: string, fn: (payload: unknown) => void) => {
    server.events.set(name, fn);
    return () => {};
  },
}));

const { default: TrainView } = await import('../../renderer/src/views/TrainView.vue');

const spec = { name: 'digits', training: { epochs: 3 } };
const summary = (over: Partial<RunSummary>): RunSummary => ({
  id: 1,
  name: 'digits',
  spec,
  status: 'running',
  backend: 'cpu',
  epochsDone: 1,
  stepsDone: 240,
  createdAt: '2026-11-30T07:00:00Z',
  finishedAt: null,
  error: null,
  createdBy: null,
  ...over,
});
const report = (over: Partial<TrainingProgressEvent>): TrainingProgressEvent => ({
  runId: 1,
  kind: 'step',
  epoch: 1,
  epochs: 3,
  step: 300,
  totalSteps: 720,
  loss: 0.5,
  learningRate: 0.001,
  heads: {},
  elapsedMs: 60_000,
  etaMs: 84_000,
  decoded: { done: 900, total: 1000 },
  phase: 'training',
  ...over,
});

async function open() {
  const view = mount(TrainView, { global: { stubs: { RouterLink: true, SpecEditor: true } } });
  await flushPromises();
  return view;
}
const progressCell = (view: Awaited<ReturnType<typeof open>>) => view.find('tr[data-run="1"]').findAll('td')[3]!;

describe('Train view opened mid-run', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    server.events.clear();
  });

  it("shows the run's latest progress from training.runs at once, before any event: epoch, step, time left, decoding", async () => {
    server.runs = [summary({ progress: report({}) })];
    const cell = progressCell(await open());
    expect(cell.text()).toContain('epoch 2/3, step 300/720');
    expect(cell.text()).toContain('1 min left');
    expect(cell.text()).toContain('decoded 900 of 1,000 images');
    expect(cell.find('progress').attributes('value')).toBe('300');
  });

  it('says when the epochs are done and the test split is being evaluated, without a time left of 0 s', async () => {
    server.runs = [summary({ epochsDone: 3, stepsDone: 720, progress: report({ kind: 'epoch', epoch: 2, step: 720, etaMs: 0, phase: 'evaluating' }) })];
    const cell = progressCell(await open());
    expect(cell.find('[data-testid="run-phase"]').text()).toBe('· evaluating the test split');
    expect(cell.text()).not.toContain('s left');
  });

  it('keeps the newer of an event and the list: a list answered after an event does not step back', async () => {
    server.runs = [summary({ progress: report({ step: 300 }) })];
    const view = await open();
    server.events.get('training.progress')!(report({ step: 320 }));
    await flushPromises();
    expect(progressCell(view).text()).toContain('step 320/720');
  });

  it("a run without a progress report reads '1 of 3 epochs done, 240 steps', not '1 epochs'", async () => {
    server.runs = [summary({})];
    const cell = progressCell(await open());
    expect(cell.text()).toContain('1 of 3 epochs done, 240 steps');
    expect(cell.text()).not.toContain('1 epochs');
    expect(cell.find('[data-testid="no-live-progress"]').exists()).toBe(true);
  });

  it("a finished run says what it did, singular for one: '1 of 1 epoch done'", async () => {
    server.runs = [summary({ status: 'completed', spec: { training: { epochs: 1 } }, stepsDone: 1 })];
    const cell = progressCell(await open());
    expect(cell.text()).toBe('1 of 1 epoch done, 1 step');
  });
});
