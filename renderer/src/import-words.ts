/**
 * The Import panel's words for its transcript options, shared by the controls and the messages
 * that point to them: the UI names its own controls where the CLI names its flags.
 */
import type { ImportRemedy } from '../../shared/imports.js';

/** The label of the choice of the sequence target transcripts label (TranscriptOption). */
export const TRANSCRIPTS_LABEL = 'OCR transcripts (NAME.gt.txt) label';
/** The label of the checkbox that extends a target's alphabet with a transcript's characters. */
export const EXTEND_ALPHABET_LABEL = 'add characters outside its alphabet to it';

/** The import options a problem points to, as the Import panel offers them (shared/imports.ts problemText). */
export const UI_REMEDIES: Record<ImportRemedy, string> = { extendAlphabet: `ticking '${EXTEND_ALPHABET_LABEL}' adds them` };
