/**
 * A publication style for exported figures: a figure spec is re-laid-out for a journal column, so that at print
 * size (1 CSS px = 1/96 in = 0.75 pt) its text reads at 9 pt and its title at 10 pt, whichever width is chosen.
 *
 * - Widths: single column 3.5 in (336 px), double column 7 in (672 px). The height keeps the figure's own aspect
 *   ratio when its layout fixes both width and height (subplot grids), else a per-width default.
 * - Font: DejaVu Sans, which Debian's fonts-dejavu-core installs (fc-list), so Chromium embeds the same glyphs in
 *   every PDF; Plotly's default "Open Sans" is not installed and would fall back unpredictably.
 * - Colour: traces that carry no colour get one from the colour-blind-safe method palette, by name, so a method
 *   has one colour in every figure (specs from lineFigures.ts and its siblings already carry theirs and keep them).
 * - Vector output: WebGL traces (scattergl) are drawn as raster images inside SVG/PDF, so they become scatter.
 * LaTeX ($\theta$) in any label is left as it is; the exporter loads MathJax 3 so Plotly typesets it.
 */
import { ConfigError } from '../core/errors';
import { OKABE_ITO, seriesColors } from './palette';
import type { PlotlyFigure } from './plotly';

export type ColumnWidth = 'single' | 'double';
export const COLUMN_WIDTHS: readonly ColumnWidth[] = ['single', 'double'];

const CSS_PX_PER_INCH = 96;
const CSS_PX_PER_PT = 96 / 72;
const COLUMN_WIDTH_IN: Readonly<Record<ColumnWidth, number>> = { single: 3.5, double: 7 };
/** height / width when the spec does not fix both: a compact single panel, a wide double-column strip */
const DEFAULT_ASPECT: Readonly<Record<ColumnWidth, number>> = { single: 0.75, double: 0.45 };
const TEXT_PT = 9;
const TITLE_PT = 10;

export const PUBLICATION_FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export interface FigureSize {
  widthPx: number;
  heightPx: number;
}

export function parseColumnWidth(value: string, field = '--width'): ColumnWidth {
  if (!(COLUMN_WIDTHS as readonly string[]).includes(value)) {
    throw new ConfigError(`${field} must be one of ${COLUMN_WIDTHS.join(', ')}, got '${value}'`);
  }
  return value as ColumnWidth;
}

type Layout = Record<string, unknown>;
type Trace = Record<string, unknown>;

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function positiveNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** The printed size of `layout` at `width`: the column's width, the spec's aspect ratio when it fixes one. */
export function publicationSize(layout: object, width: ColumnWidth): FigureSize {
  const l = layout as Layout;
  const w = positiveNumber(l.width);
  const h = positiveNumber(l.height);
  const aspect = w !== undefined && h !== undefined ? h / w : DEFAULT_ASPECT[width];
  const widthPx = Math.round(COLUMN_WIDTH_IN[width] * CSS_PX_PER_INCH);
  return { widthPx, heightPx: Math.round(widthPx * aspect) };
}

const AXIS_KEY = /^[xy]axis\d*$/;
/** DejaVu Sans's mean advance over mixed text, in em: how many title characters one line of the column holds */
const MEAN_CHAR_EM = 0.6;
const LINE_HEIGHT_EM = 1.3;

/**
 * Breaks `text` at spaces into lines of at most `maxChars` characters, joined by Plotly's `<br>` (a word longer than
 * a line stays whole). Titles that carry their own breaks or LaTeX are returned as they are: MathJax typesets a
 * `$…$` title as one block, and a break chosen by the author is kept.
 */
export function wrapTitle(text: string, maxChars: number): string {
  if (text.length <= maxChars || text.includes('<br>') || text.includes('$')) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('<br>');
}

function styledLayout(layout: Layout, size: FigureSize): Layout {
  const text = TEXT_PT * CSS_PX_PER_PT;
  const out: Layout = { ...layout };
  const font = asRecord(layout.font) ?? {};
  out.font = { color: '#222222', ...font, family: PUBLICATION_FONT_FAMILY, size: text };
  const title = typeof layout.title === 'string' ? { text: layout.title } : asRecord(layout.title);
  const titlePx = TITLE_PT * CSS_PX_PER_PT;
  // Plotly never wraps a title: one longer than the column is cut at both edges, so it is broken into lines here.
  const titleText = title !== undefined && typeof title.text === 'string' ? wrapTitle(title.text, Math.floor(size.widthPx / (MEAN_CHAR_EM * titlePx))) : '';
  const titleLines = titleText === '' ? 0 : titleText.split('<br>').length;
  if (title) out.title = { ...title, ...(titleText !== '' ? { text: titleText } : {}), font: { ...asRecord(title.font), size: titlePx } };
  out.width = size.widthPx;
  out.height = size.heightPx;
  // Small margins that Plotly grows to fit tick labels and axis titles (automargin below); the top one holds the title.
  const margin = { l: 10, r: 10, b: 10, t: titleLines > 0 ? Math.round(36 + (titleLines - 1) * LINE_HEIGHT_EM * titlePx) : 10, pad: 0 };
  out.margin = margin;
  out.legend = { ...asRecord(layout.legend), font: { size: text } };
  out.colorway = OKABE_ITO.slice(1);
  for (const [key, value] of Object.entries(layout)) {
    const axis = asRecord(value);
    if (AXIS_KEY.test(key) && axis) out[key] = { ...axis, automargin: true };
  }
  if (Array.isArray(layout.annotations)) {
    const annotations = layout.annotations.map(asRecord);
    let topRowPx = 0;
    out.annotations = layout.annotations.map((a, i) => {
      const annotation = annotations[i];
      if (!annotation) return a;
      const widthPx = rowAnnotationWidthPx(annotations, i, size.widthPx);
      if (widthPx === null || typeof annotation.text !== 'string') return { ...annotation, font: { ...asRecord(annotation.font), size: text } };
      const fitted = fitRowAnnotation(annotation.text, widthPx, text);
      if ((annotation.y as number) >= 1 - 1e-9) topRowPx = Math.max(topRowPx, fitted.lines * LINE_HEIGHT_EM * fitted.sizePx);
      return { ...annotation, text: fitted.text, font: { ...asRecord(annotation.font), size: fitted.sizePx } };
    });
    // The top row's panel titles stand above the plot area, under the figure title: the margin holds them too.
    if (titleLines > 0 && topRowPx > 0) margin.t = Math.round(margin.t + topRowPx);
  }
  return out;
}

/**
 * Annotations on one row of the paper (a grid's panel titles) are centred over their panels, and Plotly never wraps
 * them: at a column's width a title longer than the distance to its neighbour's centre runs into the neighbour's. The
 * width one may take is that distance (90 % of it, for the margins); null for an annotation alone on its row or not
 * placed in paper coordinates.
 */
function rowAnnotationWidthPx(annotations: readonly (Record<string, unknown> | undefined)[], i: number, figureWidthPx: number): number | null {
  const own = annotations[i];
  const placed = (a: Record<string, unknown> | undefined): a is Record<string, unknown> & { x: number; y: number } =>
    a !== undefined && a.xref === 'paper' && a.yref === 'paper' && typeof a.x === 'number' && typeof a.y === 'number';
  if (!placed(own)) return null;
  const gaps = annotations.filter((a, j) => j !== i && placed(a) && Math.abs(a.y - own.y) < 1e-9).map((a) => Math.abs((a as { x: number }).x - own.x));
  return gaps.length === 0 ? null : 0.9 * Math.min(...gaps) * PLOT_AREA_FRACTION * figureWidthPx;
}

/**
 * Paper coordinates span the plot area, not the figure: the margins, the tick labels' automargins and an outside
 * legend take about a fifth of a grid's width.
 */
const PLOT_AREA_FRACTION = 0.8;
/** DejaVu Sans Bold's mean advance, in em (panel titles are bold) */
const BOLD_CHAR_EM = 0.68;

/** The smallest size a panel title is shrunk to before it is broken into lines instead */
const MIN_ANNOTATION_PT = 7;

/**
 * A panel title in `widthPx`: on one line at the text size if it fits; else on one line at the size that fits, down to
 * 7 pt (a line taller than the gap between rows would run into the tick labels above); else broken into lines at 7 pt.
 */
function fitRowAnnotation(text: string, widthPx: number, textPx: number): { text: string; sizePx: number; lines: number } {
  const chars = text.replace(/<[^>]*>/g, '').length;
  const em = /^<b>.*<\/b>$/.test(text) ? BOLD_CHAR_EM : MEAN_CHAR_EM;
  const sizePx = Math.min(textPx, Math.max(MIN_ANNOTATION_PT * CSS_PX_PER_PT, widthPx / (em * Math.max(1, chars))));
  // (+1e-9: at the fitted size the quotient is `chars` up to rounding, and must not floor to one less)
  const wrapped = wrapBoldable(text, Math.max(1, Math.floor(widthPx / (em * sizePx) + 1e-9)));
  return { text: wrapped, sizePx, lines: wrapped.split('<br>').length };
}

/** wrapTitle for a text that may be bold as a whole (`<b>…</b>`): each line is bold on its own. */
function wrapBoldable(text: string, maxChars: number): string {
  const bold = /^<b>(.*)<\/b>$/.exec(text);
  if (!bold) return wrapTitle(text, maxChars);
  return wrapTitle(bold[1], maxChars)
    .split('<br>')
    .map((line) => `<b>${line}</b>`)
    .join('<br>');
}

function traceColor(trace: Trace): unknown {
  return asRecord(trace.line)?.color ?? asRecord(trace.marker)?.color;
}

function styledTraces(data: readonly object[]): Trace[] {
  const traces = data.map((d) => {
    const t = { ...(d as Trace) };
    if (t.type === 'scattergl') t.type = 'scatter';
    return t;
  });
  const isXY = (t: Trace) => t.type === undefined || t.type === 'scatter';
  const uncoloured = traces.filter((t) => isXY(t) && typeof t.name === 'string' && traceColor(t) === undefined);
  const colors = seriesColors(uncoloured.map((t) => t.name as string));
  uncoloured.forEach((t, i) => {
    t.line = { ...asRecord(t.line), color: colors[i] };
    t.marker = { ...asRecord(t.marker), color: colors[i] };
  });
  return traces;
}

/** `fig` laid out for a journal column (pure: the input is not modified). */
export function publicationFigure(fig: PlotlyFigure, width: ColumnWidth): PlotlyFigure {
  const size = publicationSize(fig.layout, width);
  return { ...fig, data: styledTraces(fig.data), layout: styledLayout(fig.layout as Layout, size) };
}
