import { mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, nextTick } from 'vue';
import CropViewer from '../../renderer/src/components/CropViewer.vue';
import { actionFor } from '../../renderer/src/labeling/keymap';
import { VIEWER_KEYS, viewerActionFor } from '../../renderer/src/labeling/viewer-keys';
import {
  READABLE_HEIGHT,
  ZOOM_STEPS,
  anchoredScroll,
  displaySize,
  fitScale,
  isEnlarged,
  luminances,
  stepZoom,
  stretchFilter,
  stretchRange,
  viewerFilter,
  zoomLabel,
} from '../../renderer/src/viewer/crop-geometry';
import type { TargetDef } from '../../shared/targets.js';

describe('crop geometry', () => {
  const viewport = { width: 600, height: 300 };

  it('fits an ordinary crop, enlarged in whole multiples above 2x', () => {
    // 86x48 → min(6.97, 6.25) = 6.25 → 6
    expect(fitScale({ width: 86, height: 48 }, viewport)).toBe(6);
    expect(displaySize({ width: 86, height: 48 }, 6)).toEqual({ width: 516, height: 288 });
    // Between 1x and 2x the fit is exact; below 1x the crop shrinks to fit.
    expect(fitScale({ width: 400, height: 100 }, viewport)).toBe(1.5);
    expect(fitScale({ width: 1200, height: 400 }, viewport)).toBe(0.5);
  });

  it('scales a very small crop up (8x12 → 25x)', () => {
    const s = fitScale({ width: 8, height: 12 }, viewport);
    expect(s).toBe(25);
    expect(isEnlarged(s)).toBe(true);
  });

  it('shows a 30:1 text line at a readable height and lets it scroll sideways instead of a thin strip', () => {
    const line = { width: 600, height: 20 };
    // Fitting the width would give 20 px; the readable rule gives ≥ READABLE_HEIGHT, in a whole multiple.
    const s = fitScale(line, viewport);
    expect(line.height * s).toBeGreaterThanOrEqual(READABLE_HEIGHT);
    expect(Number.isInteger(s)).toBe(true);
    expect(displaySize(line, s).width).toBeGreaterThan(viewport.width);
    // Never taller than the viewport: a short viewport gets its own height.
    const low = { width: 600, height: 80 };
    expect(line.height * fitScale(line, low)).toBeLessThanOrEqual(80);
    // A 3000x10 line: 10 px → 10x = 100 px tall.
    expect(fitScale({ width: 3000, height: 10 }, viewport)).toBe(10);
  });

  it('steps through the zoom levels and stops at the ends', () => {
    expect(stepZoom(1, 1)).toBe(1.5);
    expect(stepZoom(6.25, 1)).toBe(8);
    expect(stepZoom(6.25, -1)).toBe(6);
    expect(stepZoom(ZOOM_STEPS[ZOOM_STEPS.length - 1]!, 1)).toBe(32);
    expect(stepZoom(0.25, -1)).toBe(0.25);
    // A huge crop cannot be zoomed past the display limit.
    expect(stepZoom(16, 1, { width: 6000, height: 100 })).toBeLessThanOrEqual(10);
  });

  it('keeps the point under the pointer in place when zooming', () => {
    // Image point 50 at scale 2 sits at offset 10 + 100 = 110 in the content; at 4 it is at 210; anchor 80 → scroll 130.
    expect(anchoredScroll(80, 50, 4, 10)).toBe(130);
    expect(anchoredScroll(500, 1, 2, 0)).toBe(0);
  });

  it('labels zoom levels', () => {
    expect(zoomLabel(4, true)).toBe('fit · 400%');
    expect(zoomLabel(0.25, false)).toBe('25%');
  });

  it('stretches a low-contrast crop onto the full range, and leaves a full-range one alone', () => {
    // A grey crop between 100 and 150: the stretch maps 100 → 0 and 150 → 1.
    const rgba = [100, 100, 100, 255, 150, 150, 150, 255, 125, 125, 125, 255];
    const range = stretchRange(luminances(rgba), 0, 1);
    expect(range.low).toBeCloseTo(100 / 255);
    expect(range.high).toBeCloseTo(150 / 255);
    const filter = stretchFilter(range)!;
    const [, b, c] = /brightness\(([\d.]+)\) contrast\(([\d.]+)\)/.exec(filter)!.map(Number);
    const apply = (v: number) => Math.min(1, Math.max(0, (Math.min(1, v * b!) - 0.5) * c! + 0.5));
    expect(apply(100 / 255)).toBeCloseTo(0, 2);
    expect(apply(150 / 255)).toBeCloseTo(1, 2);
    expect(apply(125 / 255)).toBeCloseTo(0.5, 2);
    expect(stretchFilter({ low: 0, high: 1 })).toBeNull();
    expect(viewerFilter({ stretch: filter, contrast: true, invert: true })).toBe(`${filter} invert(1)`);
    expect(viewerFilter({ stretch: null, contrast: true, invert: false })).toBe('contrast(1.8)');
    expect(viewerFilter({ stretch: filter, contrast: false, invert: false })).toBe('none');
  });
});

describe('viewer keys', () => {
  const seq: TargetDef = {
    id: 1,
    name: 'digits',
    kind: 'sequence',
    alphabet: '0123456789',
    maxLength: 5,
    sourceTargetId: null,
    position: 0,
    hotkey: null,
    classes: [],
  };
  const length: TargetDef = {
    ...seq,
    id: 2,
    name: 'length',
    kind: 'length',
    alphabet: null,
    classes: ['0', '1', '2', '3', '4', '5', '>5'].map((name, i) => ({ id: 10 + i, name, hotkey: name, position: i })),
  };
  const font: TargetDef = {
    ...seq,
    id: 3,
    name: 'font_style',
    kind: 'categorical',
    alphabet: null,
    classes: 'abcdefghijklmnopqrstuvwxyz0123456789'.split('').map((k, i) => ({ id: 100 + i, name: `class ${k}`, hotkey: k, position: i })),
  };

  it('maps each listed key to its action, and nothing with Ctrl, Alt or Meta', () => {
    for (const k of VIEWER_KEYS) for (const key of k.keys) expect(viewerActionFor({ key })).toBe(k.action);
    expect(viewerActionFor({ key: ']', ctrlKey: true })).toBeNull();
    expect(viewerActionFor({ key: '[', altKey: true })).toBeNull();
    expect(viewerActionFor({ key: '[', ctrlKey: true, altKey: true })).toBe('zoomOut'); // AltGr layouts
    expect(viewerActionFor({ key: 'i' })).toBeNull();
    expect(viewerActionFor({ key: '-' })).toBeNull();
    expect(viewerActionFor({ key: '+' })).toBeNull();
  });

  it('never collides with a labeler key, on any kind of target (every class key a letter or digit)', () => {
    for (const target of [seq, length, font, null])
      for (const k of VIEWER_KEYS)
        for (const key of k.keys) {
          expect(actionFor({ key }, target), `${key} on ${target?.name ?? 'no target'}`).toBeNull();
          expect(actionFor({ key, shiftKey: true }, target), `Shift+${key} on ${target?.name ?? 'no target'}`).toBeNull();
        }
  });
});

describe('CropViewer', () => {
  // jsdom draws nothing: the contrast stretch falls back to a fixed boost.
  beforeEach(() => void vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null));
  afterEach(() => {
    vi.restoreAllMocks();
    document.body.innerHTML = '';
  });

  function mountViewer(width: number, height: number) {
    const Host = defineComponent({
      props: { w: { type: Number, required: true }, h: { type: Number, required: true }, k: { type: Number, default: 1 } },
      setup: (props) => () => h(CropViewer, { width: props.w, height: props.h, imageKey: props.k }, () => h('img', { alt: 'crop' })),
    });
    return mount(Host, { props: { w: width, h: height }, attachTo: document.body });
  }

  it('sizes the crop box from the zoom; keys zoom in and out, fit and 1:1, and toggle contrast and invert', async () => {
    const wrapper = mountViewer(8, 12);
    const viewer = wrapper.get('.crop-viewer');
    const box = () => wrapper.get('.crop-canvas').element as HTMLElement;
    // jsdom has no layout: the viewport measures 0 and "fit" falls back to 1x.
    expect(viewer.attributes('data-mode')).toBe('fit');
    const press = async (key: string) => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
      await new Promise((r) => setTimeout(r, 5));
      await nextTick();
    };
    await press('|'); // 1:1
    expect(viewer.attributes('data-mode')).toBe('zoom');
    expect(box().style.width).toBe('8px');
    for (let i = 0; i < 6; i++) await press(']'); // 1 → 1.5 → 2 → 3 → 4 → 6 → 8
    expect(viewer.attributes('data-scale')).toBe('8');
    expect(box().style.width).toBe('64px');
    expect(box().style.height).toBe('96px');
    expect(wrapper.get('[data-testid=zoom-level]').text()).toBe('800%');
    await press('[');
    expect(viewer.attributes('data-scale')).toBe('6');
    await press('\\');
    expect(viewer.attributes('data-mode')).toBe('fit');
    await press("'");
    expect(viewer.attributes('data-invert')).toBe('true');
    await press(';');
    expect(viewer.attributes('data-contrast')).toBe('true');
    await press("'");
    await press(';');
    expect(viewer.attributes('data-invert')).toBe('false');
    expect(viewer.attributes('data-contrast')).toBe('false');
  });

  it('starts each image fitted; contrast and invert carry over to the next image', async () => {
    const wrapper = mountViewer(40, 20);
    const viewer = wrapper.get('.crop-viewer');
    await wrapper.get('.crop-toolbar button[aria-label="Zoom in"]').trigger('click');
    await wrapper.get('.crop-toolbar button[aria-label="Zoom in"]').trigger('click');
    await wrapper.get('.crop-toolbar button[aria-pressed][title^="Invert"]').trigger('click');
    await nextTick();
    expect(viewer.attributes('data-mode')).toBe('zoom');
    await wrapper.setProps({ k: 2, w: 300, h: 12 });
    await nextTick();
    expect(viewer.attributes('data-mode')).toBe('fit');
    expect(viewer.attributes('data-invert')).toBe('true');
    await wrapper.get('.crop-toolbar button[aria-pressed][title^="Invert"]').trigger('click');
    wrapper.unmount();
  });

  it('leaves a key alone when the labeler took it, or when focus is in a text field', async () => {
    const wrapper = mountViewer(40, 20);
    const viewer = wrapper.get('.crop-viewer');
    await wrapper.get('.crop-toolbar button[aria-label="Zoom in"]').trigger('click');
    await nextTick();
    const before = viewer.attributes('data-scale');
    // Another handler (the labeler) takes the key first.
    const taker = (e: KeyboardEvent) => e.preventDefault();
    window.addEventListener('keydown', taker);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: ']', bubbles: true, cancelable: true }));
    await new Promise((r) => setTimeout(r, 5));
    window.removeEventListener('keydown', taker);
    expect(viewer.attributes('data-scale')).toBe(before);
    const input = document.createElement('input');
    document.body.append(input);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: ']', bubbles: true, cancelable: true }));
    await new Promise((r) => setTimeout(r, 5));
    expect(viewer.attributes('data-scale')).toBe(before);
    wrapper.unmount();
  });
});
