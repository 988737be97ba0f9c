import { describe, expect, it } from 'vitest';
import { runLabelBench } from '../../bench/label.js';

// The benchmark's own smoke run, so it cannot rot. It asserts that it measured, never how fast.
describe('bench:label smoke', () => {
  it('measures Enter → next image painted on the app and on the peer page', async () => {
    const r = await runLabelBench({ count: 5, warmup: 2 });
    for (const series of [r.app, r.peer]) {
      expect(series.samplesMs).toHaveLength(5);
      for (const ms of series.samplesMs) expect(Number.isFinite(ms) && ms > 0).toBe(true);
      expect(series.p95).toBeGreaterThanOrEqual(series.p50);
    }
  });
});
