/**
 * Builds a model spec into trunks and heads (tfjs-layers) and runs them: each input through
 * its trunk (one shared trunk for all inputs when shareTrunk: siamese weight sharing), each
 * head on the concatenated features of its inputs, adversarial heads behind gradient
 * reversal. Initial weights are seeded, so the same spec and seed give the same model.
 */
import { lambdaAt, type InputSpec, type ModelSpec, type TrunkSpec } from '../../shared/model-spec.js';
import { resolveHeads, SpecError, type ResolvedHead } from './heads.js';
import type { TargetDef } from '../../shared/targets.js';
import { reverseGradient } from './grl.js';
import { tf, tfl } from './tf.js';

export { resolveHeads, SpecError, type ResolvedHead } from './heads.js';

function init(seed: number): { kernelInitializer: ReturnType<typeof tfl.initializers.glorotUniform> } {
  return { kernelInitializer: tfl.initializers.glorotUniform({ seed }) };
}

/** The trunk of one input: features [batch, d]. */
function buildTrunk(trunk: TrunkSpec, input: InputSpec, name: string, seed: number): tfl.Sequential {
  const layers: tfl.layers.Layer[] = [];
  let s = seed;
  const shape = [input.height, input.width, input.channels];
  const problems: string[] = [];
  switch (trunk.preset) {
    case 'mlp':
      layers.push(tfl.layers.flatten({ inputShape: shape, name: `${name}_flatten` }));
      trunk.hidden.forEach((units, i) => {
        layers.push(tfl.layers.dense({ units, activation: 'relu', name: `${name}_dense${i}`, ...init(s++) }));
        if (trunk.dropout > 0) layers.push(tfl.layers.dropout({ rate: trunk.dropout, name: `${name}_dropout${i}` }));
      });
      break;
    case 'lenet5': {
      // 'same' first convolution so that 14x14 inputs (EE559) still fit; 'valid' second, as in LeNet-5.
      const after = Math.floor((Math.floor(Math.min(input.height, input.width) / 2) - 4) / 2);
      if (after < 1) problems.push(`inputs: LeNet-5 needs inputs of at least 12x12, got ${input.height}x${input.width}`);
      layers.push(
        tfl.layers.conv2d({ inputShape: shape, filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', name: `${name}_conv1`, ...init(s++) }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: `${name}_pool1` }),
        tfl.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu', name: `${name}_conv2`, ...init(s++) }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: `${name}_pool2` }),
        tfl.layers.flatten({ name: `${name}_flatten` }),
        tfl.layers.dense({ units: 120, activation: 'relu', name: `${name}_fc1`, ...init(s++) }),
      );
      if (trunk.dropout > 0) layers.push(tfl.layers.dropout({ rate: trunk.dropout, name: `${name}_dropout` }));
      layers.push(tfl.layers.dense({ units: 84, activation: 'relu', name: `${name}_fc2`, ...init(s++) }));
      break;
    }
    case 'conv': {
      const side = Math.min(input.height, input.width) / 2 ** trunk.depth;
      if (side < 1) problems.push(`trunk.depth: ${trunk.depth} pooling blocks shrink a ${input.height}x${input.width} input below 1 pixel`);
      for (let b = 0; b < trunk.depth; b++) {
        const filters = Math.round(trunk.width * trunk.growth ** b);
        layers.push(
          tfl.layers.conv2d({
            ...(b === 0 ? { inputShape: shape } : {}),
            filters,
            kernelSize: 3,
            padding: 'same',
            useBias: !trunk.batchNorm,
            name: `${name}_conv${b}`,
            ...init(s++),
          }),
        );
        if (trunk.batchNorm) layers.push(tfl.layers.batchNormalization({ momentum: trunk.batchNormMomentum, name: `${name}_bn${b}` }));
        layers.push(tfl.layers.reLU({ name: `${name}_relu${b}` }), tfl.layers.maxPooling2d({ poolSize: 2, name: `${name}_pool${b}` }));
      }
      layers.push(tfl.layers.flatten({ name: `${name}_flatten` }));
      if (trunk.dropout > 0) layers.push(tfl.layers.dropout({ rate: trunk.dropout, name: `${name}_dropout` }));
      layers.push(tfl.layers.dense({ units: trunk.dense, activation: 'relu', name: `${name}_dense`, ...init(s++) }));
      break;
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  return tfl.sequential({ layers, name });
}

function buildHead(head: ResolvedHead, featureSize: number, seed: number): tfl.Sequential {
  const layers: tfl.layers.Layer[] = [];
  let s = seed;
  head.spec.hidden.forEach((units, i) => {
    layers.push(
      tfl.layers.dense({ ...(i === 0 ? { inputShape: [featureSize] } : {}), units, activation: 'relu', name: `head_${head.spec.name}_h${i}`, ...init(s++) }),
    );
  });
  layers.push(
    tfl.layers.dense({
      ...(layers.length === 0 ? { inputShape: [featureSize] } : {}),
      units: head.classes.length,
      name: `head_${head.spec.name}_logits`,
      ...init(s++),
    }),
  );
  return tfl.sequential({ layers, name: `head_${head.spec.name}` });
}

export type Inputs = Record<string, tf.Tensor4D>;

export class MultiHeadModel {
  /** The trunk of each input; with shareTrunk every input maps to the same object. */
  readonly trunks = new Map<string, tfl.Sequential>();
  readonly heads = new Map<string, tfl.Sequential>();
  readonly resolved: ResolvedHead[];

  constructor(
    readonly spec: ModelSpec,
    targets: TargetDef[] | null,
  ) {
    this.resolved = resolveHeads(spec, targets);
    const seed = spec.training.seed * 1000;
    let featureSize = 0;
    spec.inputs.forEach((input, i) => {
      const trunk =
        spec.shareTrunk && i > 0
          ? this.trunks.get(spec.inputs[0]!.name)!
          : buildTrunk(spec.trunk, input, spec.shareTrunk ? 'trunk' : `trunk_${input.name}`, seed + 100 * i);
      this.trunks.set(input.name, trunk);
      featureSize = trunk.outputs[0]!.shape[1] as number;
    });
    this.resolved.forEach((head, i) => this.heads.set(head.spec.name, buildHead(head, featureSize * head.inputs.length, seed + 500 + 10 * i)));
  }

  /** Distinct trunks (one when shared). */
  uniqueTrunks(): tfl.Sequential[] {
    return [...new Set(this.trunks.values())];
  }

  /** Every layer model, in a fixed order: trunks, then heads. */
  parts(): tfl.Sequential[] {
    return [...this.uniqueTrunks(), ...this.heads.values()];
  }

  trainableVariables(): tf.Variable[] {
    return this.parts().flatMap((p) => p.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** All weights, batch-norm statistics included, for checkpoints. */
  allWeights(): tfl.LayerVariable[] {
    return this.parts().flatMap((p) => p.weights);
  }

  /** Logits of every head. `progress` ∈ [0, 1] sets ramped λ of adversarial heads. */
  forward(inputs: Inputs, training: boolean, progress = 1): Record<string, tf.Tensor2D> {
    const features: Record<string, tf.Tensor2D> = {};
    for (const [name, trunk] of this.trunks) {
      const x = inputs[name];
      if (!x) throw new Error(`no batch for input '${name}'`);
      features[name] = trunk.apply(x, { training }) as tf.Tensor2D;
    }
    const logits: Record<string, tf.Tensor2D> = {};
    for (const head of this.resolved) {
      const parts = head.inputs.map((n) => features[n]!);
      let h = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
      if (head.spec.adversarial) h = reverseGradient(h, lambdaAt(head.spec.adversarial.lambda, progress));
      logits[head.spec.name] = this.heads.get(head.spec.name)!.apply(h, { training }) as tf.Tensor2D;
    }
    return logits;
  }

  dispose(): void {
    for (const part of this.parts()) part.dispose();
  }
}
