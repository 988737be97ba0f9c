/** A run's evaluation report, as stored and served (the images behind each cell are served apart). */

export interface HeadReport {
  head: string;
  classes: string[];
  count: number;
  accuracy: number | null;
  /** confusion[true][predicted] */
  confusion: number[][];
  perClass: { name: string; precision: number | null; recall: number | null; support: number }[];
  /** Adversarial heads: the accuracy of always answering the most frequent class. */
  chance?: number;
}

export interface SequenceReport {
  target: string;
  lengthHead: string;
  digitHeads: string[];
  count: number;
  accuracy: number | null;
  /** The largest share of examples answerable (most confident first) at ≥ 98% sequence accuracy. */
  coverageAt98: number;
  /** Accuracy as coverage grows (most confident first), sampled. */
  curve: { coverage: number; accuracy: number }[];
}

export interface EvaluationReport {
  count: number;
  heads: HeadReport[];
  sequences: SequenceReport[];
}
