import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import { ACTION_TOAST_MS, TOAST_MS, useToast } from '../../renderer/src/composables/use-toast';
import { CHORD_TIMEOUT_MS, NAV_KEYS, globalKeyStep, useGlobalKeys, type ChordState } from '../../renderer/src/composables/use-global-keys';

describe('g chords and app keys (pure)', () => {
  const run = (keys: string[], gap = 100) => {
    let state: ChordState = { gAt: null };
    const actions = [];
    let t = 0;
    for (const key of keys) {
      const step = globalKeyStep(state, { key }, (t += gap));
      state = step.state;
      if (step.action) actions.push(step.action);
    }
    return actions;
  };

  it('g then a view letter goes to that view', () => {
    for (const n of NAV_KEYS) expect(run(n.keys.split(' '))).toEqual([{ type: 'go', path: n.path }]);
    expect(run(['g', 'D'])).toEqual([{ type: 'go', path: '/dataset' }]);
  });

  it('a chord ends after the timeout, on an unknown second key, or with a modifier', () => {
    expect(run(['g', 'd'], CHORD_TIMEOUT_MS + 1)).toEqual([]);
    expect(run(['g', 'x', 'd'])).toEqual([]);
    let state = globalKeyStep({ gAt: null }, { key: 'g' }, 0).state;
    state = globalKeyStep(state, { key: 'Shift' }, 10).state; // a lone modifier keeps the chord
    expect(globalKeyStep(state, { key: 'E' }, 20).action).toEqual({ type: 'go', path: '/evaluate' });
    expect(globalKeyStep(state, { key: 'd', ctrlKey: true }, 20).action).toBeNull();
  });

  it('q opens the queue picker and ? the key list', () => {
    expect(run(['q'])).toEqual([{ type: 'queuePicker' }]);
    expect(run(['Q'])).toEqual([{ type: 'queuePicker' }]);
    expect(run(['?'])).toEqual([{ type: 'help' }]);
    expect(run(['g', 'q'])).toEqual([]);
  });
});

describe('useGlobalKeys', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  async function setup() {
    const page = (name: string) => defineComponent({ name: `${name}-view`, render: () => h('div', { class: name }, name) });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: ['dataset', 'label', 'targets', 'train', 'evaluate'].map((name) => ({ path: `/${name}`, name, component: page(name) })),
    });
    await router.push('/dataset');
    let help: ReturnType<typeof useGlobalKeys>['helpOpen'] | undefined;
    const App = defineComponent({
      setup() {
        help = useGlobalKeys(router).helpOpen;
        return () => h(RouterView);
      },
    });
    const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body });
    await router.isReady();
    return { router, wrapper, help: () => help!.value };
  }

  const press = async (key: string, target: EventTarget = window) => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    await new Promise((r) => setTimeout(r, 5));
  };

  it('navigates with g chords, not while typing in a field, and not when a view took the key', async () => {
    const { router, wrapper } = await setup();
    await press('g');
    await press('t');
    await new Promise((r) => setTimeout(r, 5));
    expect(router.currentRoute.value.path).toBe('/targets');

    const input = document.createElement('input');
    document.body.append(input);
    await press('g', input);
    await press('e', input);
    expect(router.currentRoute.value.path).toBe('/targets');

    const taker = (e: KeyboardEvent) => e.key === 'g' && e.preventDefault();
    window.addEventListener('keydown', taker);
    await press('g');
    await press('e');
    window.removeEventListener('keydown', taker);
    expect(router.currentRoute.value.path).toBe('/targets');
    wrapper.unmount();
  });

  it('keeps a chord whose second key comes before the first was handled (a busy page)', async () => {
    const { router, wrapper } = await setup();
    const key = (k: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    key('g');
    key('t'); // no turn of the event loop in between
    await new Promise((r) => setTimeout(r, 10));
    expect(router.currentRoute.value.path).toBe('/targets');
    key('x'); // and a plain key afterwards is still none of ours
    await new Promise((r) => setTimeout(r, 10));
    expect(router.currentRoute.value.path).toBe('/targets');
    wrapper.unmount();
  });

  it('opens the key list with ? and closes it with Esc', async () => {
    const { wrapper, help } = await setup();
    await press('?');
    expect(help()).toBe(true);
    await press('Escape');
    expect(help()).toBe(false);
    wrapper.unmount();
  });

  it('q focuses the queue picker in the Label view only', async () => {
    const { router, wrapper } = await setup();
    const picker = document.createElement('label');
    picker.className = 'queue-picker';
    const select = document.createElement('select');
    picker.append(select);
    document.body.append(picker);
    await press('q');
    expect(document.activeElement).not.toBe(select);
    await router.push('/label');
    await press('q');
    expect(document.activeElement).toBe(select);
    wrapper.unmount();
  });
});

describe('useToast', () => {
  it('goes away by itself, later when it offers an action, and not while pointed at', async () => {
    vi.useFakeTimers();
    try {
      let toast!: ReturnType<typeof useToast>;
      const wrapper = mount(
        defineComponent({
          setup() {
            toast = useToast();
            return () => h('div');
          },
        }),
      );
      toast.show('Saved.');
      expect(toast.message.value).toBe('Saved.');
      vi.advanceTimersByTime(TOAST_MS - 1);
      expect(toast.message.value).toBe('Saved.');
      vi.advanceTimersByTime(2);
      expect(toast.message.value).toBeNull();

      toast.show('Merged.', { action: { label: 'Undo', run: () => {} } });
      vi.advanceTimersByTime(TOAST_MS + 1);
      expect(toast.action.value?.label).toBe('Undo');
      toast.pause();
      vi.advanceTimersByTime(ACTION_TOAST_MS * 2);
      expect(toast.message.value).toBe('Merged.');
      toast.resume();
      vi.advanceTimersByTime(ACTION_TOAST_MS);
      expect(toast.message.value).toBeNull();
      expect(toast.action.value).toBeNull();
      wrapper.unmount();
    } finally {
      vi.useRealTimers();
    }
  });
});
