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
  /** Accuracy when any of the k most probable classes counts (k = 2, 3, where the head has more classes). */
  topK?: { k: number; accuracy: number }[];
  /**
   * Reliability diagram: examples binned by the confidence of the predicted class; per bin the
   * mean confidence and the accuracy. A calibrated head has them equal. `ece`: their weighted gap.
   */
  calibration?: { bins: { from: number; to: number; count: number; confidence: number; accuracy: number }[]; ece: number };
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

/** What a run's split was, as the Evaluate view and the CLI say it. */
export interface SplitDescription {
  /** random: stratified by the first head; grouped: whole groups on one side; explicit: a named test set. */
  kind: 'random' | 'grouped' | 'explicit';
  /** 'folder', 'import' or 'target NAME'. */
  groupBy?: string;
  testWhere?: { target: string; value: string };
  /** Grouped splits: how many groups went to each side. */
  groups?: { train: number; validation: number; test: number };
  /** How many source folders have images both in the test set and in train or validation, of how many. */
  sharedFolders?: {
    shared: number;
    folders: number;
    /** Trained targets whose class each folder decides (each folder holds one class): the folders are their classes, not sources. */
    classesOf?: string[];
  };
}

/** Something that makes a number of the report untrustworthy, shown next to it. */
export interface EvaluationWarning {
  /** The head it concerns; null for the whole run. */
  head: string | null;
  kind: 'overfitting' | 'chance' | 'few-examples' | 'empty-classes' | 'group-leak';
  message: string;
}

export interface EvaluationReport {
  count: number;
  heads: HeadReport[];
  sequences: SequenceReport[];
  /** The epoch whose checkpoint was evaluated (runs from before it was recorded: absent). */
  epoch?: number;
  /** Why that checkpoint: the lowest validation loss, or the last epoch when there is no validation split. */
  selectedBy?: 'validation loss' | 'last epoch';
  warnings?: EvaluationWarning[];
  split?: SplitDescription;
}
