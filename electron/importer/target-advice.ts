import { MAX_SEQUENCE_POSITIONS } from '../../shared/targets.js';
import { MAX_CLASSES_SUGGESTED, type ColumnValues } from './write-record.js';

/**
 * Below this many rows a column's values say too little to call them free text: two images
 * labelled 'red' and 'dark blue' are more likely classes than transcripts.
 */
const FREE_TEXT_MIN_ROWS = 10;
/** The length target a sequence target gets by default (`targets add NAME --alphabet …`), and so the column an export writes for it. */
const lengthColumnOf = (column: string) => `${column}_length`;
/** A length class '>N': the sequence target modelled N positions. */
const OVER = /^>(\d+)$/;

const quote = (s: string) => (/^[\w.,/:=+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/**
 * What to do about each column of a labels file that names no target (by the column's name):
 * the command that creates it. A labels file (shared/label-file.ts) does not record a
 * target's kind, so it is read from the columns and the advice says from what: a column with a
 * `NAME_length` column beside it is a sequence (an export writes a sequence's length there),
 * and that length column needs no command of its own (the sequence target brings it); values
 * that rarely repeat are free text, a sequence; values that repeat are classes.
 */
export function targetAdvice(columns: ReadonlyMap<string, ColumnValues>, dataDir: string): Map<string, string> {
  const data = `--data ${quote(dataDir)}`;
  const advice = new Map<string, string>();
  const sequenceOf = (column: string) => {
    const base = column.endsWith('_length') ? column.slice(0, -'_length'.length) : '';
    return base !== '' && columns.has(base) ? base : null;
  };
  for (const [column, seen] of columns) {
    const sequence = sequenceOf(column);
    if (sequence !== null) {
      advice.set(
        column,
        `It holds the length of column '${sequence}' and comes with the sequence target '${sequence}' (see that column): no command of its own`,
      );
      continue;
    }
    const lengths = columns.get(lengthColumnOf(column));
    const counted = `${seen.values.size > MAX_CLASSES_SUGGESTED ? `over ${MAX_CLASSES_SUGGESTED}` : seen.values.size} different values in ${seen.rows} rows`;
    if (lengths) {
      advice.set(
        column,
        `Create it, then import again: ${sequenceCommand(column, seen, lengths, data)} (a sequence target with its length target ${lengthColumnOf(column)}: the file does not record a target's kind, and the column '${lengthColumnOf(column)}' beside it holds its lengths)`,
      );
    } else if (seen.values.size > MAX_CLASSES_SUGGESTED || (seen.rows >= FREE_TEXT_MIN_ROWS && seen.values.size * 2 > seen.rows)) {
      advice.set(
        column,
        `Create it, then import again: ${sequenceCommand(column, seen, null, data)} (a sequence target: the file does not record a target's kind, and its ${counted} read as free text)`,
      );
    } else {
      advice.set(
        column,
        `Create it, then import again: polyhead targets add ${quote(column)} --classes ${quote([...seen.values].join(','))} ${data} (a categorical target: the file does not record a target's kind, and its ${counted} read as classes)`,
      );
    }
  }
  return advice;
}

/** `targets add --alphabet`: the characters seen; the positions its length column's '>N' names, else the longest value. */
function sequenceCommand(column: string, seen: ColumnValues, lengths: ColumnValues | null, data: string): string {
  const alphabet = [...seen.chars].sort().join('');
  const over = [...(lengths?.values ?? [])].map((v) => OVER.exec(v)?.[1]).find((n) => n !== undefined);
  const positions = over !== undefined ? Number(over) : seen.longest;
  return `polyhead targets add ${quote(column)} --alphabet ${quote(alphabet)} --max-length ${Math.min(Math.max(positions, 1), MAX_SEQUENCE_POSITIONS)} ${data}`;
}
