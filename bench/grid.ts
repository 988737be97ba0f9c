/**
 * `npm run bench:grid`: the Dataset grid's queries at 100,000 images (images.list through the
 * dispatcher, as IPC and HTTP call it). Each sort order and name filter is timed for the first
 * page and for a page deep in the list (offset total − 200), median of 5 after a warm-up.
 * Half the images carry human labels (edited in shuffled order), a quarter model predictions.
 * Writes bench/results/grid.json.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { runAsScript, writeResult } from './common.js';
import { insertImages, labelWriter, withProjects } from './seed.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const PAGE = 200;

async function main(): Promise<void> {
  await withProjects('polyhead-bench-grid-', ['data'], async ([runtime]) => {
    const { store } = runtime.project;
    const script = store.targets.byName('script')!;
    const font = store.targets.byName('font_style')!;
    const now = new Date().toISOString();
    const upsert = labelWriter(store, now);
    const seeded = performance.now();
    store.write(() => {
      // Names out of id order, so name order really differs from import order.
      insertImages(store, COUNT, (i) => ({ sha256: `bench-${i}`, originalName: `crop-${String((i * 7919) % COUNT).padStart(6, '0')}.png` }), now);
      for (let k = 0; k < COUNT / 2; k++) {
        const imageId = ((k * 48271) % COUNT) + 1;
        const cls = font.classes[k % font.classes.length]!;
        upsert(imageId, font.id, 'human', { origin: 'typed', classId: cls.id });
      }
      for (let imageId = 1; imageId <= COUNT; imageId += 4) {
        const cls = script.classes[imageId % script.classes.length]!;
        upsert(imageId, script.id, 'model', { classId: cls.id, confidence: (imageId % 997) / 997, runId: 1 });
      }
    });
    const seedMs = performance.now() - seeded;

    const cases: Record<string, Record<string, unknown>> = {
      'import order': { order: 'id' },
      'name A-Z': { order: 'name' },
      'name Z-A': { order: 'name', reverse: true },
      'last edit': { order: 'edited' },
      'confidence (model, one target)': { order: 'confidence', target: { targetId: script.id, source: 'model' } },
      'name contains "12"': { name: '12' },
      'name glob "crop-0*5.png"': { name: 'crop-0*5.png' },
      'not fully labeled, by name': { status: 'pending', order: 'name' },
    };
    const results: Record<string, { total: number; firstPageMs: number; deepPageMs: number }> = {};
    for (const [name, filter] of Object.entries(cases)) {
      const time = async (offset: number) => {
        const samples: number[] = [];
        let total = 0;
        for (let r = 0; r < 6; r++) {
          const start = performance.now();
          const result = await runtime.dispatch('images.list', { offset, limit: PAGE, filter });
          const ms = performance.now() - start;
          if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
          total = (result.data as { total: number }).total;
          if (r > 0) samples.push(ms);
        }
        samples.sort((a, b) => a - b);
        return { total, ms: Math.round(samples[2]! * 10) / 10 };
      };
      const first = await time(0);
      const deep = await time(Math.max(0, first.total - PAGE));
      results[name] = { total: first.total, firstPageMs: first.ms, deepPageMs: deep.ms };
      console.log(`${name.padEnd(34)} ${String(first.total).padStart(7)} images  first page ${first.ms} ms  deep page ${deep.ms} ms`);
    }
    await writeResult('grid', {
      images: COUNT,
      pageSize: PAGE,
      seedMs: Math.round(seedMs),
      machine: `${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
      results,
    });
  });
}

runAsScript('grid', main);
