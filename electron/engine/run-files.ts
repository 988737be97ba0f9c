/**
 * What a run keeps so that it stays usable whatever happens later: the targets and class
 * lists it was trained with, and checkpoint paths relative to the project folder (a copied
 * or moved project keeps working).
 */
import path from 'node:path';
import type { ModelSpec } from '../../shared/model-spec.js';
import type { TargetDef } from '../../shared/targets.js';
import type { Project } from '../domain/project.js';
import type { RunRow } from '../store/runs-repo.js';

/** Human value labels per class, as the store counts them (read once per spec check). */
type ClassCount = ReturnType<Project['store']['annotations']['classCounts']>[number];

/**
 * The targets a new run trains on: every target, with the classes of categorical targets
 * reduced to those a person has used (never-used classes would be outputs the model can only
 * learn never to predict, and rows of zeros in the confusion matrix). A head on a target
 * with fewer than two used classes is then refused by the spec check, saying so.
 */
export function trainingTargets(project: Project, classCounts: ClassCount[] = project.store.annotations.classCounts()): TargetDef[] {
  const used = new Set(classCounts.map((c) => `${c.target_id}/${c.class_name}`));
  return project.store.targets.list().map((t) => (t.kind === 'categorical' ? { ...t, classes: t.classes.filter((c) => used.has(`${t.id}/${c.name}`)) } : t));
}

/** The targets a run was trained with; runs from before they were kept use the project's current ones. */
export function runTargets(project: Project, run: RunRow): TargetDef[] {
  return run.targets ? (JSON.parse(run.targets) as TargetDef[]) : project.store.targets.list();
}

/** A checkpoint folder as the store keeps it: relative to the project folder. */
export function storedCheckpointPath(project: Project, dir: string): string {
  const relative = path.relative(project.dataDir, dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative.split(path.sep).join('/');
}

/**
 * A stored checkpoint path as a folder on this machine. Relative paths resolve in the project;
 * absolute ones (runs from before, or a project that was moved) are re-rooted at their
 * `runs/N/checkpoints/...` part when they no longer point into this project.
 */
export function checkpointFolder(project: Project, stored: string): string {
  if (!path.isAbsolute(stored)) return path.join(project.dataDir, stored);
  const at = stored.split(/[\\/]/).lastIndexOf('runs');
  if (path.relative(project.dataDir, stored).startsWith('..') && at >= 0) return path.join(project.dataDir, ...stored.split(/[\\/]/).slice(at));
  return stored;
}

/** The checkpoint a run's model is used from: the one evaluated (best on validation), else the latest. */
export function modelCheckpoint(project: Project, run: RunRow): string | null {
  const row = (run.best_epoch !== null ? project.store.runs.checkpointAt(run.id, run.best_epoch) : undefined) ?? project.store.runs.latestCheckpoint(run.id);
  return row ? checkpointFolder(project, row.path) : null;
}

/**
 * Heads that would learn nothing, so that their numbers would mean nothing (a flat loss of 0,
 * an accuracy over no examples): the spec is refused before a run exists, naming the head.
 * - a head on a sequence or length target no person has labeled yet (categorical ones are
 *   refused for having fewer than two used classes, heads.ts);
 * - a position head past every labeled sequence (all MNIST digits have one character: d1–d4);
 * - a length head whose labeled sequences are all of one length class.
 */
export function headsWithoutLabels(
  project: Project,
  spec: ModelSpec,
  targets: TargetDef[],
  classCounts: ClassCount[] = project.store.annotations.classCounts(),
): string[] {
  const lengths = project.store.annotations.lengthCounts();
  const labeled = new Map<number, number>();
  for (const row of [...classCounts, ...lengths]) labeled.set(row.target_id, (labeled.get(row.target_id) ?? 0) + row.n);
  return spec.heads.flatMap((head, i) => {
    const target = targets.find((t) => t.name === head.target.target);
    if (!target || target.kind === 'categorical') return [];
    if ((labeled.get(target.id) ?? 0) === 0)
      return [`heads.${i}.target.target: '${target.name}' has no labeled images yet: label some, or leave head '${head.name}' out`];
    if (head.target.kind === 'position') {
      const position = head.target.position;
      const longest = Math.max(0, ...lengths.filter((r) => r.target_id === target.id).map((r) => r.len));
      if (longest <= position)
        return [
          `heads.${i}.target.position: no labeled '${target.name}' has more than ${position} character(s) (the longest has ${longest}), so position ${position} has no labels: leave head '${head.name}' out`,
        ];
    }
    if (target.kind === 'length') {
      const used = classCounts.filter((c) => c.target_id === target.id && c.n > 0).map((c) => c.class_name);
      if (used.length < 2)
        return [
          `heads.${i}.target.target: every labeled '${target.name}' is ${used[0] ?? '?'}: a length head needs images of at least two lengths, or leave head '${head.name}' out`,
        ];
    }
    return [];
  });
}
