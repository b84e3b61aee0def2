/**
 * Figure specs of curves (pure functions, Plotly JSON out; house style in ./figureLayout.ts): curves against a common
 * x, panels of them in a grid with one legend, and phase portraits of truth against each method's prediction.
 */
import { DataError } from '../core/errors';
import { FONT, GRID_FONT_SIZE, LOG_AXIS, type XY, axis, baseLayout, gaps, panelCells, panelLogAxis, panelTitle, sameLength } from './figureLayout';
import { seriesColors } from './palette';
import { PlotlyFigure } from './plotly';

const TRUTH_NAME = 'truth';

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
