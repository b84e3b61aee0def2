/**
 * Figure specs of single values rather than curves (pure functions, Plotly JSON out; house style in ./figureLayout.ts):
 * points in a plane, optionally coloured by a parameter, and one bar per category.
 */
import { DataError } from '../core/errors';
import { type XY, axis, baseLayout, gaps, sameLength } from './figureLayout';
import { PlotlyFigure } from './plotly';

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
