import type { RunMetric } from '../../../shared/api/contract.js';
import type { ChartSeries } from '../charts';

/** The heads a run recorded metrics for (training and validation), in order of appearance. */
export function headsOf(rows: RunMetric[]): string[] {
  return [...new Set(rows.filter((m) => m.head !== '' && m.split !== 'test').map((m) => m.head))];
}

/**
 * Curves of one head ('' = the combined loss): training per reported step, training per epoch
 * (dashed) and validation per epoch, each against the step it was recorded at.
 */
export function metricSeries(rows: RunMetric[], head: string, metric: 'loss' | 'accuracy'): ChartSeries[] {
  const pick = (split: string, name: string) =>
    rows.filter((m) => m.head === head && m.split === split && m.metric === name).map((m) => [m.step, m.value] as [number, number]);
  return [
    { name: 'train', points: pick('train', `step_${metric}`) },
    { name: 'train (epoch)', points: pick('train', metric), dashed: true },
    { name: 'validation', points: pick('val', metric) },
  ].filter((s) => s.points.length > 0);
}

/** The chance level of an adversarial head, once the run's test evaluation has it. */
export function chanceOf(rows: RunMetric[], head: string): number | null {
  return rows.find((m) => m.split === 'test' && m.head === head && m.metric === 'chance')?.value ?? null;
}
