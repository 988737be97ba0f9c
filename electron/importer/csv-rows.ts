import { parse } from 'csv-parse/sync';
import type { ImportRejection } from '../../shared/imports.js';

export interface CsvRows {
  header: string[];
  /** Each data row with its line number in the file (1-based). */
  rows: { line: number; cells: string[] }[];
  problems: ImportRejection[];
}

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
}

const PARSE_OPTIONS = { bom: true, skip_empty_lines: true, trim: true } as const;

/**
 * Parses a CSV labels file row by row, so that one bad row loses that row and not the file:
 * a row with more or fewer cells than the header, or a bad quote, is reported by line and
 * skipped; an unclosed quote (which would swallow the rest of the file) loses the row it opens
 * in, and parsing starts again on the next line. Rows are arrays: a header cell such as
 * '__proto__' cannot reach an object's prototype.
 */
export function parseCsvRows(name: string, text: string): CsvRows {
  const lines = text.split(/\r?\n/);
  const result: CsvRows = { header: [], rows: [], problems: [] };
  const headerLine = lines.findIndex((l) => l.trim() !== '');
  if (headerLine < 0) return result;
  try {
    result.header = (parse(lines[headerLine]!, PARSE_OPTIONS) as string[][])[0] ?? [];
  } catch (error) {
    result.problems.push({
      item: `${name} line ${headerLine + 1}`,
      reason: `the header row cannot be read (${(error as Error).message}); the file was not read`,
    });
    return result;
  }
  // Data rows are parsed from `start` (0-based line index) on, with the header put back in front.
  let start = headerLine + 1;
  while (start < lines.length) {
    const chunk = [lines[headerLine], ...lines.slice(start)].join('\n');
    const lineOf = (chunkLine: number) => start + chunkLine - 1; // chunk line 2 is file line start + 1
    const blank = (chunkLine: number) => (lines[start + chunkLine - 2] ?? 'end').trim() === '';
    const events: ({ end: number; cells: string[] } | { end: number; error: CsvParseError })[] = [];
    const records = parse(chunk, {
      ...PARSE_OPTIONS,
      skip_records_with_error: true,
      on_record: (record: string[], context: { lines: number }) => {
        events.push({ end: context.lines, cells: record });
        return record;
      },
      on_skip: (error: CsvParseError | undefined) => {
        if (error) events.push({ end: error.lines ?? Number.MAX_SAFE_INTEGER, error });
      },
    }) as unknown[];
    void records;
    let previousEnd = 1;
    let restart: number | null = null;
    for (const event of events) {
      if ('cells' in event) {
        if (event.end > 1) result.rows.push({ line: lineOf(event.end), cells: event.cells });
        previousEnd = event.end;
        continue;
      }
      // The bad row starts on the first non-empty line after the last one read.
      let first = previousEnd + 1;
      while (blank(first) && first < event.end) first++;
      const { error } = event;
      if (error.code !== 'CSV_QUOTE_NOT_CLOSED' && event.end === first) {
        result.problems.push({ item: `${name} line ${lineOf(first)}`, reason: `${rowProblem(error)}; this row was skipped` });
        previousEnd = event.end;
        continue;
      }
      // A quote that runs over the end of its line swallowed the rows after it: lose only its own line and read on from the next.
      result.problems.push({ item: `${name} line ${lineOf(first)}`, reason: 'a quote opened on this line is not closed on it; this row was skipped' });
      restart = lineOf(first);
      break;
    }
    if (restart === null) break;
    start = restart;
  }
  return result;
}

function rowProblem(error: CsvParseError): string {
  if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || error.code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
    return `a different number of cells than the header has (${error.message.replace(/ on line \d+$/, '')})`;
  }
  return error.message.replace(/ at line \d+$/, '').replace(/ on line \d+$/, '');
}
