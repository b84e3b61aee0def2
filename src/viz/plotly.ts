/**
 * Plotly figures inside tslab notebooks, offline.
 *
 * The plotly.js library reaches the page once per kernel, either inlined (the whole 4.8 MB bundle in a <script>;
 * self-contained HTML exports) or as `<script src="../node_modules/plotly.js-dist-min/plotly.min.js">` (small
 * notebooks; renders only when the page sits exactly one directory below the repo root, like notebooks/ — a copy
 * two levels down, e.g. results/notebooks/, needs inline mode). PLOTLY_INLINE=1 selects inline. Each figure is a div plus a script that draws it once `window.Plotly`
 * exists; until then (or if the library never loads) the div shows "Plotly not loaded (run initPlotly())".
 * Outside a kernel the functions only return their HTML, which is what the tests inspect; inside one they return
 * undefined, since tslab prints a cell's value as text.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../core/atomicWrite';
import { ConfigError, DataError } from '../core/errors';
import { repoRoot } from '../core/paths';
import { displayHtml } from '../core/progress';
import { figureFile, FigureJson } from '../core/results';

export type PlotlyFigure = FigureJson;
export type PlotlyMode = 'inline' | 'src';

const PLOTLY_BUNDLE = 'node_modules/plotly.js-dist-min/plotly.min.js';
const DEFAULT_HEIGHT_PX = 450;
/** how long a figure waits for a `<script src>` plotly to finish loading before leaving the fallback text */
const WAIT_FOR_PLOTLY_MS = 15000;

/** PLOTLY_INLINE=1 → 'inline'; unset, '' or '0' → 'src'. */
export function plotlyModeFromEnv(env: NodeJS.ProcessEnv = process.env): PlotlyMode {
  const v = env.PLOTLY_INLINE;
  if (v === undefined || v === '' || v === '0') return 'src';
  if (v === '1') return 'inline';
  throw new ConfigError(`PLOTLY_INLINE must be '1' (inline plotly) or '0'/unset (script src), got '${v}'`);
}

/** The HTML that loads plotly.js in the page. */
export function plotlyLoaderHtml(mode: PlotlyMode): string {
  if (mode === 'src') return `<script src="../${PLOTLY_BUNDLE}"></script>`;
  const code = fs.readFileSync(path.join(repoRoot(), PLOTLY_BUNDLE), 'utf8');
  // An inline script ends at the first "</script", whatever JavaScript context it appears in.
  if (/<\/script/i.test(code)) throw new Error(`${PLOTLY_BUNDLE} contains "</script" and cannot be inlined`);
  return `<script type="text/javascript">${code}</script>`;
}

let loaderShown = false;

/**
 * Emit the plotly.js loader into the notebook. An explicit call always emits, because a re-executed cell replaces
 * its own output and skipping would drop the library from the saved notebook; `showFigure` emits it by itself only
 * if no call has happened yet in this kernel. Returns the HTML when there is no kernel to show it in, and undefined
 * after showing it (tslab would otherwise print the returned string again as the cell's value).
 */
export function initPlotly(mode: PlotlyMode = plotlyModeFromEnv()): string | undefined {
  const html = plotlyLoaderHtml(mode);
  if (!displayHtml(html)) return html;
  loaderShown = true;
  return undefined;
}

/** JSON that is safe inside an inline <script>: no "<" (so no "</script>" or "<!--") and no JS line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function figureHeight(fig: PlotlyFigure): number {
  const h = (fig.layout as { height?: unknown }).height;
  return typeof h === 'number' && h > 0 ? h : DEFAULT_HEIGHT_PX;
}

/** A div and the script that draws `fig` into it with Plotly.newPlot (pure; `divId` must be a valid HTML id). */
export function figureHtml(fig: PlotlyFigure, divId: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(divId)) {
    throw new DataError(`figure div id must start with a letter and use letters, digits, '_' or '-', got '${divId}'`);
  }
  const config = { responsive: true, displaylogo: false, ...fig.config };
  return [
    `<div id="${divId}" style="width:100%;height:${figureHeight(fig)}px;">`,
    '<span style="color:#b00;font-family:monospace">Plotly not loaded (run initPlotly())</span></div>',
    '<script type="text/javascript">(function () {',
    `  var el = document.getElementById(${scriptJson(divId)});`,
    `  var data = ${scriptJson(fig.data)}, layout = ${scriptJson(fig.layout)}, config = ${scriptJson(config)};`,
    `  var deadline = Date.now() + ${WAIT_FOR_PLOTLY_MS};`,
    '  (function draw() {',
    '    if (window.Plotly) { el.innerHTML = ""; window.Plotly.newPlot(el, data, layout, config); }',
    '    else if (Date.now() < deadline) { setTimeout(draw, 100); }',
    '  })();',
    '})();</script>',
  ].join('\n');
}

/** Show `fig` in the notebook (loading plotly first if this kernel has not yet); outside a kernel, return its HTML. */
export function showFigure(fig: PlotlyFigure): string | undefined {
  const html = figureHtml(fig, `metadyn-plot-${randomBytes(6).toString('hex')}`);
  if (!displayHtml(html)) return html;
  // The loader may follow the figure: the figure's script waits for window.Plotly.
  if (!loaderShown) initPlotly();
  return undefined;
}

/** Write `fig` to `<dir>/figures/<name>.json` atomically; returns the file. */
export function saveFigure(dir: string, name: string, fig: PlotlyFigure): string {
  const file = figureFile(dir, name);
  writeJsonAtomic(file, fig);
  return file;
}

/**
 * Resolves after `ms` milliseconds. A notebook cell that displays much awaits it last, so that tslab finishes sending
 * its displays before the next cell starts: under heavy load a status message sent while a display was still in flight
 * killed the kernel (ZeroMQ "Socket is busy writing").
 */
export function settleDisplays(ms = 1000): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
