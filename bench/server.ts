/**
 * bench:server (issue 14): a bounded load check of `polyhead serve` on loopback. Builds a project
 * of N images (default 100,000; rows written directly, tiny thumbnails), serves it with sign-in
 * on, and measures over HTTP:
 * - images.list page latency (200 per page), p50/p95 of `reps` calls, at offset 0 and deep (the
 *   last page and the middle one), for every status filter (and a target's "not looked at") in
 *   id, name and edit order, and a target's model predictions in confidence order (both ways);
 *   where the API returns a cursor, the same pages reached from the cursor of the page before;
 * - project.stats, as it stands and just after a label change (what every client asks then);
 * - the longest stall of the API (a probe calling project.info every 5 ms) while one user
 *   bulk-sets a target on every image (and while the bulk edit is undone).
 * Writes bench/results/server.json. Usage: node dist/bench/server.mjs [IMAGES] [REPS]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { openRuntime } from '../electron/app/runtime.js';
import { ownerToken } from '../electron/domain/users.js';
import { startServer } from '../electron/server/server.js';
import { runAsScript, writeResult } from './common.js';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;

export async function benchServer(images: number, reps: number): Promise<object> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'polyhead-bench-server-'));
  const runtime = openRuntime(path.join(dir, 'data'));
  try {
    const { store } = runtime.project;
    const byName = (name: string) => store.targets.byName(name)!;
    const [digits, length, font, script] = [byName('digits'), byName('length'), byName('font_style'), byName('script')];
    const started = performance.now();
    const image = store.db.prepare(
      `INSERT INTO images (sha256, stored_path, original_path, original_name, format, width, height, channels, byte_size, import_batch_id, imported_at)
       VALUES (?, ?, NULL, ?, 'png', 32, 16, 3, 100, NULL, '2026-01-01')`,
    );
    const label = store.db.prepare(
      `INSERT INTO annotations (image_id, target_id, source, state, text_value, class_id, confidence, run_id, updated_at, version, origin)
       VALUES (?, ?, ?, 'value', ?, ?, ?, ?, '2026-01-01', 1, ?)`,
    );
    store.write(() => {
      for (let i = 1; i <= images; i++) {
        image.run(`h${i}`, `images/x/${i}.png`, `${i}.png`);
        if (i % 2 === 0) {
          const text = String(i % 1000);
          label.run(i, digits.id, 'human', text, null, null, null, 'typed');
          label.run(i, length.id, 'human', null, length.classes[text.length]!.id, null, null, 'derived');
        }
        if (i % 3 === 0) label.run(i, script.id, 'human', null, script.classes[i % script.classes.length]!.id, null, null, 'typed');
        if (i % 5 !== 0) label.run(i, font.id, 'model', null, font.classes[i % font.classes.length]!.id, ((i * 7919) % 10000) / 10000, 1, null);
      }
    });
    const buildMs = Math.round(performance.now() - started);
    const token = ownerToken(store, runtime.project.dataDir);
    const server = await startServer({ ...runtime, rendererDir: path.join(dir, 'no-renderer') });
    const call = async (method: string, payload: unknown) => {
      const t0 = performance.now();
      const response = await fetch(`${server.url}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify(payload),
      });
      const body = (await response.json()) as { ok: boolean; data: { total?: number }; error?: { message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
      return { ms: performance.now() - t0, data: body.data };
    };
    try {
      // Every status filter (and one target's "not looked at") in every order that needs no target,
      // plus a target's model predictions and accepted suggestions in confidence order.
      const statuses: Record<string, object> = {
        any: { status: 'any' },
        pending: { status: 'pending' },
        complete: { status: 'complete' },
        untouched: { status: 'untouched' },
        'script not looked at': { status: 'any', target: { targetId: script.id, state: 'pending' } },
      };
      const filters: Record<string, unknown> = {};
      for (const [name, status] of Object.entries(statuses)) {
        for (const order of ['id', 'name', 'edited']) filters[`${name}, ${order}`] = { ...status, order };
      }
      filters['font predictions, confidence'] = { status: 'any', order: 'confidence', target: { targetId: font.id, source: 'model' } };
      filters['font predictions, confidence reversed'] = { status: 'any', order: 'confidence', reverse: true, target: { targetId: font.id, source: 'model' } };
      type Timing = { offset: number; p50Ms: number; p95Ms: number };
      const pages: Record<string, { total: number; offsets: Record<string, Timing>; cursor?: Record<string, Timing> }> = {};
      const timed = async (payload: object) => {
        const times: number[] = [];
        for (let r = 0; r < reps; r++) times.push((await call('images.list', payload)).ms);
        return { p50Ms: Math.round(percentile(times, 0.5)), p95Ms: Math.round(percentile(times, 0.95)) };
      };
      for (const [name, filter] of Object.entries(filters)) {
        const { data } = await call('images.list', { offset: 0, limit: 200, filter });
        const total = data.total ?? 0;
        const offsets = { first: 0, middle: Math.floor(total / 2), last: Math.max(0, total - 200) };
        pages[name] = { total, offsets: {} };
        for (const [where, offset] of Object.entries(offsets)) pages[name]!.offsets[where] = { offset, ...(await timed({ offset, limit: 200, filter })) };
        // The next page from a cursor (keyset), where the API gives one: the page after the one before each offset.
        if ('next' in data) {
          pages[name]!.cursor = {};
          for (const [where, offset] of Object.entries(offsets)) {
            const before = offset >= 200 ? (await call('images.list', { offset: offset - 200, limit: 200, filter })).data : undefined;
            const after = (before as { next?: string } | undefined)?.next;
            pages[name]!.cursor![where] = { offset, ...(await timed({ limit: 200, filter, ...(after ? { after } : {}) })) };
          }
        }
        console.log(name.padEnd(38), total, JSON.stringify(pages[name]!.offsets), pages[name]!.cursor ? `cursor ${JSON.stringify(pages[name]!.cursor)}` : '');
      }
      // project.stats: what every client asks again after each label change.
      const statsTimes: number[] = [];
      const statsAfterEdit: number[] = [];
      for (let r = 0; r < reps; r++) {
        statsTimes.push((await call('project.stats', {})).ms);
        await call('annotations.set', { imageId: 1 + r, targetId: script.id, label: { kind: 'unknown' } });
        statsAfterEdit.push((await call('project.stats', {})).ms);
      }
      const stats = {
        p50Ms: Math.round(percentile(statsTimes, 0.5)),
        p95Ms: Math.round(percentile(statsTimes, 0.95)),
        afterEditP50Ms: Math.round(percentile(statsAfterEdit, 0.5)),
        afterEditP95Ms: Math.round(percentile(statsAfterEdit, 0.95)),
      };
      console.log('project.stats', JSON.stringify(stats));
      // The longest the API keeps another user waiting while a bulk edit (and its undo) runs.
      const stall = async (work: () => Promise<unknown>) => {
        let longest = 0;
        let probes = 0;
        const state = { running: true };
        const probe = (async () => {
          while (state.running) {
            longest = Math.max(longest, (await call('project.info', {})).ms);
            probes++;
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })();
        const t0 = performance.now();
        await work();
        const ms = performance.now() - t0;
        state.running = false;
        await probe;
        return { totalMs: Math.round(ms), longestApiStallMs: Math.round(longest), probes };
      };
      const bulk = await stall(() =>
        call('annotations.bulkSet', { filter: { status: 'any', order: 'id' }, targetId: font.id, label: { kind: 'value', value: 'serif' } }),
      );
      console.log('bulk edit', JSON.stringify(bulk));
      const undo = await stall(() => call('annotations.undo', {}));
      console.log('its undo', JSON.stringify(undo));
      return {
        images,
        reps,
        buildMs,
        machine: { cpus: os.cpus().length, load: os.loadavg().map((l) => Math.round(l * 10) / 10) },
        pages,
        projectStats: stats,
        bulkEdit: bulk,
        bulkUndo: undo,
      };
    } finally {
      await server.close();
    }
  } finally {
    runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runAsScript('server', async () => {
  const images = Number(process.argv[2] ?? 100_000);
  const reps = Number(process.argv[3] ?? 10);
  const result = await benchServer(images, reps);
  await writeResult('server', result);
});
