/**
 * A training job's two sides (electron/engine/sides/) over an in-memory MessageChannel, on the
 * cpu backend: the data side reads the project and sends batches as transferred uint8 records,
 * a bounded number ahead; the compute side trains and sends checkpoints back as weight buffers,
 * written in the usual format. The result is the run one process gives with the same batches.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../electron/engine/backend.js';
import { readCheckpointFiles } from '../../electron/engine/checkpoint-files.js';
import { readLabels, type Example } from '../../electron/engine/data.js';
import { MultiHeadModel } from '../../electron/engine/model.js';
import { DataPipeline } from '../../electron/engine/pipeline/pipeline.js';
import { pipelineData } from '../../electron/engine/pipeline/stream-data.js';
import type { FromWorker, SplitIds, TrainJob } from '../../electron/engine/protocol.js';
import { trainingTargets } from '../../electron/engine/run-files.js';
import { serveCompute } from '../../electron/engine/sides/compute-side.js';
import { runDataSide } from '../../electron/engine/sides/data-side.js';
import { nodePort } from '../../electron/engine/sides/in-process.js';
import { PREFETCH_BATCHES } from '../../electron/engine/sides/remote-data.js';
import type { SidePort } from '../../electron/engine/sides/protocol.js';
import { runTraining } from '../../electron/engine/trainer.js';
import { spec } from '../engine-fixtures.js';
import { useImportedSample } from '../sample-project.js';

const sample = useImportedSample('cpu');

const tiny = spec({
  name: 'sides',
  inputs: [{ name: 'x', height: 16, width: 32 }],
  trunk: { preset: 'conv', depth: 1, width: 4, dense: 16, batchNorm: true },
  heads: [
    { name: 'length', target: { kind: 'target', target: 'length' } },
    { name: 'font', target: { kind: 'target', target: 'font_style' }, adversarial: { lambda: { schedule: 'dann', max: 0.1 } } },
  ],
  training: { epochs: 2, batchSize: 32, learningRate: 0.003, reportEvery: 3, seed: 4, augmentShift: 2 },
});

interface Traffic {
  /** The most batch requests waiting for their records at once. */
  maxOutstanding: number;
  batches: number;
  /** Records and label buffers still readable after they were sent (not transferred). */
  notTransferred: number;
}

/** The data side's end of the port, watched. */
function watched(port: SidePort, traffic: Traffic): SidePort {
  let outstanding = 0;
  return {
    post: (message, transfer) => {
      port.post(message, transfer);
      const m = message as { type: string; records?: Uint8Array; labels?: Record<string, { index: Int32Array; mask: Float32Array }> };
      if (m.type !== 'records') return;
      outstanding--;
      const arrays = [m.records!, ...Object.values(m.labels!).flatMap((l) => [l.index, l.mask])];
      traffic.notTransferred += arrays.filter((a) => a.byteLength > 0).length;
    },
    listen: (listener) =>
      port.listen((message) => {
        if ((message as { type: string }).type === 'batch') {
          traffic.batches++;
          traffic.maxOutstanding = Math.max(traffic.maxOutstanding, ++outstanding);
        }
        listener(message);
      }),
    close: () => port.close(),
  };
}

/** Runs a job through both sides joined by a MessageChannel; resolves with every message the owner saw. */
function trainBySides(job: TrainJob, traffic: Traffic, onMessage?: (m: FromWorker, control: (type: 'cancel') => void) => void): Promise<FromWorker[]> {
  const { port1, port2 } = new MessageChannel();
  serveCompute(nodePort(port2), selectBackend, 'the test');
  const seen: FromWorker[] = [];
  return new Promise((resolve) => {
    const side = runDataSide(job, watched(nodePort(port1), traffic), (message) => {
      seen.push(message);
      onMessage?.(message, (type) => side.control({ type }));
      if (message.type === 'done' || message.type === 'error') {
        port2.close();
        resolve(seen);
      }
    });
  });
}

const weightsIn = (checkpoint: string) => readFileSync(path.join(checkpoint, 'weights.bin'));

describe("a training job's data and compute sides over a MessageChannel", () => {
  let split: SplitIds;
  const runDir = () => path.join(sample.dir, 'data', 'runs', '1');
  const job = (): TrainJob => ({
    kind: 'train',
    dataDir: sample.project.dataDir,
    runId: 1,
    spec: tiny,
    targets: trainingTargets(sample.project),
    checkpointDir: path.join(runDir(), 'checkpoints'),
    backend: 'cpu',
  });

  it('trains from the project: transferred records, bounded prefetch, checkpoints in the usual format, the weights one process gives', async () => {
    const traffic: Traffic = { maxOutstanding: 0, batches: 0, notTransferred: 0 };
    const messages = await trainBySides(job(), traffic);
    expect(messages.at(-1)).toMatchObject({ type: 'done', result: { kind: 'train', outcome: { status: 'completed', epoch: 2 } } });
    const types = messages.map((m) => m.type);
    expect(types.slice(0, 2)).toEqual(['backend', 'split']);
    expect(types.filter((t) => t === 'checkpoint')).toHaveLength(2);
    expect(types.at(-2)).toBe('evaluation');
    expect((messages[0] as Extract<FromWorker, { type: 'backend' }>).choice.name).toBe('cpu');
    split = (messages[1] as Extract<FromWorker, { type: 'split' }>).split;
    const evaluation = (messages.at(-2) as Extract<FromWorker, { type: 'evaluation' }>).evaluation;
    expect(evaluation.count).toBe(split.test.length);
    // The cells name the test images the data side holds.
    expect(new Set(evaluation.heads[0]!.cells.map((c) => c.imageId))).toEqual(new Set(split.test.map((ids) => ids[0]!)));

    expect(traffic.batches).toBeGreaterThan(0);
    expect(traffic.notTransferred).toBe(0);
    expect(traffic.maxOutstanding).toBeGreaterThan(1); // batches are asked for ahead...
    expect(traffic.maxOutstanding).toBeLessThanOrEqual(1 + PREFETCH_BATCHES); // ...a bounded number
    const last = path.join(runDir(), 'checkpoints', 'epoch-0002');
    expect((await readCheckpointFiles(last)).manifest).toMatchObject({ format: 1, epoch: 2 });
    // A completed run's pixel cache is removed, as before.
    expect(existsSync(path.join(runDir(), 'pixel-cache'))).toBe(true);
    expect(existsSync(path.join(runDir(), 'pixel-cache', 'pixels-16x32x1-letterbox.bin'))).toBe(false);

    // The same run in one process (the pixel cache read directly, checkpoints written directly): the same bytes.
    const labels = readLabels(sample.project);
    const model = new MultiHeadModel(tiny, trainingTargets(sample.project));
    const toExamples = (ids: number[][]): Example[] => ids.map((imageIds) => ({ imageIds }));
    const [train, validation, test] = [split.train, split.validation, split.test].map(toExamples) as [Example[], Example[], Example[]];
    const pipeline = DataPipeline.open(sample.project, tiny, model.resolved, labels, [...train, ...validation, ...test], {
      cacheDir: path.join(sample.dir, 'direct-cache'),
    });
    try {
      await runTraining({
        model,
        train: pipelineData(pipeline, train, tiny.training.seed),
        validation: pipelineData(pipeline, validation, 0),
        checkpointDir: path.join(sample.dir, 'direct'),
      });
    } finally {
      pipeline.close(true);
      model.dispose();
    }
    expect(weightsIn(last).equals(weightsIn(path.join(sample.dir, 'direct', 'epoch-0002')))).toBe(true);
  });

  it('a cancelled job resumes from its checkpoint through the sides and ends with the same weights', async () => {
    const traffic: Traffic = { maxOutstanding: 0, batches: 0, notTransferred: 0 };
    const expected = weightsIn(path.join(runDir(), 'checkpoints', 'epoch-0002'));
    const stopped = { ...job(), runId: 2, checkpointDir: path.join(sample.dir, 'data', 'runs', '2', 'checkpoints'), split };
    const first = await trainBySides(stopped, traffic, (m, control) => m.type === 'checkpoint' && control('cancel'));
    expect(first.at(-1)).toMatchObject({ type: 'done', result: { outcome: { status: 'cancelled' } } });
    expect(first.map((m) => m.type)).not.toContain('split'); // a stored split is used as it is
    const resumed = await trainBySides({ ...stopped, resumeFrom: path.join(stopped.checkpointDir, 'epoch-0001') }, traffic);
    expect(resumed.at(-1)).toMatchObject({ type: 'done', result: { outcome: { status: 'completed', epoch: 2 } } });
    expect(weightsIn(path.join(stopped.checkpointDir, 'epoch-0002')).equals(expected)).toBe(true);
  });

  it("refuses what a compute side may not ask: another run's files, an unknown message", async () => {
    const { port1, port2 } = new MessageChannel();
    const fake = nodePort(port2);
    const answers: unknown[] = [];
    fake.listen((m) => {
      answers.push(m);
      const type = (m as { type: string }).type;
      if (type === 'start') fake.post({ type: 'backend', choice: { name: 'cpu', tfBackend: 'cpu', reason: 'fake', skipped: [] } });
      if (type === 'init') fake.post({ type: 'load', id: 7, where: path.join(sample.dir, 'data', 'runs', '1', 'checkpoints', 'epoch-0001') });
      if (type === 'failed') fake.post({ type: 'read-file', path: '/etc/passwd' });
    });
    const seen: FromWorker[] = [];
    await new Promise<void>((resolve) =>
      runDataSide({ ...job(), runId: 3, checkpointDir: path.join(sample.dir, 'data', 'runs', '3', 'checkpoints'), split }, nodePort(port1), (m) => {
        seen.push(m);
        if (m.type === 'error') resolve();
      }),
    );
    port2.close();
    expect(answers).toContainEqual({ type: 'failed', id: 7, message: expect.stringMatching(/is not a checkpoint of this run/) });
    expect(seen.at(-1)).toEqual({ type: 'error', message: expect.stringMatching(/^the compute side sent an unknown message/) });
  });
});
