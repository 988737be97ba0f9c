import type { ImportSummary } from '../../shared/imports.js';
import { invalidField } from '../../shared/errors.js';
import { caseVariantOf, nameKey, nameProblem, normalizeName } from '../../shared/names.js';
import type { TargetDef } from '../../shared/targets.js';
import type { Store } from '../store/store.js';
import type { LabelRecord } from './labels.js';

/** A categorical target whose class is the name of the folder `level` levels above each image (1: its parent). */
export interface FolderLabelRule {
  target: string;
  level: number;
}

const EXAMPLES = 3;

/**
 * The target a rule labels: the categorical target of that name, created (without classes) when
 * the project has none; a target of another kind is refused naming the field. The service calls
 * it before an import starts, so a bad rule is an error of the request, not of the job.
 */
export function folderLabelTarget(store: Store, rule: FolderLabelRule, field: string, create: boolean): TargetDef | null {
  const existing = store.targets.byName(normalizeName(rule.target));
  if (existing) {
    if (existing.kind !== 'categorical') {
      throw invalidField(field, `'${existing.name}' is a ${existing.kind} target; folder names label categorical targets`);
    }
    return existing;
  }
  return create ? store.targets.createCategorical(rule.target, []) : null;
}

/**
 * Labels from folder names (`root/<class>/<file>`, `root/<class>/<subgroup>/<file>`): each rule
 * adds its target's value to an image's label record, and the importer writes it like any label
 * (human, classes created as needed). A folder name the class rules refuse, or one differing
 * only by case from a class, is reported once per folder with how many images it holds, and
 * those images are left unlabeled for that target.
 */
export class FolderLabels {
  /** Per target: the class each folder name became (by case-folded name), so 'Serif' after 'serif' is caught in one import. */
  private readonly assigned = new Map<number, Map<string, string>>();
  private readonly refused = new Map<string, { folder: string; reason: string; count: number; examples: string[] }>();

  /** Per image (its path under the folder imported): each target's class and the folder it came from, decided in scan order. */
  private readonly byImage = new Map<string, { target: TargetDef; cls: string; folder: string }[]>();

  private constructor(
    private readonly rules: { target: TargetDef; level: number }[],
    private readonly summary: ImportSummary,
  ) {}

  /**
   * Creates missing targets and decides every image's folder classes up front, in scan order,
   * so which of two case variants is kept never depends on which file loads first.
   */
  static prepare(store: Store, rules: FolderLabelRule[] | undefined, summary: ImportSummary, relatives: string[]): FolderLabels {
    const resolved = (rules ?? []).map((rule, i) => ({ target: folderLabelTarget(store, rule, `labelFromFolder.${i}.target`, true)!, level: rule.level }));
    const labels = new FolderLabels(resolved, summary);
    if (resolved.length > 0) for (const relative of relatives) labels.decide(relative);
    return labels;
  }

  private decide(relative: string): void {
    const found: { target: TargetDef; cls: string; folder: string }[] = [];
    for (const { target, level } of this.rules) {
      const folder = folderAt(relative, level);
      if (folder === null) {
        this.refuse(`(none)`, `no folder ${level} level(s) up inside the folder imported, so no ${target.name} from it`, relative);
        continue;
      }
      const cls = this.classFor(target, folder, relative);
      if (cls !== null) found.push({ target, cls, folder });
    }
    if (found.length > 0) this.byImage.set(relative, found);
  }

  /** The record with the folder labels of the image at `relative` (under the folder imported) added; a label file's value of the same target wins, and a disagreement is reported. */
  withFolders(relative: string, record: LabelRecord | null): LabelRecord | null {
    const found = this.byImage.get(relative);
    if (!found) return record;
    const values = new Map(record?.values ?? []);
    const origins: string[] = [];
    for (const { target, cls, folder } of found) {
      const given = values.get(target.name);
      if (given !== undefined && given !== cls) {
        this.summary.labelProblems.push({
          item: record!.origin,
          reason: `${target.name} '${given ?? 'unknown'}' of the labels file differs from the folder name '${cls}'; kept the labels file's`,
        });
        continue;
      }
      values.set(target.name, cls);
      origins.push(`${target.name} from folder '${folder}'`);
    }
    if (origins.length === 0) return record;
    const origin = `${relative} (${origins.join(', ')})`;
    return record ? { ...record, origin: `${record.origin} and ${origin}`, values } : { origin, values };
  }

  /** Reports each refused folder name (and images without a folder at a rule's level) once, with how many images. */
  report(): void {
    for (const r of this.refused.values()) {
      this.summary.labelProblems.push({
        item: r.folder === '(none)' ? 'label from folder' : `folder '${r.folder}'`,
        reason: `${r.reason}; its ${r.count} image(s) were not labeled from it (e.g. ${r.examples.join(', ')})`,
      });
    }
  }

  private classFor(target: TargetDef, folder: string, relative: string): string | null {
    const name = normalizeName(folder);
    let names = this.assigned.get(target.id);
    if (!names) this.assigned.set(target.id, (names = new Map()));
    const known = names.get(nameKey(name));
    if (known === name) return name;
    const why = nameProblem(name);
    const variant =
      known ??
      caseVariantOf(
        name,
        target.classes.map((c) => c.name),
      );
    if (why === null && variant === null) {
      names.set(nameKey(name), name);
      return name;
    }
    this.refuse(
      folder,
      why ? `class name '${name}' of ${target.name} ${why}` : `'${name}' differs only by case from the class '${variant}' of ${target.name}`,
      relative,
    );
    return null;
  }

  private refuse(folder: string, reason: string, relative: string): void {
    const key = `${folder}\n${reason}`;
    const entry = this.refused.get(key) ?? { folder, reason, count: 0, examples: [] };
    if (entry.count++ < EXAMPLES) entry.examples.push(relative);
    this.refused.set(key, entry);
  }
}

/**
 * The name of the folder `level` levels above an image (1: its parent), counted inside the
 * folder imported (`relative` is the path under it): never the imported folder itself or one
 * above it, whose name says nothing about one image rather than another.
 */
function folderAt(relative: string, level: number): string | null {
  const folders = relative.split('/').slice(0, -1);
  return folders[folders.length - level] ?? null;
}
