/**
 * Result tables as plain data, `{ columns, rows }`, rendered three ways: HTML for the notebook, Markdown for the
 * README, CSV for results/ (RFC 4180 quoting; numbers at full precision, since the CSV is data, not display). HTML
 * and Markdown show numbers to `digits` significant digits, switching to exponent notation for very small or very
 * large magnitudes; null cells are shown as "—" (a result that does not exist, e.g. a cell the paper does not
 * report) and written as empty CSV fields. danfojs renders no HTML, so the notebook table is built here.
 */
import type { DataFrame } from 'danfojs/dist/danfojs-browser/src';
import { DataError } from '../core/errors';
import { displayHtml, escapeHtml } from '../core/progress';
import { dfd } from './danfo';

export type Cell = string | number | null;
export type Table = { columns: string[]; rows: Cell[][] };

export interface TableFormat {
  /** significant digits of numbers in HTML and Markdown */
  digits?: number;
}

const DEFAULT_DIGITS = 4;
const MISSING = '—';

/** `digits` significant digits; exponent form below 1e-3 or from 1e6 in magnitude; trailing zeros dropped. */
export function formatNumber(x: number, digits: number = DEFAULT_DIGITS): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) throw new DataError(`digits must be an integer in [1, 21], got ${digits}`);
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs < 1e-3 || abs >= 1e6) {
    const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
    return `${stripZeros(mantissa)}e${exponent.replace('+', '')}`;
  }
  return stripZeros(x.toPrecision(digits));
}

/** A ratio as a percentage with one decimal ("2.3 %"); null, a result that does not exist, as "—". */
export function formatPercent(ratio: number | null): string {
  return ratio === null ? MISSING : `${(100 * ratio).toFixed(1)} %`;
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function checkTable(t: Table): void {
  t.rows.forEach((row, i) => {
    if (row.length !== t.columns.length) {
      throw new DataError(`table row ${i} has ${row.length} cells but there are ${t.columns.length} columns (${t.columns.join(', ')})`);
    }
  });
}

/** A column is numeric (right-aligned) when every cell that is present is a number. */
function numericColumns(t: Table): boolean[] {
  return t.columns.map((_, j) => t.rows.some((r) => r[j] !== null) && t.rows.every((r) => r[j] === null || typeof r[j] === 'number'));
}

function displayCell(c: Cell, digits: number): string {
  if (c === null) return MISSING;
  return typeof c === 'number' ? formatNumber(c, digits) : c;
}

export function tableToHtml(t: Table, format: TableFormat = {}): string {
  checkTable(t);
  const digits = format.digits ?? DEFAULT_DIGITS;
  const numeric = numericColumns(t);
  const align = (j: number) => `style="text-align:${numeric[j] ? 'right' : 'left'}"`;
  const head = t.columns.map((c, j) => `<th ${align(j)}>${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${r.map((c, j) => `<td ${align(j)}>${escapeHtml(displayCell(c, digits))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="metadyn-table">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A Markdown cell: "|" escaped, "<" as an entity (no raw HTML), line breaks as spaces (a row is one line). */
function markdownCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n|\r/g, ' ');
}

export function tableToMarkdown(t: Table, format: TableFormat = {}): string {
  checkTable(t);
  const digits = format.digits ?? DEFAULT_DIGITS;
  const numeric = numericColumns(t);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(t.columns.map(markdownCell)),
    line(numeric.map((n) => (n ? '---:' : '---'))),
    ...t.rows.map((r) => line(r.map((c) => markdownCell(displayCell(c, digits))))),
  ].join('\n') + '\n';
}

/** RFC 4180: a field with a comma, double quote or line break is quoted, its quotes doubled. */
function csvField(c: Cell): string {
  if (c === null) return '';
  const s = typeof c === 'number' ? String(c) : c;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header line; "\n" line ends (git-friendly; readers of RFC 4180 accept them). */
export function tableToCsv(t: Table): string {
  checkTable(t);
  return [t.columns, ...t.rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** The table as a danfo DataFrame (for sorting, grouping, `print()`). */
export function tableToDataFrame(t: Table): DataFrame {
  checkTable(t);
  return new dfd.DataFrame(t.rows, { columns: t.columns });
}

/** Show the table in the notebook; outside a kernel, return its HTML (inside, undefined: tslab prints a cell's value). */
export function showTable(t: Table, format: TableFormat = {}): string | undefined {
  const html = tableToHtml(t, format);
  return displayHtml(html) ? undefined : html;
}
