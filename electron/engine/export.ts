/**
 * Exports a run's model in TensorFlow.js layers format: one model.json + weights.bin with
 * one named output per head (softmax probabilities), the trunk shared as trained, gradient
 * reversal dropped (it is the identity at inference), and the spec, class lists and each
 * input's preprocessing (resize mode and standardization, decode.ts) beside it.
 * Runs inside the engine's worker (an export job); callers go through engine/jobs.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Project } from '../domain/project.js';
import { describePreprocessing } from './decode.js';
import { loadRunModel } from './predict.js';
import type { ExportResult } from './protocol.js';
import { tf, tfl } from './tf.js';

export async function exportRunModel(project: Project, runId: number, outDir: string): Promise<ExportResult> {
  const model = await loadRunModel(project, runId);
  try {
    const { spec } = model;
    const inputs = new Map(spec.inputs.map((i) => [i.name, tfl.input({ shape: [i.height, i.width, i.channels], name: i.name })]));
    const features = new Map([...model.trunks].map(([name, trunk]) => [name, trunk.apply(inputs.get(name)!) as tf.SymbolicTensor]));
    const outputs = model.resolved.map((head) => {
      const parts = head.inputs.map((n) => features.get(n)!);
      const joined = parts.length === 1 ? parts[0]! : (tfl.layers.concatenate({ name: `${head.spec.name}_features` }).apply(parts) as tf.SymbolicTensor);
      const logits = model.heads.get(head.spec.name)!.apply(joined) as tf.SymbolicTensor;
      return tfl.layers.softmax({ name: head.spec.name }).apply(logits) as tf.SymbolicTensor;
    });
    const exported = tfl.model({ inputs: [...inputs.values()], outputs, name: 'polyhead' });
    await mkdir(outDir, { recursive: true });
    await exported.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = artifacts.weightData as ArrayBuffer;
        await writeFile(path.join(outDir, 'weights.bin'), Buffer.from(weights));
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: 'Polyhead',
          convertedBy: null,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        await writeFile(path.join(outDir, 'model.json'), JSON.stringify(modelJson));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const heads = model.resolved.map((h) => ({ name: h.spec.name, classes: h.classes, inputs: h.inputs, adversarial: Boolean(h.spec.adversarial) }));
    await writeFile(
      path.join(outDir, 'polyhead.json'),
      JSON.stringify(
        {
          runId,
          spec,
          heads,
          preprocessing: Object.fromEntries(spec.inputs.map((i) => [i.name, { resize: i.resize, description: describePreprocessing(i) }])),
        },
        null,
        2,
      ),
    );
    return { dir: outDir, files: ['model.json', 'weights.bin', 'polyhead.json'] };
  } finally {
    model.dispose();
  }
}
