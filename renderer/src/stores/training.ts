import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { BackendInfo, RunMetric, RunSummary, TrainingProgressEvent } from '../../../shared/api/contract.js';
import { api, ApiCallError, onEvent } from '../api';
import { coalesced } from '../composables/use-coalesced';

/** Training runs as the Train and Evaluate views see them: the list, live progress, and the selected run's metrics. */
export const useTrainingStore = defineStore('training', () => {
  const backend = ref<BackendInfo | null>(null);
  const runs = ref<RunSummary[]>([]);
  /** Whether `runs` has been answered once: before that, an empty list means "not known yet", not "none". */
  const runsLoaded = ref(false);
  const presets = shallowRef<{ file: string; spec: unknown }[]>([]);
  const progress = ref<Record<number, TrainingProgressEvent>>({});
  const selectedRunId = ref<number | null>(null);
  const metrics = shallowRef<RunMetric[]>([]);
  const error = ref<string | null>(null);
  /** Per run, why the last resume was refused (another trainer holds it: 409), shown on its row. */
  const runErrors = ref<Record<number, string>>({});

  const selectedRun = computed(() => runs.value.find((r) => r.id === selectedRunId.value) ?? null);
  const active = computed(() => runs.value.filter((r) => r.status === 'running' || r.status === 'paused' || r.status === 'queued'));

  async function guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      error.value = null;
      return await fn();
    } catch (e) {
      error.value = (e as Error).message;
      return undefined;
    }
  }

  /** A newer report than `than` (or the first): events and a run list answered in between may cross. */
  const newer = (p: TrainingProgressEvent, than: TrainingProgressEvent | undefined) =>
    than === undefined || p.step > than.step || (p.step === than.step && p.kind === 'epoch' && than.kind === 'step');

  /** The list, with the latest progress the server holds for each running run: a view opened mid-run shows it at once, not only after the next event. */
  function setRuns(list: RunSummary[]): void {
    runs.value = list;
    const seen = list.filter((r) => r.progress && newer(r.progress, progress.value[r.id]));
    if (seen.length > 0) progress.value = { ...progress.value, ...Object.fromEntries(seen.map((r) => [r.id, r.progress!])) };
  }

  async function refresh(): Promise<void> {
    await guard(async () => {
      setRuns(await api.training.runs({}));
      runsLoaded.value = true;
    });
  }

  async function load(): Promise<void> {
    await guard(async () => {
      const [b, list, p] = await Promise.all([api.training.backend({}), api.training.runs({}), api.training.specs({})]);
      backend.value = b;
      presets.value = p;
      setRuns(list);
      runsLoaded.value = true;
    });
    if (selectedRunId.value === null && runs.value[0]) await select(runs.value[0].id);
  }

  async function loadMetrics(): Promise<void> {
    const id = selectedRunId.value;
    if (id === null) return;
    const result = await guard(() => api.training.metrics({ runId: id }));
    if (result && selectedRunId.value === id) metrics.value = result.rows;
  }
  const loadMetricsSoon = coalesced(() => void loadMetrics(), 800);
  const refreshSoon = coalesced(() => void refresh(), 800);

  async function select(runId: number): Promise<void> {
    selectedRunId.value = runId;
    metrics.value = [];
    await loadMetrics();
  }

  async function start(spec: unknown): Promise<RunSummary | undefined> {
    const run = await guard(() => api.training.start({ spec: spec as never }));
    if (run) {
      await refresh();
      await select(run.id);
    }
    return run;
  }

  async function control(runId: number, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    await guard(() => api.training.control({ runId, action }));
    await refresh();
  }

  async function resume(runId: number): Promise<void> {
    const others = { ...runErrors.value };
    delete others[runId];
    runErrors.value = others;
    try {
      await api.training.resume({ runId });
    } catch (e) {
      const held = e instanceof ApiCallError && e.code === 'conflict';
      runErrors.value = { ...runErrors.value, [runId]: held ? `Not resumed: ${e.message}` : (e as Error).message };
    }
    await refresh();
  }

  /** The spec checked against the project as Start would (targets, positions, classes): the issues, each path relative to the spec. */
  async function check(spec: unknown): Promise<{ path: string; message: string }[]> {
    const result = await api.training.check({ spec });
    return result.issues.map((i) => ({ path: i.path.replace(/^spec\.?/, ''), message: i.message }));
  }

  onEvent('training.progress', (p) => {
    progress.value = { ...progress.value, [p.runId]: p };
    if (p.runId === selectedRunId.value) loadMetricsSoon();
    if (!runs.value.some((r) => r.id === p.runId && r.status === 'running')) refreshSoon();
  });
  onEvent('training.finished', () => {
    void refresh();
    void loadMetrics();
  });

  return {
    backend,
    runsLoaded,
    runs,
    presets,
    progress,
    selectedRunId,
    selectedRun,
    metrics,
    error,
    runErrors,
    active,
    load,
    refresh,
    select,
    start,
    control,
    resume,
    check,
    loadMetrics,
  };
});
