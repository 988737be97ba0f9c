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
  state: 'running' | 'finished' | 'failed';
  paths: string[];
  done: number;
  total: number;
  startedAt: string;
  summary: ImportSummary | null;
  error: string | null;
}
