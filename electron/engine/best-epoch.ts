/**
 * Which epoch's model a run is evaluated (and later used) with: the one with the lowest
 * validation loss, its checkpoint reloaded after training; the last epoch when there is no
 * validation split. The per-head training and validation metrics of that epoch travel with
 * it, for the warnings (overfitting) of the report.
 */
import { applyCheckpoint, type CheckpointStore } from './checkpoint-codec.js';
import type { MultiHeadModel } from './model.js';
import type { HeadMetrics, TrainProgress } from './train-loop.js';

export interface ChosenEpoch {
  epoch: number;
  selectedBy: 'validation loss' | 'last epoch';
  train?: Record<string, HeadMetrics>;
  validation?: Record<string, HeadMetrics>;
}

interface EpochRecord {
  loss: number | null;
  train: Record<string, HeadMetrics>;
  validation?: Record<string, HeadMetrics>;
  dir?: string;
}

export class BestEpoch {
  private readonly epochs = new Map<number, EpochRecord>();

  progress(p: TrainProgress): void {
    if (p.kind !== 'epoch') return;
    this.epochs.set(p.epoch + 1, { loss: p.validation?.loss ?? null, train: p.heads, validation: p.validation?.heads });
  }

  checkpoint(dir: string, epoch: number): void {
    const record = this.epochs.get(epoch);
    if (record) record.dir = dir;
  }

  /** Loads the chosen epoch's weights into `model` (if it is not the last one) and says which it is. */
  async restore(model: MultiHeadModel, lastEpoch: number, checkpoints: CheckpointStore): Promise<ChosenEpoch> {
    const withLoss = [...this.epochs.entries()].filter(([, r]) => r.loss !== null && Number.isFinite(r.loss));
    if (withLoss.length === 0) return this.last(lastEpoch);
    const [epoch, record] = withLoss.reduce((a, b) => (b[1].loss! < a[1].loss! ? b : a));
    if (epoch !== lastEpoch) {
      // Without its checkpoint the chosen epoch cannot be restored: say the last one was used.
      if (!record.dir) return { ...this.last(lastEpoch), selectedBy: 'last epoch' };
      await applyCheckpoint(await checkpoints.load(record.dir), model, null, record.dir);
    }
    return { epoch, selectedBy: 'validation loss', train: record.train, validation: record.validation };
  }

  private last(epoch: number): ChosenEpoch {
    const record = this.epochs.get(epoch);
    return { epoch, selectedBy: 'last epoch', train: record?.train, validation: record?.validation };
  }
}
