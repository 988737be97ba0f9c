import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageList, ProjectStats } from '../../shared/api/contract.js';
import TargetProgress from '../../renderer/src/components/TargetProgress.vue';

type ListRequest = { offset: number; limit: number; filter: { status: string }; after?: string };
const list = vi.fn<(req: ListRequest) => Promise<ImageList>>();
vi.mock('../../renderer/src/api', () => ({
  api: { images: { list: (req: ListRequest) => list(req) } },
  onEvent: () => () => {},
  mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
}));

const { useDatasetStore, PAGE_SIZE } = await import('../../renderer/src/stores/dataset');

describe('TargetProgress', () => {
  it('shows labeled, unknown and pending per target', () => {
    const stats: ProjectStats = {
      images: 200,
      targets: [
        { targetId: 1, name: 'digits', kind: 'sequence', labeled: 100, unknown: 50, pending: 50, classes: [] },
        { targetId: 3, name: 'font_style', kind: 'categorical', labeled: 0, unknown: 0, pending: 200, classes: [] },
      ],
    };
    const wrapper = mount(TargetProgress, { props: { stats } });
    const digits = wrapper.get('[data-target="digits"]');
    expect(digits.get('.counts').text()).toBe('150/200');
    expect(digits.get('.seg.labeled').attributes('style')).toContain('width: 50%');
    expect(digits.get('.seg.unknown').attributes('style')).toContain('width: 25%');
    expect(digits.get('.bar').attributes('aria-label')).toBe('digits: 100 labeled, 50 unknown, 50 pending');
    expect(wrapper.get('[data-target="font_style"] .counts').text()).toBe('0/200');
  });
});

describe('dataset store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    list.mockReset();
    list.mockImplementation(async ({ offset, limit }) => ({
      total: 450,
      offset,
      items: Array.from({ length: Math.min(limit, 450 - offset) }, (_, i) => ({
        id: offset + i + 1,
        width: 10,
        height: 10,
        originalName: `${offset + i}.png`,
        answered: 0,
        targetCount: 4,
        labels: {},
      })),
      next: offset + limit < 450 ? `after-${offset + limit}` : null,
    }));
  });

  it('asks for the page after a loaded one by its cursor (as cheap deep as on top), and for any other by offset', async () => {
    const store = useDatasetStore();
    await store.ensureRange(0, 10);
    await store.ensureRange(PAGE_SIZE, PAGE_SIZE + 10);
    await store.ensureRange(2 * PAGE_SIZE, 2 * PAGE_SIZE + 10);
    expect(list.mock.calls.map(([r]) => [r.offset, r.after])).toEqual([
      [0, undefined],
      [PAGE_SIZE, `after-${PAGE_SIZE}`],
      [2 * PAGE_SIZE, `after-${2 * PAGE_SIZE}`],
    ]);
    // Another view: the cursors of the old one are dropped.
    await store.setView({ status: 'untouched' });
    await store.ensureRange(PAGE_SIZE, PAGE_SIZE + 10);
    expect(list.mock.calls.slice(3).map(([r]) => [r.offset, r.after])).toEqual([
      [0, undefined],
      [PAGE_SIZE, `after-${PAGE_SIZE}`],
    ]);
  });

  it('loads only the pages a range needs, once', async () => {
    const store = useDatasetStore();
    await store.ensureRange(190, 230);
    expect(list.mock.calls.map(([r]) => r.offset)).toEqual([0, PAGE_SIZE]);
    await store.ensureRange(0, 10);
    expect(list).toHaveBeenCalledTimes(2);
    expect(store.total).toBe(450);
    expect(store.itemAt(205)?.id).toBe(206);
    expect(store.itemAt(420)).toBeUndefined();
  });

  it('arrow keys move the selection from the cursor, clamped to the images shown; Shift extends it', async () => {
    const store = useDatasetStore();
    await store.ensureRange(0, 10);
    expect(await store.moveCursor(1, false)).toBe(0); // nothing chosen yet: the first image
    await store.select(5, 6, { shift: false, toggle: false });
    expect(await store.moveCursor(1, false)).toBe(6);
    expect([...store.selected]).toEqual([7]);
    expect(await store.moveCursor(8, false)).toBe(14); // a row down, 8 columns
    expect(await store.moveCursor(-1, true)).toBe(13);
    expect([...store.selected].sort((a, b) => a - b)).toEqual([14, 15]);
    expect(await store.moveCursor(10_000, false)).toBe(449); // clamped to the last, its page loaded
    expect([...store.selected]).toEqual([450]);
    expect(await store.moveCursor(-10_000, false)).toBe(0);
    store.clearSelection();
    expect(store.cursor).toBeNull();
    expect(store.selectionCount).toBe(0);
  });

  it('drops cached pages when the filter changes', async () => {
    const store = useDatasetStore();
    await store.ensureRange(0, 10);
    await store.setView({ status: 'untouched' });
    expect(list.mock.calls.at(-1)![0]).toMatchObject({ offset: 0, filter: { status: 'untouched' } });
    expect(store.filter).toEqual({ status: 'untouched', order: 'id' });
    expect(list).toHaveBeenCalledTimes(2);
  });
});
