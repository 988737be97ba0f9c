import { describe, expect, it } from 'vitest';
import { benchServer } from '../../bench/server.js';

/** bench:server on a small project, so the script cannot rot: it asserts that it measured, never how fast. */
describe('bench:server smoke', () => {
  it('serves a small project, pages every filter and order (by offset and by cursor), times project.stats and the API during a bulk edit and its undo', async () => {
    const result = (await benchServer(400, 1)) as {
      pages: Record<string, { total: number; offsets: Record<string, { p95Ms: number }>; cursor?: Record<string, { p95Ms: number }> }>;
      projectStats: { p95Ms: number; afterEditP95Ms: number };
      bulkEdit: { totalMs: number; longestApiStallMs: number; probes: number };
      bulkUndo: { longestApiStallMs: number };
    };
    // Five filters in three orders, and predictions by confidence both ways.
    expect(Object.keys(result.pages)).toHaveLength(17);
    expect(result.pages['any, id']!.total).toBe(400);
    for (const page of Object.values(result.pages)) {
      expect(Object.keys(page.offsets)).toEqual(['first', 'middle', 'last']);
      expect(Object.keys(page.cursor!)).toEqual(['first', 'middle', 'last']);
    }
    expect(result.projectStats.afterEditP95Ms).toBeGreaterThan(0);
    expect(result.bulkEdit.probes).toBeGreaterThan(0);
    expect(result.bulkEdit.longestApiStallMs).toBeGreaterThan(0);
    expect(result.bulkUndo.longestApiStallMs).toBeGreaterThan(0);
  });
});
