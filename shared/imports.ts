/** What an import reports: shared by the importer, the API and the CLI. */

export interface ImportRejection {
  item: string;
  reason: string;
}

export interface ImportSummary {
  imported: number;
  duplicates: number;
  rejected: ImportRejection[];
  /** Files that are neither images, label files nor IDX files. */
  ignored: string[];
  labelsApplied: number;
  labelProblems: ImportRejection[];
  createdClasses: string[];
  elapsedMs: number;
}

export interface ImportJob {
  jobId: string;
  state: 'running' | 'finished' | 'failed';
  paths: string[];
  done: number;
  total: number;
  startedAt: string;
  summary: ImportSummary | null;
  error: string | null;
}
