import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { EvaluationReport, EvaluationWarning, HeadReport } from '../../shared/evaluation.js';
import { defaultTargetDefs } from '../engine-fixtures.js';

/** The chart's option as the component hands it to ECharts (canvas does not draw under jsdom). */
const charts = vi.hoisted(() => ({ options: [] as Record<string, unknown>[] }));
vi.mock('vue-echarts', () => ({
  default: defineComponent({
    props: { option: { type: Object, required: true } },
    setup(props) {
      charts.options.push(props.option as Record<string, unknown>);
      return () => h('div', { class: 'chart-stub' });
    },
  }),
}));
const server = vi.hoisted(() => {
  class ApiCallError extends Error {
    constructor(
      readonly code: string,
      message: string,
    ) {
      super(message);
    }
  }
  return { ApiCallError, resume: null as null | ((runId: number) => Promise<unknown>), runs: [] as unknown[] };
});
vi.mock('../../renderer/src/api', () => ({
  ApiCallError: server.ApiCallError,
  api: { training: { resume: (req: { runId: number }) => server.resume!(req.runId), runs: async () => server.runs } },
  onEvent: () => () => {},
  mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
}));

const { default: CalibrationChart } = await import('../../renderer/src/components/CalibrationChart.vue');
const { default: HeadEvaluation } = await import('../../renderer/src/components/HeadEvaluation.vue');
const { default: RunWarnings } = await import('../../renderer/src/components/RunWarnings.vue');
const { default: SplitSummary } = await import('../../renderer/src/components/SplitSummary.vue');
const { default: SpecEditor } = await import('../../renderer/src/components/SpecEditor.vue');
const { describeCheckpoint, describePrediction, describeSplit, calibrationLean, predictedTargets } = await import('../../renderer/src/evaluation-words');
const { decodeQueue, encodeQueue, queueTargetId, queueTitle } = await import('../../renderer/src/labeling/queue');
const { useTrainingStore } = await import('../../renderer/src/stores/training');

const calibration: NonNullable<HeadReport['calibration']> = {
  bins: [
    { from: 0.3, to: 0.4, count: 8, confidence: 0.36, accuracy: 0.125 },
    { from: 0.8, to: 0.9, count: 3, confidence: 0.86, accuracy: 0.66 },
    { from: 0.9, to: 1, count: 1, confidence: 0.94, accuracy: 1 },
  ],
  ece: 0.2137,
};
const head: HeadReport = {
  head: 'length',
  classes: ['1', '2', '3'],
  count: 12,
  accuracy: 0.5,
  confusion: [
    [3, 1, 0],
    [2, 2, 0],
    [0, 3, 1],
  ],
  perClass: [
    { name: '1', precision: 0.6, recall: 0.75, support: 4 },
    { name: '2', precision: 1 / 3, recall: 0.5, support: 4 },
    { name: '3', precision: 1, recall: 0.25, support: 4 },
  ],
  topK: [
    { k: 2, accuracy: 0.8 },
    { k: 3, accuracy: 1 },
  ],
  calibration,
};
const warnings: EvaluationWarning[] = [
  { head: 'length', kind: 'overfitting', message: 'training accuracy 90.0% vs validation 40.0%' },
  { head: 'length', kind: 'few-examples', message: "'3' (4): fewer than 10 test examples" },
];

describe('evaluation in words', () => {
  it('says what a Predict did, and why nothing when nothing was left to predict', () => {
    expect(describePrediction({ images: 0, written: {} })).toBe("Nothing to predict: every image has a human label for each of this run's targets.");
    expect(describePrediction({ images: 1, written: { font_style: 1 } })).toBe('Predicted 1 image: font_style 1.');
    expect(describePrediction({ images: 12, written: { font_style: 12, length: 9 } })).toBe('Predicted 12 images: font_style 12, length 9.');
  });

  it('offers to review only the targets the run has heads for (a sequence through its position heads; compare heads write none)', () => {
    const spec = {
      heads: [
        { name: 'length', target: { kind: 'target', target: 'length' } },
        { name: 'd0', target: { kind: 'position', target: 'digits', position: 0 } },
        { name: 'le', target: { kind: 'compare', target: 'pair', op: 'le', a: 'x', b: 'y' } },
      ],
    };
    expect([...predictedTargets(spec)].sort()).toEqual(['digits', 'length']);
    expect([...predictedTargets({ heads: [{ name: 'font', target: { kind: 'target', target: 'font_style' } }] })]).toEqual(['font_style']);
    expect(predictedTargets(null).size).toBe(0);
    expect(predictedTargets({ heads: 'broken' }).size).toBe(0);
  });

  it('says which checkpoint was evaluated and why', () => {
    expect(describeCheckpoint({ epoch: 7, selectedBy: 'validation loss' }, 10)).toBe('epoch 7 of 10, lowest validation loss');
    expect(describeCheckpoint({ epoch: 4, selectedBy: 'last epoch' }, 4)).toBe('epoch 4 of 4, the last one (no validation split to choose by)');
    expect(describeCheckpoint({}, 4)).toMatch(/^the last epoch \(the run is older/);
  });

  it('says what the split was', () => {
    expect(describeSplit({ kind: 'random', sharedFolders: { shared: 12, folders: 12 } })).toEqual({
      kind: 'random',
      text: "random split, stratified by the first head's label",
      detail: '12 of 12 source folders have images on both sides',
    });
    expect(describeSplit({ kind: 'random', sharedFolders: { shared: 1, folders: 1 } }).detail).toBe('1 of 1 source folder has images on both sides');
    const grouped = describeSplit({
      kind: 'grouped',
      groupBy: 'folder',
      groups: { train: 8, validation: 2, test: 2 },
      sharedFolders: { shared: 0, folders: 12 },
    });
    expect(grouped.text).toBe('grouped by folder: 8 / 2 / 2 groups (train / validation / test)');
    expect(grouped.detail).toBe('no source folder has images on both sides (12 folders)');
    expect(describeSplit({ kind: 'explicit', testWhere: { target: 'book', value: 'B7' } })).toEqual({
      kind: 'explicit',
      text: 'explicit test set: book = B7',
      detail: null,
    });
    expect(describeSplit(undefined).kind).toBe('unknown');
  });

  it('calls a head overconfident when its confidence runs above its accuracy', () => {
    expect(calibrationLean(calibration.bins)).toBe('overconfident');
    expect(calibrationLean([{ count: 5, confidence: 0.5, accuracy: 0.9 }])).toBe('underconfident');
    expect(calibrationLean([{ count: 5, confidence: 0.9, accuracy: 0.9 }])).toBeNull();
    expect(calibrationLean([])).toBeNull();
  });
});

describe('RunWarnings', () => {
  it('draws each warning with its kind, and nothing without any', () => {
    const w = mount(RunWarnings, { props: { warnings, label: 'Warnings for head length' } });
    expect(w.get('.run-warnings').attributes('aria-label')).toBe('Warnings for head length');
    expect(w.findAll('.run-warning').map((p) => p.attributes('data-warning'))).toEqual(['overfitting', 'few-examples']);
    expect(w.get('[data-warning="overfitting"]').text()).toContain('Overfitting: training accuracy 90.0% vs validation 40.0%');
    expect(
      mount(RunWarnings, { props: { warnings: [], label: 'x' } })
        .find('.run-warnings')
        .exists(),
    ).toBe(false);
    expect(
      mount(RunWarnings, { props: { warnings: [], label: 'x' }, slots: { default: () => 'also' } })
        .get('.run-warnings')
        .text(),
    ).toBe('also');
  });
});

describe('SplitSummary', () => {
  it('shows the checkpoint, the split and the test set', () => {
    const report: EvaluationReport = {
      count: 250,
      heads: [],
      sequences: [],
      epoch: 7,
      selectedBy: 'validation loss',
      split: { kind: 'grouped', groupBy: 'target page', groups: { train: 8, validation: 2, test: 2 } },
    };
    const w = mount(SplitSummary, { props: { report, epochs: 10 } });
    expect(w.get('[data-testid=checkpoint]').text()).toBe('epoch 7 of 10, lowest validation loss');
    expect(w.get('[data-testid=split]').text()).toBe('grouped by target page: 8 / 2 / 2 groups (train / validation / test)');
    expect(w.get('[data-testid=split]').attributes('data-split')).toBe('grouped');
    expect(w.text()).toContain('250 examples');
  });
});

describe('CalibrationChart', () => {
  beforeEach(() => (charts.options.length = 0));

  it('draws accuracy per confidence bin against the diagonal, and states the ECE', () => {
    const w = mount(CalibrationChart, { props: { head: 'length', calibration } });
    expect(w.get('[data-testid=ece]').text()).toBe('ECE 21.4%');
    expect(w.get('figcaption').text()).toContain('(overconfident)');
    const option = charts.options.at(-1) as { xAxis: { data: string[] }; series: { name: string; data: unknown[] }[] };
    expect(option.xAxis.data).toHaveLength(10);
    expect(option.xAxis.data[3]).toBe('30–40');
    const [accuracy, confidence, diagonal] = option.series;
    expect(accuracy!.data).toEqual(['-', '-', '-', 0.125, '-', '-', '-', '-', 0.66, 1]);
    expect(confidence!.data[8]).toBe(0.86);
    expect(diagonal!.name).toBe('calibrated');
    expect(diagonal!.data[0]).toBeCloseTo(0.05);
    expect(diagonal!.data[9]).toBeCloseTo(0.95);
  });

  it('says so when there are no test images', () => {
    const w = mount(CalibrationChart, { props: { head: 'x', calibration: { bins: [], ece: 0 } } });
    expect(w.find('.chart-stub').exists()).toBe(false);
    expect(w.text()).toContain('No test images.');
    expect(w.get('[data-testid=ece]').text()).toBe('ECE –'); // no images: no calibration to state, not 0.0%
  });
});

describe('HeadEvaluation', () => {
  it('shows top-k next to accuracy, the head’s warnings next to its matrix, and the calibration', () => {
    const w = mount(HeadEvaluation, { props: { head, warnings, normalized: false, cell: null } });
    expect(w.get('[data-testid=accuracy]').text()).toBe('accuracy 50.0% on 12');
    expect(w.get('[data-top-k="2"]').text()).toBe('top-2 80.0%');
    expect(w.get('[data-top-k="3"]').text()).toBe('top-3 100.0%');
    expect(w.findAll('[data-testid=head-warnings] .run-warning')).toHaveLength(2);
    expect(w.find('.confusion').exists()).toBe(true);
    expect(w.find('[data-testid=calibration]').exists()).toBe(true);
  });

  it('offers its mistakes as a queue (off-diagonal count), and none when it made none', async () => {
    const w = mount(HeadEvaluation, { props: { head, warnings: [], normalized: false, cell: null } });
    const button = w.get('[data-testid=review-mistakes]');
    expect(button.text()).toBe('Review most confident mistakes (6)');
    await button.trigger('click');
    expect(w.emitted('reviewMistakes')).toHaveLength(1);
    const perfect = { ...head, confusion: [[4, 0], [0, 4]] }; // prettier-ignore
    expect(
      mount(HeadEvaluation, { props: { head: perfect, warnings: [], normalized: false, cell: null } })
        .get('[data-testid=review-mistakes]')
        .attributes(),
    ).toHaveProperty('disabled');
  });

  it('marks the accuracy of a head at chance level', () => {
    const w = mount(HeadEvaluation, { props: { head, warnings: [{ head: 'length', kind: 'chance', message: 'no better' }], normalized: false, cell: null } });
    expect(w.get('[data-testid=accuracy]').classes()).toContain('warned');
  });
});

describe('the mistakes queue', () => {
  it('has a text form for the URL, a title, and its head’s target', () => {
    const q = { kind: 'mistakes', runId: 4, head: 'd:0' } as const;
    expect(encodeQueue(q)).toBe('mistakes:4:d:0');
    expect(decodeQueue('mistakes:4:d:0')).toEqual(q);
    expect(decodeQueue('mistakes:x:len')).toBeNull();
    expect(decodeQueue('mistakes:4:')).toBeNull();
    expect(queueTitle(q, [])).toBe('Most confident mistakes of run 4, head d:0');
    expect(queueTargetId(q, 2)).toBe(2);
  });
});

describe('SpecEditor checked against the project', () => {
  const spec = {
    name: 's',
    inputs: [{ name: 'x', height: 16, width: 32 }],
    trunk: { preset: 'mlp' },
    heads: [{ name: 'font', target: { kind: 'target', target: 'font_style' } }],
  };
  const nope = { ...spec, heads: [{ name: 'font', target: { kind: 'target', target: 'nope' } }] };
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is valid only once the project accepts it; issues are shown by field', async () => {
    const check = vi.fn(async (s: unknown) =>
      (s as typeof spec).heads[0]!.target.target === 'nope' ? [{ path: 'heads.0.target.target', message: "no target named 'nope'" }] : [],
    );
    const w = mount(SpecEditor, { props: { modelValue: JSON.stringify(spec), targets: defaultTargetDefs(), check } });
    expect(w.emitted('valid')!.at(-1)).toEqual([false]); // not asked yet
    expect(w.find('.spec-checking').exists()).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(w.get('.spec-ok').text()).toBe('Spec is valid for this project.');
    expect(w.emitted('valid')!.at(-1)).toEqual([true]);

    await w.get('textarea').setValue(JSON.stringify(nope));
    expect(w.emitted('valid')!.at(-1)).toEqual([false]); // at once, while the project is asked
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(w.get('.spec-problems').text()).toBe("heads.0.target.target: no target named 'nope'");
    expect(w.get('[data-head="font"]').classes()).toContain('has-issue');
    expect(w.get('[data-head-issues="font"]').text()).toContain("no target named 'nope'");
    expect(w.get('[data-head="font"] td.mono').classes()).toContain('invalid'); // the field, not the whole row
    expect(w.get('input[aria-label="loss weight"]').element.closest('td')!.classList.contains('invalid')).toBe(false);
    expect(w.get('select[aria-label="head target"]').text()).toContain('nope (no such target)');
    expect(w.find('.spec-ok').exists()).toBe(false);
    expect(w.emitted('valid')!.at(-1)).toEqual([false]);
  });

  it('asks once the typing pauses, and an older answer never overrides a newer one', async () => {
    let answer!: (issues: { path: string; message: string }[]) => void;
    const check = vi.fn(() => new Promise<{ path: string; message: string }[]>((r) => (answer = r)));
    const w = mount(SpecEditor, { props: { modelValue: JSON.stringify(spec), targets: defaultTargetDefs(), check } });
    await w.get('textarea').setValue(JSON.stringify({ ...spec, name: 'a' }));
    await w.get('textarea').setValue(JSON.stringify({ ...spec, name: 'ab' }));
    await vi.advanceTimersByTimeAsync(300);
    expect(check).toHaveBeenCalledTimes(1);
    const first = answer;
    await w.get('textarea').setValue(JSON.stringify(nope));
    await vi.advanceTimersByTimeAsync(300);
    expect(check).toHaveBeenCalledTimes(2);
    answer([{ path: 'heads.0.target.target', message: 'no such target' }]);
    first([]); // the stale answer arrives last
    await flushPromises();
    expect(w.get('.spec-problems').text()).toContain('no such target');
  });

  it('says so when the project cannot be asked', async () => {
    const w = mount(SpecEditor, {
      props: { modelValue: JSON.stringify(spec), targets: defaultTargetDefs(), check: () => Promise.reject(new Error('server gone')) },
    });
    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(w.get('.spec-problems').text()).toBe('Could not check the spec against the project: server gone');
    expect(w.emitted('valid')!.at(-1)).toEqual([false]);
  });
});

describe('training store: resume', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows a refused resume (409: another trainer holds the run) on its run', async () => {
    server.resume = async (runId) => {
      throw new server.ApiCallError(
        'conflict',
        `run ${runId} is being trained by process 4242 on box (last heartbeat 1 s ago); a run has one trainer at a time`,
      );
    };
    const training = useTrainingStore();
    await training.resume(3);
    expect(training.runErrors[3]).toBe('Not resumed: run 3 is being trained by process 4242 on box (last heartbeat 1 s ago); a run has one trainer at a time');
    expect(training.error).toBeNull();
    server.resume = async () => ({});
    await training.resume(3);
    expect(training.runErrors[3]).toBeUndefined();
  });
});
