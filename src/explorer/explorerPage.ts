/**
 * The latent explorer as one self-contained offline HTML file: tfjs (its browser build, tf.min.js) and plotly.js
 * inlined, then the page's script (./pageMain.ts for an iMODE model, the pendulum's or a family's; ./latentPageMain.ts
 * for a Paper B latent model; with the ../nn, ../models, ../modulation and ../experiments/imode modules they run)
 * bundled by esbuild at generation time with the model written in as a literal. The page needs no server and makes
 * no request.
 *
 * The bundle is built for the browser, so a Node built-in anywhere in its imports fails the build instead of
 * reaching the page; its one substitution is stated where it is made (`pagePlugin`). The same modules run in Node,
 * which is what the parity test compares the page's rollout with.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { writeFileAtomic } from '../core/atomicWrite';
import type { Scale } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { displayHtml, escapeHtml } from '../core/progress';
import { repoPath } from '../core/paths';
import { plotlyLoaderHtml } from '../viz/plotly';
import { FAMILY_EXPLORERS } from './familyModelExport';
import { imodePendulumExplorerModel, writeExplorerModel } from './modelExport';
import { EXPLORER_IDS } from './pageContract';
import { PAPER_B_EXPLORER_IDS, paperBExplorerModel } from './latentModelExport';
import type { LatentExplorerModel } from './latentPageRollout';
import type { ExplorerModel } from './pageRollout';

const TFJS_BROWSER_BUNDLE = 'node_modules/@tensorflow/tfjs/dist/tf.min.js';

/** The page scripts: the iMODE page (sliders over η) and the Paper B latent page (sliders over z's principal components). */
export const PAGE_ENTRIES = { imode: 'src/explorer/pageMain.ts', latent: 'src/explorer/latentPageMain.ts' } as const;
export type PageKind = keyof typeof PAGE_ENTRIES;

/** A model and the page that shows it. */
export type PageModel = { kind: 'imode'; model: ExplorerModel } | { kind: 'latent'; model: LatentExplorerModel };

/** The experiments the explorer covers, each with the function that exports its trained model at a scale. */
export const EXPLORER_EXPERIMENTS: Readonly<Record<string, (scale: Scale) => PageModel>> = {
  'imode-pendulum': (scale) => ({ kind: 'imode', model: imodePendulumExplorerModel(scale) }),
  ...Object.fromEntries(Object.entries(FAMILY_EXPLORERS).map(([id, exportModel]) => [id, (scale: Scale): PageModel => ({ kind: 'imode', model: exportModel(scale) })])),
  ...Object.fromEntries(PAPER_B_EXPLORER_IDS.map((id) => [id, (scale: Scale): PageModel => ({ kind: 'latent', model: paperBExplorerModel(id, scale) })])),
};

/** The exporter of `experiment`; ConfigError naming the covered experiments otherwise. */
function exporterOf(experiment: string): (scale: Scale) => PageModel {
  const exportModel = EXPLORER_EXPERIMENTS[experiment];
  if (!exportModel) throw new ConfigError(`no explorer for '${experiment}'; available: ${Object.keys(EXPLORER_EXPERIMENTS).join(', ')}`);
  return exportModel;
}

/** The bundle's one substitution: @tensorflow/tfjs is the page's global `tf` (from tf.min.js, inlined before the bundle: one copy of tfjs in the page). */
const pagePlugin: esbuild.Plugin = {
  name: 'metadyn-explorer-page',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: 'tf', namespace: 'page-global' }));
    build.onLoad({ filter: /.*/, namespace: 'page-global' }, () => ({ contents: 'module.exports = window.tf;', loader: 'js' }));
  },
};

/** The page's script with the model written in, as one minified browser IIFE. */
export async function buildPageBundle({ kind, model }: PageModel): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [repoPath(PAGE_ENTRIES[kind])],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { METADYN_EXPLORER_MODEL: JSON.stringify(model) },
    plugins: [pagePlugin],
  });
  return result.outputFiles[0].text;
}

/** `code` as an inline <script>; an inline script ends at the first "</script", wherever it appears. */
function inlineScript(code: string, what: string): string {
  if (/<\/script/i.test(code)) throw new Error(`${what} contains "</script" and cannot be inlined`);
  return `<script type="text/javascript">${code}</script>`;
}

/** The page's two libraries inlined, as explorerPageHtml writes them (read once: tf.min.js alone is 1.5 MB). */
function inlineLibraries(): { tfjs: string; plotly: string } {
  return { tfjs: inlineScript(fs.readFileSync(repoPath(TFJS_BROWSER_BUNDLE), 'utf8'), TFJS_BROWSER_BUNDLE), plotly: plotlyLoaderHtml('inline') };
}

/** The file names a linked page (`linkExplorerLibraries`) loads its libraries from, beside it. */
export const EXPLORER_LIBRARY_FILES = { tfjs: 'tf.min.js', plotly: 'plotly.min.js' } as const;

/** Copy the libraries a linked page loads into `dir`. */
export function copyExplorerLibraries(dir: string): void {
  fs.copyFileSync(repoPath(TFJS_BROWSER_BUNDLE), path.join(dir, EXPLORER_LIBRARY_FILES.tfjs));
  fs.copyFileSync(require.resolve('plotly.js-dist-min'), path.join(dir, EXPLORER_LIBRARY_FILES.plotly));
}

/** The page: libraries, the slider row, the figure and a status line, then the bundle. */
export function explorerPageHtml(model: { experiment: string }, bundle: string): string {
  const libraries = inlineLibraries();
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(`latent explorer: ${model.experiment}`)}</title>`,
    '<style>body{font-family:sans-serif;margin:1em}label{display:inline-block;white-space:nowrap;margin:0.2em 2em 0.2em 0}input[type=range]{width:22em;vertical-align:middle}',
    `#${EXPLORER_IDS.status}{color:#555;font-size:0.9em}</style>`,
    '</head><body>',
    `<div id="${EXPLORER_IDS.sliders}"></div>`,
    `<div id="${EXPLORER_IDS.figure}" style="width:100%;height:520px;"></div>`,
    `<div id="${EXPLORER_IDS.status}">loading…</div>`,
    libraries.tfjs,
    libraries.plotly,
    inlineScript(bundle, 'the explorer bundle'),
    '</body></html>',
  ].join('\n');
}

/**
 * A page of explorerPageHtml with its inlined libraries replaced by <script src> of EXPLORER_LIBRARY_FILES beside it
 * (copyExplorerLibraries): the report's copy, 6 MB lighter per page. A page that does not hold both inlined libraries
 * (written by another version of this code) is refused rather than left half-linked.
 */
export function linkExplorerLibraries(pageHtml: string): string {
  const libraries = inlineLibraries();
  if (!pageHtml.includes(libraries.tfjs) || !pageHtml.includes(libraries.plotly)) {
    throw new DataError('the explorer page does not inline this version\'s tfjs and plotly.js; rebuild it with npm run explorer');
  }
  return pageHtml
    .split(libraries.tfjs)
    .join(`<script src="${EXPLORER_LIBRARY_FILES.tfjs}"></script>`)
    .split(libraries.plotly)
    .join(`<script src="${EXPLORER_LIBRARY_FILES.plotly}"></script>`);
}

const CELL_FRAME_SANDBOX = 'allow-scripts';

/**
 * The page as a notebook cell's output: an <iframe> whose srcdoc is the whole page (the notebook stays
 * self-contained; the frame keeps the page's tfjs and plotly apart from the notebook's). Show it with
 * `tslab.display.html(explorerCellHtml(html))`; the report turns it back into a page of its own (`explorerFramesToFiles`).
 */
export function explorerCellHtml(pageHtml: string, heightPx = 640): string {
  return `<iframe sandbox="${CELL_FRAME_SANDBOX}" style="width:100%;height:${heightPx}px;border:0" srcdoc="${escapeHtml(pageHtml)}"></iframe>`;
}

function unescapeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
}

/**
 * Every explorer frame of `html` (explorerCellHtml, as nbconvert copies a cell's output) turned into a page file of its
 * own: the frame's srcdoc becomes `src` of the k-th name `fileName(k)`, and the page, its libraries linked
 * (linkExplorerLibraries), is returned to be written there.
 */
export function explorerFramesToFiles(html: string, fileName: (k: number) => string): { html: string; pages: { file: string; html: string }[] } {
  const pages: { file: string; html: string }[] = [];
  const frame = new RegExp(`<iframe sandbox="${CELL_FRAME_SANDBOX}" style="([^"]*)" srcdoc="([^"]*)"></iframe>`, 'g');
  const out = html.replace(frame, (_, style: string, srcdoc: string) => {
    const file = fileName(pages.length);
    pages.push({ file, html: linkExplorerLibraries(unescapeHtml(srcdoc)) });
    // no sandbox: a sandboxed frame has an opaque origin, which may not load the libraries from file:// beside it
    return `<iframe style="${style}" src="${escapeHtml(encodeURI(file))}"></iframe>`;
  });
  return { html: out, pages };
}

/** Export `experiment`'s model and write `<outDir>/<experiment>.html` and `<outDir>/<experiment>.model.json`; returns the page's path. */
export async function writeExplorerPage(experiment: string, outDir: string, scale: Scale = 'default'): Promise<{ page: string; modelFile: string; bytes: number }> {
  const exported = exporterOf(experiment)(scale);
  const html = explorerPageHtml(exported.model, await buildPageBundle(exported));
  fs.mkdirSync(outDir, { recursive: true });
  const page = path.join(outDir, `${experiment}.html`);
  const modelFile = path.join(outDir, `${experiment}.model.json`);
  writeFileAtomic(page, html);
  writeExplorerModel(modelFile, exported.model);
  return { page, modelFile, bytes: Buffer.byteLength(html) };
}

/**
 * The explorer of `experiment`'s finished run at `scale` as a notebook cell's output (./explorerCellHtml), for the
 * notebooks' last cell: shown in the kernel, or returned where there is none. Exporting never trains, so the cell
 * runs after the notebook has written its results.
 */
export async function showExplorer(experiment: string, scale: Scale): Promise<string | undefined> {
  const exported = exporterOf(experiment)(scale);
  const cell = explorerCellHtml(explorerPageHtml(exported.model, await buildPageBundle(exported)));
  return displayHtml(cell) ? undefined : cell;
}
