/**
 * Offline export of Plotly figure specs to SVG, PNG and a one-page vector PDF, rendered by Plotly itself in
 * headless Chromium (Debian's, driven by playwright-core), so an exported figure is exactly what the notebook
 * shows, restyled for print by publicationStyle.
 *
 * - One browser serves many figures (`openFigureExporter`): launching it and loading plotly.js and MathJax costs
 *   about 2 s, a warm figure about 0.4 s.
 * - SVG and PNG come from `Plotly.toImage` (the SVG URL-encoded, the PNG base64, both as data URLs). The PDF is
 *   that SVG printed on a page of exactly its size, so it stays vector (no raster image) and has one page.
 * - LaTeX in labels needs MathJax 3 (Plotly 4 rejects Debian's MathJax 2.7): npm's self-contained es5/tex-svg.js
 *   is loaded from a file:// page before plotly.js, with page typesetting off; Plotly typesets the labels.
 * - No network: every script is a local file.
 * Outputs sit next to the spec: `<dir>/figures/<name>.{svg,png,pdf}` beside `<dir>/figures/<name>.json`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { writeFileAtomic } from '../core/atomicWrite';
import { ConfigError } from '../core/errors';
import { repoPath } from '../core/paths';
import { figureFile } from '../core/results';
import type { PlotlyFigure } from './plotly';
import { type ColumnWidth, publicationFigure, publicationSize } from './publicationStyle';

export const EXPORT_FORMATS = ['svg', 'png', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type ExportedFiles = Partial<Record<ExportFormat, string>>;

export interface ExportOptions {
  /** default: all three */
  formats?: readonly ExportFormat[];
  /** the result directory whose figures/ folder receives the files; default: results/ (→ results/figures/) */
  dir?: string;
  /** default: 'double' (7 in) */
  width?: ColumnWidth;
  /** PNG pixels per CSS pixel; default 3 (about 290 dpi at print size) */
  pngScale?: number;
}

export const DEFAULT_PNG_SCALE = 3;
/** The browser itself, not /usr/bin/chromium: that shell wrapper adds extension flags from /etc/chromium.d. */
const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';
export const CHROMIUM_APT_LINE = 'sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** The Chromium to drive: $CHROMIUM_PATH if set, else Debian's; null when it is not installed. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string | null {
  const file = env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
  return fs.existsSync(file) ? file : null;
}

/** Headless Chromium; ConfigError with the install line when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumExecutable();
  if (executablePath === null) {
    throw new ConfigError(`Chromium not found at ${process.env.CHROMIUM_PATH || DEBIAN_CHROMIUM} (CHROMIUM_PATH); install it with: ${CHROMIUM_APT_LINE}`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

export function parseExportFormats(values: readonly string[], field = 'formats'): ExportFormat[] {
  if (values.length === 0) throw new ConfigError(`${field} must name at least one of ${EXPORT_FORMATS.join(', ')}`);
  for (const v of values) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(v)) {
      throw new ConfigError(`${field} must be among ${EXPORT_FORMATS.join(', ')}, got '${v}'`);
    }
  }
  return [...new Set(values)] as ExportFormat[];
}

export function parsePngScale(value: number, field = 'pngScale'): number {
  if (!Number.isFinite(value) || value <= 0 || value > 10) throw new ConfigError(`${field} must be a number in (0, 10], got ${value}`);
  return value;
}

/** `<dir>/figures/<name>.<format>`, next to the spec `figureFile(dir, name)` (which validates the name). */
export function exportedFigureFile(dir: string, name: string, format: ExportFormat): string {
  return figureFile(dir, name).replace(/\.json$/, `.${format}`);
}

/** The page figures are drawn in: MathJax 3 (configured not to typeset the page), then plotly.js. */
function renderPageHtml(): string {
  const script = (id: string) => `<script src="${pathToFileURL(require.resolve(id)).href}"></script>`;
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    '<script>window.MathJax = { startup: { typeset: false } };</script>',
    script('mathjax/es5/tex-svg.js'),
    script('plotly.js-dist-min'),
    '</head><body style="margin:0"><div id="figure"></div></body></html>',
  ].join('\n');
}

function decodeDataUrl(url: string, format: 'svg' | 'png'): Buffer {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) throw new Error(`Plotly.toImage returned no data URL for ${format}`);
  const body = url.slice(comma + 1);
  return format === 'png' ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
}

/**
 * The render page's globals that the code evaluated in it uses. Typed here rather than through the DOM lib,
 * because tslab compiles notebook imports without it.
 */
type PlotDiv = object;
interface RenderPageGlobals {
  Plotly: {
    newPlot(gd: PlotDiv, data: object[], layout: object, config: object): Promise<unknown>;
    toImage(gd: PlotDiv, options: { format: 'svg' | 'png'; width: number; height: number; scale?: number }): Promise<string>;
    purge(gd: PlotDiv): void;
  };
  MathJax: { startup: { promise: Promise<void> } };
  document: { getElementById(id: string): PlotDiv };
}

interface Rendered {
  svg: string;
  png?: string;
}

async function renderFigure(page: Page, fig: PlotlyFigure, widthPx: number, heightPx: number, pngScale: number | null): Promise<Rendered> {
  return page.evaluate(
    async ({ data, layout, w, h, scale }) => {
      const { Plotly, document } = globalThis as unknown as RenderPageGlobals;
      const gd = document.getElementById('figure');
      await Plotly.newPlot(gd, data, layout, { staticPlot: true });
      try {
        const svg = await Plotly.toImage(gd, { format: 'svg', width: w, height: h });
        const png = scale === null ? undefined : await Plotly.toImage(gd, { format: 'png', width: w, height: h, scale });
        return { svg, png };
      } finally {
        Plotly.purge(gd);
      }
    },
    { data: fig.data, layout: fig.layout, w: widthPx, h: heightPx, scale: pngScale },
  );
}

export interface FigureExporter {
  /** Export one figure; returns the files written, by format. */
  export(fig: PlotlyFigure, name: string, options?: ExportOptions): Promise<ExportedFiles>;
  /** Close the pages (and the browser when the exporter launched it). */
  close(): Promise<void>;
}

/**
 * An exporter on `browser`, or on a browser it launches (and closes with itself). The render page is a temporary
 * file:// page, so MathJax and plotly.js load from node_modules without a server.
 */
export async function openFigureExporter(browser?: Browser): Promise<FigureExporter> {
  const owned = browser === undefined;
  const b = browser ?? (await launchChromium());
  const pageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metadyn-export-'));
  let context: BrowserContext | undefined;
  try {
    const pageFile = path.join(pageDir, 'render.html');
    fs.writeFileSync(pageFile, renderPageHtml());
    context = await b.newContext();
    const renderPage = await context.newPage();
    await renderPage.goto(pathToFileURL(pageFile).href);
    await renderPage.evaluate(() => (globalThis as unknown as RenderPageGlobals).MathJax.startup.promise);
    const pdfPage = await context.newPage();
    return {
      async export(fig, name, options = {}) {
        const formats = parseExportFormats(options.formats ?? EXPORT_FORMATS);
        const width = options.width ?? 'double';
        const pngScale = parsePngScale(options.pngScale ?? DEFAULT_PNG_SCALE);
        const dir = options.dir ?? repoPath('results');
        const files: ExportedFiles = {};
        formats.forEach((f) => (files[f] = exportedFigureFile(dir, name, f)));

        const styled = publicationFigure(fig, width);
        const { widthPx, heightPx } = publicationSize(fig.layout, width);
        const rendered = await renderFigure(renderPage, styled, widthPx, heightPx, formats.includes('png') ? pngScale : null);
        const svg = decodeDataUrl(rendered.svg, 'svg').toString('utf8');
        if (files.svg) writeFileAtomic(files.svg, svg);
        if (files.png && rendered.png) writeFileAtomic(files.png, decodeDataUrl(rendered.png, 'png'));
        if (files.pdf) {
          await pdfPage.setContent(
            `<!doctype html><html><head><meta charset="utf-8"><style>@page{size:${widthPx}px ${heightPx}px;margin:0}` +
              `html,body{margin:0}svg{display:block}</style></head><body>${svg}</body></html>`,
          );
          const pdf = await pdfPage.pdf({ width: `${widthPx}px`, height: `${heightPx}px`, printBackground: true, pageRanges: '1' });
          writeFileAtomic(files.pdf, pdf);
        }
        return files;
      },
      async close() {
        await context?.close();
        if (owned) await b.close();
        fs.rmSync(pageDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close();
    if (owned) await b.close();
    fs.rmSync(pageDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Export one figure from a notebook cell: `await exportFigure(fig, 'loss-curve', { formats: ['pdf'], dir })`.
 * Launches and closes its own browser (a few seconds, mostly loading plotly.js); `npm run figures` exports many
 * figures with one browser.
 */
export async function exportFigure(fig: PlotlyFigure, name: string, options: ExportOptions = {}): Promise<ExportedFiles> {
  const exporter = await openFigureExporter();
  try {
    return await exporter.export(fig, name, options);
  } finally {
    await exporter.close();
  }
}
