import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProjectInfo } from '../../shared/api/contract.js';
import type { TargetDef } from '../../shared/targets.js';

vi.mock('../../renderer/src/api', () => ({
  api: {},
  onEvent: () => () => {},
  pickPaths: null,
  mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
}));

const { allowedFor } = await import('../../renderer/src/composables/use-permission');
const { useProjectStore } = await import('../../renderer/src/stores/project');
const { useImportsStore } = await import('../../renderer/src/stores/imports');
const ImportPanel = (await import('../../renderer/src/components/ImportPanel.vue')).default;
const TargetLifecycle = (await import('../../renderer/src/components/TargetLifecycle.vue')).default;

const session = (role: ProjectInfo['role'], readOnly = false) => ({ user: 'lee', role, readOnly });

describe('what the session may do, from the role the API reports', () => {
  it('a labeler labels and reads; training, imports, exports and target changes name the role they need', () => {
    expect(allowedFor(session('labeler'), 'label')).toEqual({ allowed: true, reason: undefined });
    for (const permission of ['train', 'import', 'export', 'targets'] as const) {
      expect(allowedFor(session('labeler'), permission)).toEqual({
        allowed: false,
        reason: 'Needs the trainer role: lee is a labeler (an admin can change it: polyhead users)',
      });
      expect(allowedFor(session('trainer'), permission).allowed).toBe(true);
      expect(allowedFor(session('admin'), permission).allowed).toBe(true);
    }
    // A read-only server changes nothing, whoever asks; before the session is known the server decides.
    expect(allowedFor(session('admin', true), 'import')).toEqual({ allowed: false, reason: 'This server is read-only: nothing can be changed through it' });
    expect(allowedFor(session('admin', true), 'read').allowed).toBe(true);
    expect(allowedFor(null, 'train').allowed).toBe(true);
  });
});

describe('controls a labeler cannot use', () => {
  beforeEach(() => setActivePinia(createPinia()));
  const info = (role: ProjectInfo['role']) =>
    ({ name: 'p', dataDir: 'p', schemaVersion: 14, imageCount: 1, createdAt: '', user: 'lee', role, readOnly: false }) satisfies ProjectInfo;

  it('are disabled with a tooltip naming the role, and do nothing when triggered anyway', async () => {
    useProjectStore().info = info('labeler');
    const start = vi.spyOn(useImportsStore(), 'start').mockResolvedValue(undefined);
    const panel = mount(ImportPanel, { global: { stubs: { UploadStatus: true, TranscriptOption: true, FolderLabelsField: true } } });
    expect(panel.get('input[name=import-path]').attributes('disabled')).toBeDefined();
    expect(panel.get('[data-testid=import-needs-role]').text()).toBe('Needs the trainer role: lee is a labeler (an admin can change it: polyhead users)');
    const importButton = panel.get('button[type=submit]');
    expect(importButton.attributes('disabled')).toBeDefined();
    expect(importButton.attributes('title')).toMatch(/^Needs the trainer role: lee is a labeler/);
    for (const upload of ['upload-files', 'upload-folder']) {
      expect(panel.get(`[data-testid=${upload}]`).attributes('disabled')).toBeDefined();
      expect(panel.get(`[data-testid=${upload}]`).attributes('title')).toMatch(/trainer role/);
    }
    await panel.get('form').trigger('submit');
    expect(start).not.toHaveBeenCalled();

    const target = { id: 3, name: 'font_style', kind: 'categorical', classes: [] } as unknown as TargetDef;
    const lifecycle = mount(TargetLifecycle, { props: { target } });
    expect(lifecycle.get('[data-action=remove-target]').attributes('disabled')).toBeDefined();
    expect(lifecycle.get('[data-action=remove-target]').attributes('title')).toMatch(/trainer role/);
    expect(lifecycle.get('[data-action=rename-target]').attributes('disabled')).toBeDefined();
  });

  it('are enabled for a trainer', async () => {
    useProjectStore().info = info('trainer');
    const panel = mount(ImportPanel, { global: { stubs: { UploadStatus: true, TranscriptOption: true, FolderLabelsField: true } } });
    await panel.get('input[name=import-path]').setValue('/data/crops');
    expect(panel.get('button[type=submit]').attributes('disabled')).toBeUndefined();
    expect(panel.get('button[type=submit]').attributes('title')).toBeUndefined();
    expect(panel.get('[data-testid=upload-files]').attributes('disabled')).toBeUndefined();
    expect(panel.find('[data-testid=import-needs-role]').exists()).toBe(false);
    const lifecycle = mount(TargetLifecycle, { props: { target: { id: 3, name: 'font_style' } as unknown as TargetDef } });
    expect(lifecycle.get('[data-action=remove-target]').attributes('disabled')).toBeUndefined();
  });
});
