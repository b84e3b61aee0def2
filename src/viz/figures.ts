/**
 * Figure specs as pure functions: data in, Plotly JSON out, no display and no I/O, so every figure can be tested,
 * saved under results/ and re-rendered later.
 *
 * Readable defaults throughout: white background with light grid, 14 px text (12 px in subplot grids), every axis
 * titled, colours from `seriesColors` so a method has one colour in every figure. Non-finite values become null,
 * which Plotly draws as a gap: a diverging run (ANIL or Reptile on DNO in the structure-preserving paper) stays
 * plottable up to the step where it failed, and the spec stays valid JSON.
 */
import { DataError } from '../core/errors';
import { seriesColors } from './palette';
import { PlotlyFigure } from './plotly';

const FONT = { family: 'Arial, Helvetica, sans-serif', size: 14, color: '#222222' };
const GRID_FONT_SIZE = 12;
const TRUTH_NAME = 'truth';

function axis(title: string, extra: object = {}): object {
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

function baseLayout(title: string): Record<string, unknown> {
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
function gaps(values: readonly number[]): (number | null)[] {
  return values.map((v) => (Number.isFinite(v) ? v : null));
}

function sameLength(what: string, x: readonly unknown[], y: readonly unknown[]): void {
  if (x.length !== y.length) throw new DataError(`${what}: x has ${x.length} values but y has ${y.length}`);
}

export interface XY {
  x: readonly number[];
  y: readonly number[];
}

export interface LineSeries extends XY {
  name: string;
  dash?: 'solid' | 'dash' | 'dot' | 'dashdot';
  color?: string;
  /** a marker at every point as well as the line: for a few points far apart (milestones), which a line alone hides */
  markers?: boolean;
}

/** The Plotly scatter trace of one line series, colour `color` unless it has its own; `extra` adds to the trace (a panel's axes). */
function lineTrace(line: LineSeries, color: string, extra: object = {}): object {
  return {
    type: 'scatter',
    mode: line.markers ? 'lines+markers' : 'lines',
    name: line.name,
    x: gaps(line.x),
    y: gaps(line.y),
    line: { color: line.color ?? color, dash: line.dash ?? 'solid', width: 2 },
    ...(line.markers ? { marker: { size: 7, color: line.color ?? color } } : {}),
    ...extra,
  };
}

const LOG_AXIS = { type: 'log', exponentformat: 'power' };
/**
 * A log axis of a small panel over `values`: plain numbers (200, 500, 1000) read better there than powers; ticks at
 * 1, 2 and 5 of each decade when the values span a decade or more (every digit would crowd), at every digit when they
 * span less (1-2-5 would leave one label or none).
 */
export function panelLogAxis(values: readonly number[]): { type: 'log'; tickformat: string; dtick: 'D1' | 'D2' } {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  const decades = positive.length === 0 ? 0 : Math.log10(Math.max(...positive) / Math.min(...positive));
  return { type: 'log', tickformat: '~g', dtick: decades >= 1 ? 'D2' : 'D1' };
}

/** Curves against a common x (loss against step, error against time); `logY` for losses spanning decades. */
export function lineFigure(o: { title: string; xTitle: string; yTitle: string; series: readonly LineSeries[]; logX?: boolean; logY?: boolean }): PlotlyFigure {
  if (o.series.length === 0) throw new DataError(`lineFigure '${o.title}' needs at least one series`);
  const colors = seriesColors(o.series.map((s) => s.name));
  const data = o.series.map((s, i) => {
    sameLength(`series '${s.name}'`, s.x, s.y);
    return lineTrace(s, colors[i]);
  });
  return {
    data,
    layout: { ...baseLayout(o.title), xaxis: axis(o.xTitle, o.logX ? LOG_AXIS : {}), yaxis: axis(o.yTitle, o.logY ? LOG_AXIS : {}) },
  };
}

/**
 * Line panels in a grid (`columns` per row) with one legend: a series name keeps its colour in every panel and its
 * legend entry toggles it everywhere (legendgroup). Keep the names short (the legend sits at the right, where
 * Plotly makes room for it at any export size) and say what they stand for in the caption.
 */
export function lineGridFigure(o: {
  title: string;
  panels: readonly { title: string; series: readonly LineSeries[] }[];
  xTitle: string;
  yTitle: string;
  columns: number;
  logX?: boolean;
  logY?: boolean;
  /** the legend's order of series names (default: first appearance, panel by panel); names it omits follow */
  legendOrder?: readonly string[];
}): PlotlyFigure {
  if (o.panels.length === 0 || o.panels.some((p) => p.series.length === 0)) throw new DataError(`lineGridFigure '${o.title}' needs panels, each with a series`);
  if (!Number.isInteger(o.columns) || o.columns < 1) throw new DataError(`columns must be a positive integer, got ${o.columns}`);
  const columns = Math.min(o.columns, o.panels.length);
  const rows = Math.ceil(o.panels.length / columns);
  const names = [...new Set([...(o.legendOrder ?? []), ...o.panels.flatMap((p) => p.series.map((s) => s.name))])];
  const palette = seriesColors(names);
  const cells = panelCells(o.panels.length, columns, 0.1, 0.12 / rows + 0.08);
  const layout: Record<string, unknown> = {
    ...baseLayout(o.title),
    font: { ...FONT, size: GRID_FONT_SIZE },
    height: 120 + 300 * rows,
    width: 260 + 360 * columns,
    annotations: [] as object[],
  };
  const inLegend = new Set<string>();
  const data: object[] = [];
  o.panels.forEach((panel, i) => {
    const cell = cells[i];
    const s = cell.suffix;
    layout[`xaxis${s}`] = axis(cell.bottomOfColumn ? o.xTitle : '', { domain: cell.xDomain, anchor: `y${s}`, ...(o.logX ? panelLogAxis(panel.series.flatMap((l) => [...l.x])) : {}) });
    layout[`yaxis${s}`] = axis(cell.col === 0 ? o.yTitle : '', { domain: cell.yDomain, anchor: `x${s}`, ...(o.logY ? panelLogAxis(panel.series.flatMap((l) => [...l.y])) : {}) });
    (layout.annotations as object[]).push(panelTitle(panel.title, cell));
    panel.series.forEach((line) => {
      sameLength(`panel '${panel.title}', series '${line.name}'`, line.x, line.y);
      const first = !inLegend.has(line.name);
      inLegend.add(line.name);
      const rank = names.indexOf(line.name);
      data.push(lineTrace(line, palette[rank], { legendgroup: line.name, legendrank: rank + 1, showlegend: first, xaxis: `x${s}`, yaxis: `y${s}` }));
    });
  });
  return { data, layout };
}

export interface PhasePanel {
  title: string;
  truth: XY;
  predicted: readonly (XY & { name: string })[];
}

/** Axis key suffix of subplot i: '', '2', '3', ... (Plotly names them x, x2, x3 / xaxis, xaxis2, ...). */
function axisSuffix(i: number): string {
  return i === 0 ? '' : String(i + 1);
}

/** One subplot of a panel grid: its place, its axis key suffix and its domains in paper coordinates. */
interface PanelCell {
  col: number;
  suffix: string;
  xDomain: [number, number];
  yDomain: [number, number];
  /** the last panel of its column: it carries the x-axis title */
  bottomOfColumn: boolean;
}

/** The cells of `count` panels in `columns` columns, row-major, gapX / gapY apart (fractions of the plot area). */
function panelCells(count: number, columns: number, gapX: number, gapY: number): PanelCell[] {
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
function panelTitle(text: string, cell: PanelCell): object {
  const [x0, x1] = cell.xDomain;
  return { text: `<b>${text}</b>`, x: (x0 + x1) / 2, y: cell.yDomain[1], xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: GRID_FONT_SIZE + 1 } };
}

/**
 * Phase portraits (e.g. θ against ω), one subplot per instance, truth in black and each method dashed in its
 * colour. The legend lists each name once and toggles it in every panel (legendgroup).
 */
export function phasePortraitGrid(o: {
  title: string;
  panels: readonly PhasePanel[];
  xTitle: string;
  yTitle: string;
  columns: number;
}): PlotlyFigure {
  if (o.panels.length === 0) throw new DataError(`phasePortraitGrid '${o.title}' needs at least one panel`);
  if (!Number.isInteger(o.columns) || o.columns < 1) throw new DataError(`columns must be a positive integer, got ${o.columns}`);
  const columns = Math.min(o.columns, o.panels.length);
  const rows = Math.ceil(o.panels.length / columns);
  const names = [TRUTH_NAME, ...o.panels.flatMap((p) => p.predicted.map((q) => q.name))];
  const palette = seriesColors(names);
  const colors = new Map(names.map((n, i) => [n, palette[i]]));
  const inLegend = new Set<string>();
  // Room between rows for the tick labels above and a panel title of two lines (a column-width export wraps them).
  const cells = panelCells(o.panels.length, columns, 0.08 / columns + 0.04, 0.12 / rows + 0.06);

  const data: object[] = [];
  const layout: Record<string, unknown> = {
    ...baseLayout(o.title),
    font: { ...FONT, size: GRID_FONT_SIZE },
    height: 120 + 300 * rows,
    width: 80 + 330 * columns,
    annotations: [] as object[],
  };
  o.panels.forEach((panel, i) => {
    const cell = cells[i];
    const s = cell.suffix;
    // Axis titles on the outer panels only (bottom of each column, left of each row): repeated inner titles collide
    // with the neighbouring panels once the figure is set at a column width.
    layout[`xaxis${s}`] = axis(cell.bottomOfColumn ? o.xTitle : '', { domain: cell.xDomain, anchor: `y${s}` });
    layout[`yaxis${s}`] = axis(cell.col === 0 ? o.yTitle : '', { domain: cell.yDomain, anchor: `x${s}` });
    (layout.annotations as object[]).push(panelTitle(panel.title, cell));
    const trace = (name: string, xy: XY, dash: string) => {
      sameLength(`panel '${panel.title}', series '${name}'`, xy.x, xy.y);
      const first = !inLegend.has(name);
      inLegend.add(name);
      data.push({
        type: 'scatter',
        mode: 'lines',
        name,
        legendgroup: name,
        showlegend: first,
        x: gaps(xy.x),
        y: gaps(xy.y),
        xaxis: `x${s}`,
        yaxis: `y${s}`,
        line: { color: colors.get(name), dash, width: 2 },
      });
    };
    trace(TRUTH_NAME, panel.truth, 'solid');
    panel.predicted.forEach((p) => trace(p.name, p, 'dash'));
  });
  return { data, layout };
}

export interface ScatterPoints extends XY {
  name?: string;
  text?: readonly string[];
  /** one number per point, shown through a colour bar; or one CSS colour for all points */
  color?: readonly number[] | string;
  colorTitle?: string;
}

/**
 * Points, optionally coloured by a parameter (colour bar), with an optional reference line: learned η against the
 * physical parameter, parity plots (line y = x), latent PCA projections coloured by the system parameter.
 */
export function scatterFigure(o: {
  title: string;
  xTitle: string;
  yTitle: string;
  points: ScatterPoints;
  line?: XY & { name?: string };
}): PlotlyFigure {
  const p = o.points;
  sameLength(`scatter '${o.title}' points`, p.x, p.y);
  if (p.text && p.text.length !== p.x.length) throw new DataError(`scatter '${o.title}': ${p.x.length} points but ${p.text.length} labels`);
  let marker: object = { size: 9, color: '#0072B2', line: { width: 0.5, color: '#333333' } };
  if (typeof p.color === 'string') marker = { ...marker, color: p.color };
  else if (p.color) {
    if (p.color.length !== p.x.length) throw new DataError(`scatter '${o.title}': ${p.x.length} points but ${p.color.length} colour values`);
    // Viridis is perceptually uniform and readable with colour-vision deficiencies.
    marker = { ...marker, color: gaps(p.color), colorscale: 'Viridis', showscale: true, colorbar: { title: { text: p.colorTitle ?? '' } } };
  }
  const data: object[] = [
    {
      type: 'scatter',
      mode: 'markers',
      name: p.name ?? 'points',
      x: gaps(p.x),
      y: gaps(p.y),
      ...(p.text ? { text: [...p.text], hoverinfo: 'text+x+y' } : {}),
      marker,
    },
  ];
  if (o.line) {
    sameLength(`scatter '${o.title}' line`, o.line.x, o.line.y);
    data.push({ type: 'scatter', mode: 'lines', name: o.line.name ?? 'reference', x: gaps(o.line.x), y: gaps(o.line.y), line: { color: '#000000', dash: 'dash', width: 1.5 } });
  }
  return {
    data,
    layout: { ...baseLayout(o.title), showlegend: o.line !== undefined || p.name !== undefined, xaxis: axis(o.xTitle), yaxis: axis(o.yTitle) },
  };
}

/** Bars per category (explained variance per principal component). */
export function barFigure(o: { title: string; categories: readonly string[]; values: readonly number[]; xTitle: string; yTitle: string }): PlotlyFigure {
  if (o.categories.length !== o.values.length) {
    throw new DataError(`barFigure '${o.title}': ${o.categories.length} categories but ${o.values.length} values`);
  }
  return {
    data: [{ type: 'bar', x: [...o.categories], y: gaps(o.values), marker: { color: '#0072B2' } }],
    layout: { ...baseLayout(o.title), showlegend: false, xaxis: axis(o.xTitle, { type: 'category' }), yaxis: axis(o.yTitle) },
  };
}

/**
 * Scalar fields on a grid in panels of `columns` per row (default 4) with one shared colour scale (the data's range
 * over all panels), e.g. a reaction–diffusion state, or |ẋ| of a target field against every method's. Each z is
 * [rows][columns]. Without `axes` the images are in pixel coordinates (x = column, y = row) with bare axes. With
 * `axes` (the grid's coordinates: z[i][j] sits at (x[j], y[i])), every panel has both axes titled and ticked in those
 * coordinates and the SAME extent, the grid's cells edge to edge, so that markers outside the grid cannot stretch one
 * panel. A panel's optional `points` are markers over its image in the same coordinates, e.g. the few-shot support
 * states on the target field.
 */
export function fieldSnapshotsFigure(o: {
  title: string;
  panels: readonly { title: string; z: readonly (readonly number[])[]; points?: XY & { name: string } }[];
  colorTitle: string;
  columns?: number;
  axes?: { x: readonly number[]; y: readonly number[]; xTitle: string; yTitle: string };
}): PlotlyFigure {
  if (o.panels.length === 0) throw new DataError(`fieldSnapshotsFigure '${o.title}' needs at least one panel`);
  const values = o.panels.flatMap((p) => p.z.flatMap((row) => row.filter((v) => Number.isFinite(v))));
  if (values.length === 0) throw new DataError(`fieldSnapshotsFigure '${o.title}': no finite value to show`);
  const { axes } = o;
  if (axes) {
    o.panels.forEach((p) => {
      if (p.z.length !== axes.y.length || p.z.some((row) => row.length !== axes.x.length)) {
        throw new DataError(`fieldSnapshotsFigure panel '${p.title}': z must be [${axes.y.length}][${axes.x.length}] (y × x)`);
      }
    });
  }
  const zmin = Math.min(...values);
  const zmax = Math.max(...values);
  const n = o.panels.length;
  const columns = Math.min(o.columns ?? 4, n);
  if (!Number.isInteger(columns) || columns < 1) throw new DataError(`columns must be a positive integer, got ${o.columns}`);
  const gridRows = Math.ceil(n / columns);
  // room between panels for each panel's tick labels and axis titles when they have them
  const gapX = axes ? 0.07 : 0.04;
  const gapY = (axes ? 0.2 : 0.1) / gridRows + 0.03;
  const cellW = (1 - gapX * (columns - 1)) / columns;
  const cellH = (0.94 - gapY * (gridRows - 1)) / gridRows;
  const extent = axes && { x: cellEdges(axes.x), y: cellEdges(axes.y) };
  const layout: Record<string, unknown> = { ...baseLayout(o.title), height: 100 + (axes ? 320 : 280) * gridRows, width: 80 + (axes ? 320 : 280) * columns, annotations: [] as object[] };
  const data = o.panels.flatMap((panel, i) => {
    const s = axisSuffix(i);
    const col = i % columns;
    const row = Math.floor(i / columns);
    const x0 = col * (cellW + gapX);
    const top = 0.94 - row * (cellH + gapY);
    const domains = { x: [x0, x0 + cellW], y: [top - cellH, top - 0.04] };
    if (axes && extent) {
      const font = { size: GRID_FONT_SIZE };
      layout[`xaxis${s}`] = axis(axes.xTitle, { domain: domains.x, anchor: `y${s}`, range: extent.x, autorange: false, tickfont: font, title: { text: axes.xTitle, font, standoff: 2 } });
      layout[`yaxis${s}`] = axis(axes.yTitle, { domain: domains.y, anchor: `x${s}`, range: extent.y, autorange: false, tickfont: font, title: { text: axes.yTitle, font, standoff: 2 } });
    } else {
      layout[`xaxis${s}`] = { domain: domains.x, showticklabels: false, anchor: `y${s}` };
      layout[`yaxis${s}`] = { domain: domains.y, showticklabels: false, scaleanchor: `x${s}`, anchor: `x${s}` };
    }
    (layout.annotations as object[]).push({ text: panel.title, x: x0 + cellW / 2, y: top, xref: 'paper', yref: 'paper', showarrow: false, yanchor: 'bottom' });
    const image = {
      type: 'heatmap',
      z: panel.z.map((row) => gaps(row)),
      ...(axes ? { x: [...axes.x], y: [...axes.y] } : {}),
      zmin,
      zmax,
      colorscale: 'Viridis',
      showscale: i === n - 1,
      colorbar: { title: { text: o.colorTitle } },
      xaxis: `x${s}`,
      yaxis: `y${s}`,
    };
    if (!panel.points) return [image];
    sameLength(`panel '${panel.title}' points`, panel.points.x, panel.points.y);
    const marker = { color: '#FFFFFF', size: 7, symbol: 'x', line: { color: '#000000', width: 1 } };
    return [image, { type: 'scatter', mode: 'markers', name: panel.points.name, x: gaps(panel.points.x), y: gaps(panel.points.y), marker, xaxis: `x${s}`, yaxis: `y${s}` }];
  });
  return { data, layout };
}

/** The outer edges of the cells centred on ascending grid coordinates c: [c₀ − h₀/2, c_last + h_last/2]. */
function cellEdges(c: readonly number[]): [number, number] {
  if (c.length < 2) throw new DataError(`grid axis needs at least 2 coordinates, got ${c.length}`);
  const last = c.length - 1;
  return [c[0] - (c[1] - c[0]) / 2, c[last] + (c[last] - c[last - 1]) / 2];
}

/**
 * Level sets of scalar fields on one grid, one contour panel each, side by side with the SAME levels (`levels`
 * evenly spaced lines from the smallest to the largest finite value over all panels), so that equal spacing of the
 * lines means equal values across panels: a learned Hamiltonian against the true one. z[i][j] is the value at
 * (x[j], y[i]); non-finite values become null (a hole in the plot).
 */
export function contourFigure(o: {
  title: string;
  xTitle: string;
  yTitle: string;
  x: readonly number[];
  y: readonly number[];
  panels: readonly { title: string; z: readonly (readonly number[])[] }[];
  colorTitle: string;
  levels?: number;
}): PlotlyFigure {
  if (o.panels.length === 0) throw new DataError(`contourFigure '${o.title}' needs at least one panel`);
  o.panels.forEach((p) => {
    if (p.z.length !== o.y.length || p.z.some((row) => row.length !== o.x.length)) {
      throw new DataError(`contourFigure panel '${p.title}': z must be [${o.y.length}][${o.x.length}] (y × x)`);
    }
  });
  const values = o.panels.flatMap((p) => p.z.flatMap((row) => row.filter((v) => Number.isFinite(v))));
  if (values.length === 0) throw new DataError(`contourFigure '${o.title}': no finite value to show`);
  const zmin = Math.min(...values);
  const zmax = Math.max(...values);
  const levels = o.levels ?? 15;
  const size = zmax > zmin ? (zmax - zmin) / levels : 1;
  const n = o.panels.length;
  const gap = 0.06;
  const cell = (1 - gap * (n - 1)) / n;
  const layout: Record<string, unknown> = { ...baseLayout(o.title), height: 420, width: 80 + 330 * n, annotations: [] as object[] };
  layout.font = { ...FONT, size: GRID_FONT_SIZE };
  const data = o.panels.map((panel, i) => {
    const s = axisSuffix(i);
    layout[`xaxis${s}`] = axis(o.xTitle, { domain: [i * (cell + gap), i * (cell + gap) + cell], anchor: `y${s}` });
    layout[`yaxis${s}`] = axis(i === 0 ? o.yTitle : '', { domain: [0, 0.88], anchor: `x${s}` });
    (layout.annotations as object[]).push({ text: panel.title, x: i * (cell + gap) + cell / 2, y: 0.95, xref: 'paper', yref: 'paper', showarrow: false });
    return {
      type: 'contour',
      x: [...o.x],
      y: [...o.y],
      z: panel.z.map((row) => gaps(row)),
      zmin,
      zmax,
      autocontour: false,
      contours: { start: zmin, end: zmax, size, coloring: 'lines', showlabels: true },
      colorscale: 'Viridis',
      showscale: i === n - 1,
      colorbar: { title: { text: o.colorTitle } },
      xaxis: `x${s}`,
      yaxis: `y${s}`,
    };
  });
  return { data, layout };
}
