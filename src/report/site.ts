/**
 * The static report site: executed notebooks (results/notebooks/*.ipynb from `npm run reproduce`) in, a folder
 * that opens from disk out — index.html, one <notebook>.html per notebook (nbconvert, plotly.js relinked), its live
 * explorer as <notebook>.explorer.html (the cell's frame, libraries linked), and one shared copy of plotly.min.js
 * (and of tf.min.js, when a notebook has an explorer). The headline numbers come from each experiment's metrics.json, found through
 * `resultsDirOf` (the experiment id is the notebook's name after its number), so the index shows the numbers the
 * results contract holds, not numbers scraped from cell outputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../core/errors';
import { parseNotebookFileName } from '../core/jupyter';
import { type MetricsFile, readMetrics } from '../core/results';
import { copyExplorerLibraries, explorerFramesToFiles } from '../explorer/explorerPage';
import { plotlyLoaderHtml } from '../viz/plotly';
import { type ReportEntry, headlineMetrics, reportIndexHtml } from './indexPage';
import { countFigureOutputs, notebookTitleAndSummary, readNotebook } from './notebook';
import { REPORT_PLOTLY_FILE, convertNotebookToHtml, relinkPlotly } from './notebookPage';

export interface ReportOptions {
  /** the executed notebooks */
  notebooksDir: string;
  outDir: string;
  /** the result directory of an experiment id, e.g. id => experimentResultsDir(id, 'default') */
  resultsDirOf(experimentId: string): string;
  /** when the index says it was generated; default now */
  now?: Date;
}

export interface ReportPage {
  file: string;
  /** Plotly figures in the notebook's outputs, each of which must render on the page */
  expectedFigures: number;
  /** the explorer pages its frames show (../explorer/explorerPage.ts), each of which must draw its figure */
  explorers: string[];
}

export interface Report {
  index: string;
  entries: ReportEntry[];
  pages: ReportPage[];
}

function metricsOf(notebook: string, resultsDirOf: (id: string) => string): Pick<ReportEntry, 'paper' | 'section' | 'scale' | 'headline' | 'metricsNote'> {
  const parsed = parseNotebookFileName(`${notebook}.ipynb`);
  if (parsed === null) return { headline: [], metricsNote: 'no experiment id: the notebook is not named NN-<experiment-id>' };
  let metrics: MetricsFile;
  try {
    metrics = readMetrics(resultsDirOf(parsed.id));
  } catch (e) {
    return { headline: [], metricsNote: `no headline numbers: ${(e as Error).message}` };
  }
  const { experiment: _experiment, paper, section, scale, provenance: _provenance, ...values } = metrics;
  return { paper, section, scale, headline: headlineMetrics(values) };
}

/** Build the site into `outDir` (created; existing pages of the same names are replaced). */
export async function buildReport(o: ReportOptions): Promise<Report> {
  const notebooks = fs.existsSync(o.notebooksDir) ? fs.readdirSync(o.notebooksDir).filter((f) => f.endsWith('.ipynb')).sort() : [];
  if (notebooks.length === 0) {
    throw new ConfigError(`no executed notebooks (*.ipynb) in ${o.notebooksDir}; run npm run reproduce first, or pass --in DIR`);
  }
  fs.mkdirSync(o.outDir, { recursive: true });
  fs.copyFileSync(require.resolve('plotly.js-dist-min'), path.join(o.outDir, REPORT_PLOTLY_FILE));
  const inlineLoader = plotlyLoaderHtml('inline');

  const entries: ReportEntry[] = [];
  const pages: ReportPage[] = [];
  for (const fileName of notebooks) {
    const notebook = fileName.slice(0, -'.ipynb'.length);
    const source = path.join(o.notebooksDir, fileName);
    const nb = readNotebook(source);
    const page = await convertNotebookToHtml(source, o.outDir, notebook);
    // the explorer cell's frame holds a whole page with its own tfjs and plotly.js: one file beside, libraries shared
    const framed = explorerFramesToFiles(fs.readFileSync(page, 'utf8'), (k) => `${notebook}.explorer${k === 0 ? '' : `-${k}`}.html`);
    framed.pages.forEach((p) => fs.writeFileSync(path.join(o.outDir, p.file), p.html));
    if (framed.pages.length > 0) copyExplorerLibraries(o.outDir);
    fs.writeFileSync(page, relinkPlotly(framed.html, inlineLoader));
    const figures = countFigureOutputs(nb);
    pages.push({ file: page, expectedFigures: figures, explorers: framed.pages.map((p) => path.join(o.outDir, p.file)) });
    entries.push({
      notebook,
      page: path.basename(page),
      ...notebookTitleAndSummary(nb, notebook),
      ...metricsOf(notebook, o.resultsDirOf),
      figures,
    });
  }
  const index = path.join(o.outDir, 'index.html');
  fs.writeFileSync(index, reportIndexHtml(entries, o.now ?? new Date()));
  return { index, entries, pages };
}
