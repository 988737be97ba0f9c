import { flushPromises, mount, shallowMount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { EventName, PolyheadEvents } from '../../shared/api/contract.js';

/** The api module's event subscription, faked: who listens to what, and a way to emit. */
const bus = vi.hoisted(() => {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    listeners,
    count: (event: string) => listeners.get(event)?.size ?? 0,
    emit: (event: string, payload: unknown) => [...(listeners.get(event) ?? [])].forEach((l) => l(payload)),
    onEvent: (event: string, handler: (payload: unknown) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      // Each subscription is its own entry, as with the real module, even for one handler.
      const entry = (payload: unknown) => handler(payload);
      listeners.get(event)!.add(entry);
      return () => listeners.get(event)!.delete(entry);
    },
  };
});

vi.mock('../../renderer/src/api', () => ({
  api: {
    training: {
      backend: async () => ({ backend: 'cpu' }),
      runs: async () => [],
      specs: async () => [],
    },
    images: { list: async ({ offset }: { offset: number }) => ({ total: 0, offset, items: [] }) },
    project: { info: async () => ({}), stats: async () => ({ images: 0, targets: [] }) },
    targets: { list: async () => [] },
  },
  onEvent: bus.onEvent,
  pickPaths: undefined,
  transport: 'http',
  mediaPath: { thumb: (id: number) => `media/thumb/${id}`, image: (id: number) => `media/image/${id}` },
}));

const { useApiEvent } = await import('../../renderer/src/composables/use-api-event');
const { default: EvaluateView } = await import('../../renderer/src/views/EvaluateView.vue');
const { default: DatasetView } = await import('../../renderer/src/views/DatasetView.vue');

function listenerOf<E extends EventName>(event: E, handler: (payload: PolyheadEvents[E]) => void) {
  return defineComponent({
    setup() {
      useApiEvent(event, handler);
      return () => h('div');
    },
  });
}

describe('useApiEvent', () => {
  beforeEach(() => bus.listeners.clear());

  it('delivers events while the component is mounted and unsubscribes when it unmounts', () => {
    const handler = vi.fn();
    const wrapper = mount(listenerOf('predict.progress', handler));
    expect(bus.count('predict.progress')).toBe(1);
    bus.emit('predict.progress', { runId: 1, done: 1, total: 2 });
    expect(handler).toHaveBeenCalledWith({ runId: 1, done: 1, total: 2 });
    wrapper.unmount();
    expect(bus.count('predict.progress')).toBe(0);
    bus.emit('predict.progress', { runId: 1, done: 2, total: 2 });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('can be stopped early; unmounting afterwards is harmless', () => {
    const handler = vi.fn();
    let stop: () => void = () => {};
    const wrapper = mount(
      defineComponent({
        setup() {
          stop = useApiEvent('targets.changed', handler);
          return () => h('div');
        },
      }),
    );
    stop();
    expect(bus.count('targets.changed')).toBe(0);
    bus.emit('targets.changed', { targetId: 1 });
    wrapper.unmount();
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('views subscribe to events only while shown', () => {
  let pinia: Pinia;
  beforeEach(() => {
    bus.listeners.clear();
    pinia = createPinia();
    setActivePinia(pinia);
  });

  const router = () =>
    createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: { render: () => null } },
        { path: '/label/:id?', name: 'label', component: { render: () => null } },
      ],
    });

  it('EvaluateView leaves no predict.progress listener behind, however often it is visited', async () => {
    for (let visit = 0; visit < 3; visit++) {
      const wrapper = shallowMount(EvaluateView, { global: { plugins: [pinia, router()] } });
      await flushPromises();
      expect(bus.count('predict.progress')).toBe(1);
      wrapper.unmount();
      expect(bus.count('predict.progress')).toBe(0);
    }
  });

  it('DatasetView drops its import and annotation listeners when it unmounts', async () => {
    const wrapper = shallowMount(DatasetView, { global: { plugins: [pinia, router()] } });
    await flushPromises();
    // The imports store listens for the app's lifetime; the view adds one of each on top.
    const withView = { progress: bus.count('import.progress'), annotations: bus.count('annotations.changed') };
    wrapper.unmount();
    expect(bus.count('import.progress')).toBe(withView.progress - 1);
    expect(bus.count('annotations.changed')).toBe(withView.annotations - 1);
  });
});
