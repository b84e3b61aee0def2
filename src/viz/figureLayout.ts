/**
 * What every figure spec shares (./lineFigures.ts, ./scatterAndBarFigures.ts, ./fieldFigures.ts: pure functions,
 * data in, Plotly JSON out, no display and no I/O, so every figure can be tested, saved under results/ and
 * re-rendered later): the house style, the treatment of non-finite values, and the grid of subplots.
 *
 * Readable defaults throughout: white background with light grid, 14 px text (12 px in subplot grids), every axis
 * titled, colours from `seriesColors` so a method has one colour in every figure. Non-finite values become null,
 * which Plotly draws as a gap: a diverging run (ANIL or Reptile on DNO in the structure-preserving paper) stays
 * plottable up to the step where it failed, and the spec stays valid JSON.
 */
import { DataError } from '../core/errors';

export const FONT = { family: 'Arial, Helvetica, sans-serif', size: 14, color: '#222222' };
export const GRID_FONT_SIZE = 12;

export function axis(title: string, extra: object = {}): object {
  return {
    title: { text: title },
    gridcolor: '#E5E5E5',
    zerolinecolor: '#BBBBBB',
    linecolor: '#444444',
    showline: true,
    mirror: true,
    ticks: 'outside',
    automargin: true,
    ...extra,
  };
}

export function baseLayout(title: string): Record<string, unknown> {
  return {
    title: { text: title, x: 0.5, xanchor: 'center' },
    font: FONT,
    paper_bgcolor: '#FFFFFF',
    plot_bgcolor: '#FFFFFF',
    legend: { bgcolor: 'rgba(255,255,255,0.8)' },
    margin: { l: 70, r: 30, t: 60, b: 60 },
  };
}

/** Finite numbers pass; NaN and ±Infinity become null (a gap in the plot). */
export function gaps(values: readonly number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

export function sameLength(what: string, x: readonly unknown[], y: readonly unknown[]): void {
  if (x.length !== y.length) throw new DataError(`${what}: x has ${x.length} values but y has ${y.length}`);
}

export interface XY {
  x: readonly number[];
  y: readonly number[];
}

export const LOG_AXIS = { type: 'log', exponentformat: 'power' };
/**
 * A log axis of a small panel over `values`: plain numbers (200, 500, 1000) read better there than powers; ticks at
 * 1, 2 and 5 of each decade when the values span a decade or more (every digit would crowd), at every digit when they
 * span less (1-2-5 would leave one label or none). Past three decades even 1-2-5 crowds a small panel: one tick per
 * decade, or per second decade past four, written as powers of ten (plain numbers of 1e-6 would be eight digits wide).
 */
export function panelLogAxis(values: readonly number[]): { type: 'log'; tickformat: string; dtick: 'D1' | 'D2' } | { type: 'log'; exponentformat: 'power'; dtick: 1 | 2 } {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  const decades = positive.length === 0 ? 0 : Math.log10(Math.max(...positive) / Math.min(...positive));
  if (decades > 4) return { type: 'log', exponentformat: 'power', dtick: 2 };
  if (decades > 3) return { type: 'log', exponentformat: 'power', dtick: 1 };
  return { type: 'log', tickformat: '~g', dtick: decades >= 1 ? 'D2' : 'D1' };
}

/** Axis key suffix of subplot i: '', '2', '3', ... (Plotly names them x, x2, x3 / xaxis, xaxis2, ...). */
export function axisSuffix(i: number): string {
  return i === 0 ? '' : String(i + 1);
}

/** One subplot of a panel grid: its place, its axis key suffix and its domains in paper coordinates. */
export interface PanelCell {
  col: number;
  suffix: string;
  xDomain: [number, number];
  yDomain: [number, number];
  /** the last panel of its column: it carries the x-axis title */
  bottomOfColumn: boolean;
}

/** The cells of `count` panels in `columns` columns, row-major, gapX / gapY apart (fractions of the plot area). */
export function panelCells(count: number, columns: number, gapX: number, gapY: number): PanelCell[] {
  const rows = Math.ceil(count / columns);
  const cellW = (1 - gapX * (columns - 1)) / columns;
  const cellH = (1 - gapY * (rows - 1)) / rows;
  return Array.from({ length: count }, (_, i) => {
    const col = i % columns;
    const x0 = col * (cellW + gapX);
    const yTop = 1 - Math.floor(i / columns) * (cellH + gapY);
    return { col, suffix: axisSuffix(i), xDomain: [x0, x0 + cellW], yDomain: [yTop - cellH, yTop], bottomOfColumn: i + columns >= count };
  });
}

/** A panel's bold title, centred above its cell. */
export function panelTitle(text: string, cell: PanelCell): object {
  const [x0, x1] = cell.xDomain;
  return { text: `<b>${text}</b>`, x: (x0 + x1) / 2, y: cell.yDomain[1], xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: GRID_FONT_SIZE + 1 } };
}
