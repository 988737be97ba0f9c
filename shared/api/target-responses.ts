/** What the target lifecycle methods (targets.rename, targets.remove) answer. */
import type { TargetDef } from '../targets.js';

export interface TargetRenamed extends TargetDef {
  previousName: string;
  /**
   * Runs whose specs name the target by its previous name: specs bind heads by name, so
   * predicting with those runs now writes nothing for such heads (rename it back to use them).
   */
  runsNamingPrevious: number[];
}

export interface TargetRemoved {
  /** The targets deleted: the one named, and the length target of a sequence. */
  removed: { id: number; name: string; kind: TargetDef['kind'] }[];
  /** Labels deleted with them. */
  humanLabels: number;
  modelLabels: number;
}
