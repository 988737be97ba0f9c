import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ProjectInfo, ProjectStats } from '../../../shared/api/contract.js';
import type { TargetDef } from '../../../shared/targets.js';
import { api } from '../api';
import { coalesced } from '../composables/use-coalesced';

/** The open project: its info, targets and per-target label counts. */
export const useProjectStore = defineStore('project', () => {
  const info = ref<ProjectInfo | null>(null);
  const stats = ref<ProjectStats | null>(null);
  const targets = ref<TargetDef[]>([]);
  const error = ref<string | null>(null);

  const targetById = computed(() => new Map(targets.value.map((t) => [t.id, t])));
  const sequenceTarget = computed(() => targets.value.find((t) => t.kind === 'sequence') ?? null);

  async function refresh(): Promise<void> {
    try {
      const [i, s, t] = await Promise.all([api.project.info({}), api.project.stats({}), api.targets.list({})]);
      // Replace only what changed: the labeler re-renders its controls when targets change.
      if (JSON.stringify(i) !== JSON.stringify(info.value)) info.value = i;
      stats.value = s;
      if (JSON.stringify(t) !== JSON.stringify(targets.value)) targets.value = t;
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** One refresh for a burst of change events. */
  const refreshSoon = coalesced(() => void refresh(), 300);

  return { info, stats, targets, error, targetById, sequenceTarget, refresh, refreshSoon };
});
