import { describe, expect, it } from 'vitest';
import { runLabelBench } from '../../bench/label.js';

// The benchmark's own smoke run, so it cannot rot. It asserts that it measured, never how fast.
describe('bench:label smoke', () => {
  it('measures Enter → next image painted on the app and on the peer page, paced and in a burst', async () => {
    const r = await runLabelBench({ count: 5, warmup: 2 });
    expect(r.paced.keyIntervalMs).toBeGreaterThan(0);
    expect(r.burst.keyIntervalMs).toBe(0);
    for (const series of [r.paced.app, r.paced.peer, r.burst.app, r.burst.peer]) {
      expect(series.samplesMs).toHaveLength(5);
      for (const ms of series.samplesMs) expect(Number.isFinite(ms) && ms > 0).toBe(true);
      expect(series.p95).toBeGreaterThanOrEqual(series.p50);
    }
  });
});
