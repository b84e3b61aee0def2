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
import { ConfigError } from '../core/errors';
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

/** The experiments the explorer covers, each with the function that exports its trained model. */
export const EXPLORER_EXPERIMENTS: Readonly<Record<string, () => PageModel>> = {
  'imode-pendulum': () => ({ kind: 'imode', model: imodePendulumExplorerModel('default') }),
  ...Object.fromEntries(Object.entries(FAMILY_EXPLORERS).map(([id, exportModel]) => [id, (): PageModel => ({ kind: 'imode', model: exportModel('default') })])),
  ...Object.fromEntries(PAPER_B_EXPLORER_IDS.map((id) => [id, (): PageModel => ({ kind: 'latent', model: paperBExplorerModel(id, 'default') })])),
};

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

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The page: libraries, the slider row, the figure and a status line, then the bundle. */
export function explorerPageHtml(model: { experiment: string }, bundle: string): string {
  const tfjs = fs.readFileSync(repoPath(TFJS_BROWSER_BUNDLE), 'utf8');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(`latent explorer: ${model.experiment}`)}</title>`,
    '<style>body{font-family:sans-serif;margin:1em}label{margin-right:2em}input[type=range]{width:28em;vertical-align:middle}',
    `#${EXPLORER_IDS.status}{color:#555;font-size:0.9em}</style>`,
    '</head><body>',
    `<div id="${EXPLORER_IDS.sliders}"></div>`,
    `<div id="${EXPLORER_IDS.figure}" style="width:100%;height:520px;"></div>`,
    `<div id="${EXPLORER_IDS.status}">loading…</div>`,
    inlineScript(tfjs, TFJS_BROWSER_BUNDLE),
    plotlyLoaderHtml('inline'),
    inlineScript(bundle, 'the explorer bundle'),
    '</body></html>',
  ].join('\n');
}

/**
 * The page as a notebook cell's output: an <iframe> whose srcdoc is the whole page (the notebook stays
 * self-contained; the frame keeps the page's tfjs and plotly apart from the notebook's). Show it with
 * `tslab.display.html(explorerCellHtml(html))`.
 */
export function explorerCellHtml(pageHtml: string, heightPx = 640): string {
  return `<iframe sandbox="allow-scripts" style="width:100%;height:${heightPx}px;border:0" srcdoc="${escapeHtml(pageHtml)}"></iframe>`;
}

/** Export `experiment`'s model and write `<outDir>/<experiment>.html` and `<outDir>/<experiment>.model.json`; returns the page's path. */
export async function writeExplorerPage(experiment: string, outDir: string): Promise<{ page: string; modelFile: string; bytes: number }> {
  const exportModel = EXPLORER_EXPERIMENTS[experiment];
  if (!exportModel) throw new ConfigError(`no explorer for '${experiment}'; available: ${Object.keys(EXPLORER_EXPERIMENTS).join(', ')}`);
  const exported = exportModel();
  const html = explorerPageHtml(exported.model, await buildPageBundle(exported));
  fs.mkdirSync(outDir, { recursive: true });
  const page = path.join(outDir, `${experiment}.html`);
  const modelFile = path.join(outDir, `${experiment}.model.json`);
  writeFileAtomic(page, html);
  writeExplorerModel(modelFile, exported.model);
  return { page, modelFile, bytes: Buffer.byteLength(html) };
}
