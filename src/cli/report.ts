/**
 * `npm run report [-- --in DIR] [--out DIR] [--scale smoke|default|paper|converged]`: turn the executed notebooks of the
 * last `npm run reproduce` (default --in results/notebooks) into a static site (default --out results/report,
 * git-ignored) with an index of experiments and headline numbers from results/<id>/metrics.json of --scale
 * (default 'default', what reproduce runs). Then every page is opened in headless Chromium to prove that its
 * figures render offline, and the index is screenshotted to index.png. Exit code 1 if a page fails that check,
 * 2 on a usage error.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import type { Scale } from '../core/config';
import { ConfigError } from '../core/errors';
import { repoPath } from '../core/paths';
import { experimentResultsDir } from '../experiments/experiment';
import { checkReportPages, screenshotIndex } from '../report/check';
import { buildReport } from '../report/site';
import { launchChromium } from '../viz/export';
import { parseScale, runCli } from './commandLine';

export interface ReportArgs {
  inDir: string;
  outDir: string;
  scale: Scale;
}

const USAGE = '[--in DIR] [--out DIR] [--scale smoke|default|paper|converged]';

export function parseReportArgs(argv: readonly string[]): ReportArgs {
  let values: { in?: string; out?: string; scale?: string };
  try {
    values = parseArgs({
      args: [...argv],
      options: { in: { type: 'string' }, out: { type: 'string' }, scale: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${USAGE}`);
  }
  return {
    inDir: path.resolve(values.in ?? repoPath('results/notebooks')),
    outDir: path.resolve(values.out ?? repoPath('results/report')),
    scale: values.scale === undefined ? 'default' : parseScale(values.scale),
  };
}

async function main(): Promise<number> {
  const args = parseReportArgs(process.argv.slice(2));
  const started = Date.now();
  const report = await buildReport({
    notebooksDir: args.inDir,
    outDir: args.outDir,
    resultsDirOf: (id) => experimentResultsDir(id, args.scale),
  });
  console.log(`built ${report.pages.length} page(s) into ${args.outDir}`);
  const browser = await launchChromium();
  try {
    const checks = await checkReportPages(browser, report.pages);
    for (const c of checks) {
      const explorers = c.explorers > 0 ? `, ${c.explorersDrawn}/${c.explorers} live explorer drawn` : '';
      const what = `${c.plotContainers}/${c.expectedFigures} figures rendered${explorers}${c.fallbackShown ? ', "Plotly not loaded" shown' : ''}`;
      console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${path.basename(c.file)} (${what})`);
    }
    console.log(`screenshot ${await screenshotIndex(browser, report.index)}`);
    console.log(`open ${report.index} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await browser.close();
  }
}

if (require.main === module) runCli(main);
