/** What an import reports: shared by the importer, the API and the CLI. */

export interface ImportRejection {
  item: string;
  reason: string;
  /** An import option that would have avoided it; each surface names it in its own words (problemText). */
  remedy?: ImportRemedy;
}

/** Import options a problem can point to, by their request field (shared/api/requests.ts). */
export type ImportRemedy = 'extendAlphabet';

/**
 * A problem's reason with its remedy named as the surface showing it offers it: the CLI passes
 * its flag ('--extend-alphabet adds them'), the UI its checkbox's label.
 */
export function problemText(problem: ImportRejection, remedies: Record<ImportRemedy, string>): string {
  return problem.remedy ? `${problem.reason} (${remedies[problem.remedy]})` : problem.reason;
}

/** A file not stored because the project already has its content (or an earlier file of the same import has). */
export interface ImportDuplicate {
  item: string;
  /** The name of the image it duplicates, as imported. */
  of: string;
  /** That image's id; null when it was not stored after all (the earlier file of this import failed). */
  imageId: number | null;
}

/**
 * The lists of a summary keep their first IMPORT_LIST_LIMIT entries (a 100,000-file folder of
 * bad files must not make a report of megabytes); the totals count every one.
 */
export const IMPORT_LIST_LIMIT = 1000;

export interface ImportSummary {
  imported: number;
  duplicates: number;
  rejected: ImportRejection[];
  rejectedTotal: number;
  /** Files that are neither images, label files nor IDX files. */
  ignored: string[];
  ignoredTotal: number;
  labelsApplied: number;
  labelProblems: ImportRejection[];
  labelProblemsTotal: number;
  /** The duplicates, each with the image it duplicates (the first IMPORT_LIST_LIMIT). */
  duplicateItems: ImportDuplicate[];
  createdClasses: string[];
  elapsedMs: number;
  /** Why the import ended before every item was looked at (cancelled, disk full, interrupted); null when it went through. */
  stopped: string | null;
  /** OCR line transcripts (NAME.gt.txt beside NAME.png) found among the paths, if any. */
  transcripts?: TranscriptSummary;
}

export interface TranscriptSummary {
  /** The sequence target they label; null when none was given (then they were not read). */
  target: string | null;
  /** Transcript files found. */
  files: number;
  /** Transcripts read and matched to an image of the import (their labels count in labelsApplied). */
  matched: number;
  /** Characters added to the target's alphabet (extendAlphabet); '' when none. */
  alphabetAdded: string;
}

export interface ImportJob {
  jobId: string;
  state: 'running' | 'finished' | 'failed' | 'cancelled';
  paths: string[];
  done: number;
  total: number;
  startedAt: string;
  summary: ImportSummary | null;
  error: string | null;
}
