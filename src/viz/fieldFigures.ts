/**
 * Figure specs of scalar fields on a grid (pure functions, Plotly JSON out; house style in ./figureLayout.ts): heatmap
 * panels on one shared colour scale, and contour panels on the same levels. z[i][j] is the value at (x[j], y[i]).
 */
import { DataError } from '../core/errors';
import { FONT, GRID_FONT_SIZE, type XY, axis, axisSuffix, baseLayout, gaps, sameLength } from './figureLayout';
import { PlotlyFigure } from './plotly';

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
