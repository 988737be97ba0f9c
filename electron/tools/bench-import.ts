/**
 * `npm run bench:import`: how long 10,000 small crops take to import on this machine,
 * as files in a folder (PNG, each decoded, hashed, thumbnailed and stored) and as one
 * MNIST IDX pair, against the budget of one minute. Prints a table and writes
 * it to bench/results/import.json.
 *
 *   node dist/node/electron/tools/bench-import.js MNIST_IDX_IMAGES MNIST_IDX_LABELS [COUNT]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { readIdxImages, readIdxLabels } from '../importer/idx.js';
import { runImport } from '../importer/importer.js';
import { Project } from '../domain/project.js';

const BUDGET_MS = 60_000;

async function timeImport(paths: string[], dataDir: string) {
  const project = Project.open(dataDir);
  try {
    const started = performance.now();
    const summary = await runImport({ store: project.store, dataDir: project.dataDir }, { paths });
    return { ms: performance.now() - started, imported: summary.imported, rejected: summary.rejected.length };
  } finally {
    project.close();
  }
}

async function main(): Promise<void> {
  const [imagesFile, labelsFile, countArg] = process.argv.slice(2);
  if (!imagesFile || !labelsFile) throw new Error('usage: bench-import IDX_IMAGES IDX_LABELS [COUNT]');
  const count = Number(countArg ?? 10_000);
  const work = await mkdtemp(path.join(os.tmpdir(), 'polyhead-bench-import-'));
  try {
    const images = await readIdxImages(imagesFile);
    const labels = await readIdxLabels(labelsFile);
    const folder = path.join(work, 'crops');
    await mkdir(folder);
    const rows = ['file,digits'];
    for (let i = 0; i < Math.min(count, images.count); i++) {
      const name = `d${String(i).padStart(5, '0')}.png`;
      await sharp(Buffer.from(images.pixels.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(path.join(folder, name));
      rows.push(`${name},${labels[i]}`);
    }
    await writeFile(path.join(folder, 'labels.csv'), rows.join('\n'));

    const results = [
      { source: `folder of ${count} PNG crops + labels.csv`, ...(await timeImport([folder], path.join(work, 'p1'))) },
      { source: `MNIST IDX pair (${images.count} digits)`, ...(await timeImport([imagesFile, labelsFile], path.join(work, 'p2'))) },
    ];
    console.log(`cores: ${os.availableParallelism()}, budget: ${BUDGET_MS / 1000} s for 10,000 crops\n`);
    console.log('source'.padEnd(44) + 'imported'.padStart(10) + 'seconds'.padStart(10) + 'images/s'.padStart(10) + '  budget used');
    for (const r of results) {
      const perTenK = (r.ms / r.imported) * 10_000;
      console.log(
        r.source.padEnd(44) +
          String(r.imported).padStart(10) +
          (r.ms / 1000).toFixed(1).padStart(10) +
          Math.round((r.imported / r.ms) * 1000)
            .toString()
            .padStart(10) +
          `  ${((100 * perTenK) / BUDGET_MS).toFixed(0)}% (10k in ${(perTenK / 1000).toFixed(1)} s)`,
      );
    }
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/import.json', JSON.stringify({ date: new Date().toISOString(), cores: os.availableParallelism(), results }, null, 2));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
