import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportJob } from '../../shared/api/contract.js';

const cancel = vi.fn(async (req: { jobId: string }) => ({ ...running, jobId: req.jobId }));
vi.mock('../../renderer/src/api', () => ({
  api: { imports: { cancel: (req: { jobId: string }) => cancel(req) } },
  onEvent: () => () => {},
  mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
}));

const running: ImportJob = { jobId: 'j1', state: 'running', paths: ['/x'], done: 3, total: 10, startedAt: '', summary: null, error: null };
const ImportPanel = (await import('../../renderer/src/components/ImportPanel.vue')).default;
const AddSequenceTarget = (await import('../../renderer/src/components/AddSequenceTarget.vue')).default;
const { useImportsStore } = await import('../../renderer/src/stores/imports');
const { useUploadsStore } = await import('../../renderer/src/stores/uploads');

const stubs = { FileSources: true, UploadStatus: true, TranscriptOption: true, FolderLabelsField: true };

describe('ImportPanel', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    cancel.mockClear();
  });

  it('refuses an import or upload with "labels from folder names" ticked and a rule naming no target, saying why', async () => {
    const imports = useImportsStore();
    const uploads = useUploadsStore();
    const start = vi.spyOn(imports, 'start').mockResolvedValue(undefined);
    const upload = vi.spyOn(uploads, 'upload').mockResolvedValue(undefined);
    const wrapper = mount(ImportPanel, { global: { stubs } });
    await wrapper.get('input[name=from-folders]').setValue(true);
    await wrapper.get('input[name=import-path]').setValue('/data/crops');
    await wrapper.get('form').trigger('submit');
    expect(start).not.toHaveBeenCalled();
    expect(wrapper.get('[data-testid=import-refused]').text()).toMatch(/name the target each folder level labels/);
    await (wrapper.vm as unknown as { uploadItems: (items: unknown[]) => Promise<void> }).uploadItems([]);
    expect(upload).not.toHaveBeenCalled();
    // Unticked, the same path imports (the empty rule is not sent) and the message goes.
    await wrapper.get('input[name=from-folders]').setValue(false);
    await wrapper.get('form').trigger('submit');
    expect(start).toHaveBeenCalledWith(['/data/crops'], {});
    expect(wrapper.find('[data-testid=import-refused]').exists()).toBe(false);
  });

  it('names the classes an import created (a typo in a labels file becomes a class)', () => {
    const store = useImportsStore();
    store.job = {
      ...running,
      state: 'finished',
      summary: {
        imported: 3,
        duplicates: 0,
        rejected: [],
        rejectedTotal: 0,
        ignored: [],
        ignoredTotal: 0,
        labelsApplied: 3,
        labelProblems: [],
        labelProblemsTotal: 0,
        duplicateItems: [],
        createdClasses: ['font_style:srif'],
        elapsedMs: 10,
        stopped: null,
      },
    };
    const wrapper = mount(ImportPanel, { global: { stubs } });
    expect(wrapper.get('[data-testid=created-classes]').text()).toBe('new classes: font_style = srif');
  });

  it('has a Cancel button while an import runs, which cancels that job', async () => {
    const store = useImportsStore();
    store.job = running;
    const wrapper = mount(ImportPanel, { global: { stubs } });
    await wrapper.get('button.cancel-import').trigger('click');
    expect(cancel).toHaveBeenCalledWith({ jobId: 'j1' });
  });

  it('shows a cancelled job with what it kept, totals beyond the listed entries, and duplicates with the image they duplicate', async () => {
    const store = useImportsStore();
    store.job = {
      ...running,
      state: 'cancelled',
      summary: {
        imported: 4,
        duplicates: 1,
        rejected: [{ item: 'bad.png', reason: 'not an image' }],
        rejectedTotal: 1201,
        ignored: [],
        ignoredTotal: 0,
        labelsApplied: 2,
        labelProblems: [],
        labelProblemsTotal: 0,
        duplicateItems: [{ item: 'copy.png', of: 'a.png', imageId: 7 }],
        createdClasses: [],
        elapsedMs: 10,
        stopped: 'cancelled after 6 of 10 items; what was loaded is kept',
      },
    };
    const wrapper = mount(ImportPanel, { global: { stubs } });
    expect(wrapper.find('button.cancel-import').exists()).toBe(false);
    expect(wrapper.text()).toContain('Import cancelled.');
    expect(wrapper.get('.summary').text()).toMatch(/Imported 4, 1 duplicates skipped, 1201 rejected,\s+2 labels applied/);
    await wrapper.get('.summary button.link').trigger('click');
    const details = wrapper.get('.problems').text();
    expect(details).toContain('stopped: cancelled after 6 of 10 items');
    expect(details).toContain('copy.png: duplicate of a.png (image 7)');
    expect(details).toContain('… and 1200 more');
  });

  it("names the UI's own checkbox, not the CLI's --extend-alphabet, for transcripts with characters outside the alphabet", async () => {
    const store = useImportsStore();
    store.job = {
      ...running,
      state: 'finished',
      summary: {
        imported: 2,
        duplicates: 0,
        rejected: [],
        rejectedTotal: 0,
        ignored: [],
        ignoredTotal: 0,
        labelsApplied: 1,
        labelProblems: [{ item: 'l02.gt.txt', reason: "character 'é' not in the alphabet of 'line'; not labeled", remedy: 'extendAlphabet' }],
        labelProblemsTotal: 1,
        duplicateItems: [],
        createdClasses: [],
        elapsedMs: 10,
        stopped: null,
        transcripts: { target: 'line', files: 2, matched: 1, alphabetAdded: '' },
      },
    };
    const wrapper = mount(ImportPanel, { global: { stubs } });
    await wrapper.get('.summary button.link').trigger('click');
    const details = wrapper.get('.problems').text();
    expect(details).toContain(
      "l02.gt.txt: character 'é' not in the alphabet of 'line'; not labeled (ticking 'add characters outside its alphabet to it' adds them)",
    );
    expect(details).not.toContain('--extend-alphabet');
  });

  it("the sequence target form says where the UI imports transcripts, not the CLI's polyhead import --transcripts", () => {
    const note = mount(AddSequenceTarget).get('.note').text();
    expect(note).not.toContain('polyhead');
    expect(note).toMatch(/OCR transcripts \(NAME\.gt\.txt\) import into it from Import: choose it under 'OCR transcripts \(NAME\.gt\.txt\) label/);
  });
});
