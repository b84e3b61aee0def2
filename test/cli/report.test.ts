import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT } from '../../src/cli/commandLine';
import { parseReportArgs } from '../../src/cli/report';
import { ConfigError } from '../../src/core/errors';
import { buildPageBundle, explorerCellHtml, explorerPageHtml } from '../../src/explorer/explorerPage';
import { type PageCheck, checkReportPages, screenshotIndex } from '../../src/report/check';
import { formatMetric, headlineMetrics, reportIndexHtml } from '../../src/report/indexPage';
import { type NotebookJson, countFigureOutputs, notebookTitleAndSummary } from '../../src/report/notebook';
import { relinkPlotly } from '../../src/report/notebookPage';
import { type ReportPage, buildReport } from '../../src/report/site';
import { launchChromium } from '../../src/viz/export';
import { figureHtml, plotlyLoaderHtml } from '../../src/viz/plotly';
import { requireChromium } from '../helpers/chromium';
import { tmpDir } from '../helpers/tmpDir';
import { tinyExplorerModel } from '../explorer/tinyExplorerModel';


const figure = { data: [{ type: 'scatter', mode: 'lines', name: 'iMODE', x: [0, 1, 2], y: [1, 3, 2] }], layout: { title: { text: 'a line' } } };

/** An executed notebook as tslab leaves it: a markdown cell, then a code cell whose outputs load plotly and show a figure. */
function executedNotebook(title: string, loaderHtml: string, extraHtml: string[] = []): NotebookJson {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    cells: [
      { cell_type: 'markdown', id: 'md', metadata: {}, source: [`# ${title}\n`, '\n', 'It shows **one** _line_\n', 'against `x_max`.\n', '\n', 'More text.\n'] },
      {
        cell_type: 'code',
        id: 'code',
        metadata: {},
        execution_count: 1,
        source: 'showFigure(fig)',
        outputs: [
          { output_type: 'display_data', metadata: {}, data: { 'text/html': loaderHtml } },
          { output_type: 'display_data', metadata: {}, data: { 'text/html': figureHtml(figure, 'fig-1') } },
          ...extraHtml.map((html) => ({ output_type: 'display_data', metadata: {}, data: { 'text/html': html } })),
        ],
      },
    ],
  };
  return nb;
}

describe('report: notebook summaries, headline numbers, plotly links', () => {
  it('takes the title and the first paragraph of the first markdown cell, as plain text', () => {
    const nb = executedNotebook('01 · Fake [pendulum](x.md)', '');
    assert.deepEqual(notebookTitleAndSummary(nb, 'fallback'), { title: '01 · Fake pendulum', summary: 'It shows one line against x_max.' });
    assert.deepEqual(notebookTitleAndSummary({ cells: [] }, 'fallback'), { title: 'fallback', summary: '' });
    const long = notebookTitleAndSummary({ cells: [{ cell_type: 'markdown', source: `# T\n${'word '.repeat(200)}` }] }, 'f');
    assert.ok(long.summary.length <= 482 && long.summary.endsWith(' …'), long.summary.slice(-20));
  });

  it('counts the figures in the outputs by their fallback text', () => {
    assert.equal(countFigureOutputs(executedNotebook('t', plotlyLoaderHtml('src'))), 1);
    assert.equal(countFigureOutputs({ cells: [{ cell_type: 'code', source: '', outputs: [{ data: { 'text/plain': 'Plotly not loaded' } }] }] }), 0);
  });

  it('headline numbers are the scalar metrics, formatted to 4 significant digits', () => {
    const h = headlineMetrics({ maxEvalMse: 4.394455432891846, bestIteration: 12, monotone: false, eta0: [0.1], tiny: 1.5e-7, lengths: [{ L: 1 }] });
    assert.deepEqual(h, [
      { key: 'maxEvalMse', value: '4.394' },
      { key: 'bestIteration', value: '12' },
      { key: 'monotone', value: 'no' },
      { key: 'tiny', value: '1.5e-7' },
    ]);
    assert.equal(formatMetric(1200.3), '1200');
    assert.equal(formatMetric(0.0100001), '0.01');
  });

  it('relinks both kinds of plotly loader to the report copy', () => {
    const inline = plotlyLoaderHtml('inline');
    const html = `<p>a</p>${plotlyLoaderHtml('src')}<div>x</div>${inline}<script src="other.js"></script>`;
    assert.equal(relinkPlotly(html, inline), '<p>a</p><script src="plotly.min.js"></script><div>x</div><script src="plotly.min.js"></script><script src="other.js"></script>');
  });

  it('the index escapes what it shows and links every page', () => {
    const html = reportIndexHtml(
      [{ notebook: '01-x', page: '01-x.html', title: '<b>x</b>', summary: 'a & b', headline: [{ key: 'mse', value: '0.1' }], figures: 2, paper: 'iMODE' }],
      new Date('2026-01-02T03:04:05Z'),
    );
    assert.ok(html.includes('<a href="01-x.html">&lt;b&gt;x&lt;/b&gt;</a>'));
    assert.ok(html.includes('a &amp; b') && html.includes('<code>mse</code>') && html.includes('2026-01-02T03:04:05.000Z'));
  });

  it('npm run report: --in/--out/--scale, defaults under results/', () => {
    assert.deepEqual(parseReportArgs([]), {
      inDir: path.join(REPO_ROOT, 'results', 'notebooks'),
      outDir: path.join(REPO_ROOT, 'results', 'report'),
      scale: 'default',
    });
    assert.equal(parseReportArgs(['--in', '/a', '--out', '/b', '--scale', 'smoke']).outDir, '/b');
    assert.throws(() => parseReportArgs(['--scale', 'huge']), ConfigError);
    assert.throws(() => parseReportArgs(['extra']), ConfigError);
  });

  it('the CLI reports a missing input folder as a usage error naming it', function () {
    this.timeout(30000);
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const work = tmpDir('metadyn-report-cli-');
    const missing = path.join(work, 'no-such-dir');
    const run = spawnSync(tsx, [path.join(REPO_ROOT, 'src', 'cli', 'report.ts'), '--in', missing, '--out', path.join(work, 'out2')], { encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.ok(run.stderr.includes(`ConfigError: no executed notebooks (*.ipynb) in ${missing}`), run.stderr);
    assert.equal(fs.existsSync(path.join(work, 'out2')), false, 'nothing is written');
  });
});

describe('report: the site, rendered in headless Chromium', function () {
  this.timeout(120000);
  let browser: Browser | undefined;
  const work = tmpDir('metadyn-report-');
  const notebooksDir = path.join(work, 'notebooks');
  const outDir = path.join(work, 'report');
  const resultsRoot = path.join(work, 'results');
  let pages: ReportPage[] = [];
  let checks: PageCheck[] = [];

  before(async function () {
    requireChromium(this);
    fs.mkdirSync(notebooksDir, { recursive: true });
    fs.writeFileSync(path.join(notebooksDir, '01-fake-src.ipynb'), JSON.stringify(executedNotebook('Fake, plotly by src', plotlyLoaderHtml('src'))));
    // notebook 02 also ends with an explorer cell, as the experiment notebooks do
    const explorer = { kind: 'imode', model: tinyExplorerModel(50) } as const;
    const explorerCell = explorerCellHtml(explorerPageHtml(explorer.model, await buildPageBundle(explorer)));
    fs.writeFileSync(path.join(notebooksDir, '02-fake-inline.ipynb'), JSON.stringify(executedNotebook('Fake, plotly inline', plotlyLoaderHtml('inline'), [explorerCell])));
    const metrics = { experiment: 'fake-src', paper: 'Paper A', section: '§1', scale: 'default', provenance: {}, finalLoss: 0.0123456, steps: 40 };
    fs.mkdirSync(path.join(resultsRoot, 'fake-src'), { recursive: true });
    fs.writeFileSync(path.join(resultsRoot, 'fake-src', 'metrics.json'), JSON.stringify(metrics));

    browser = await launchChromium();
    const report = await buildReport({ notebooksDir, outDir, resultsDirOf: (id) => path.join(resultsRoot, id) });
    pages = report.pages;
    checks = await checkReportPages(browser, report.pages);
    await screenshotIndex(browser, report.index);
  });
  after(async () => {
    await browser?.close();
  });

  it('writes the index, one page per notebook, one plotly.min.js and a screenshot of the index', () => {
    assert.deepEqual(fs.readdirSync(outDir).sort(), ['01-fake-src.html', '02-fake-inline.explorer.html', '02-fake-inline.html', 'index.html', 'index.png', 'plotly.min.js', 'tf.min.js']);
    const png = fs.readFileSync(path.join(outDir, 'index.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 1000, 'screenshot width');
  });

  it('the index names each experiment and shows the headline numbers of its metrics.json', () => {
    const index = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    assert.ok(index.includes('<a href="01-fake-src.html">Fake, plotly by src</a>'));
    assert.ok(index.includes('Paper A') && index.includes('It shows one line against x_max.'));
    assert.ok(index.includes('<code>finalLoss</code></td><td class="value">0.01235</td>'));
    assert.match(index, /no headline numbers: .*fake-inline.*metrics\.json/);
  });

  it('pages are small and load plotly.js from the report folder only', () => {
    for (const page of ['01-fake-src.html', '02-fake-inline.html']) {
      const html = fs.readFileSync(path.join(outDir, page), 'utf8');
      assert.ok(html.length < 2e6, `${page} does not embed the 4.8 MB bundle (${html.length} B)`);
      assert.ok(html.includes('<script src="plotly.min.js"></script>'));
      assert.ok(!html.includes('node_modules/plotly'), page);
    }
    // the explorer frame shows its page from a file beside, which loads both libraries from the folder
    const withFrame = fs.readFileSync(path.join(outDir, '02-fake-inline.html'), 'utf8');
    assert.ok(withFrame.includes('<iframe style="width:100%;height:640px;border:0" src="02-fake-inline.explorer.html"></iframe>'));
    assert.ok(!withFrame.includes('srcdoc='));
    const explorerPage = fs.readFileSync(path.join(outDir, '02-fake-inline.explorer.html'), 'utf8');
    assert.ok(explorerPage.length < 1e6, `the explorer page embeds no library (${explorerPage.length} B)`);
    assert.ok(explorerPage.includes('<script src="tf.min.js"></script>') && explorerPage.includes('<script src="plotly.min.js"></script>'));
  });

  it('every figure renders when the pages are opened from disk, and the explorer page draws offline', () => {
    assert.deepEqual(pages.map((p) => [path.basename(p.file), p.expectedFigures, p.explorers.map((f) => path.basename(f))]), [['01-fake-src.html', 1, []], ['02-fake-inline.html', 1, ['02-fake-inline.explorer.html']]]);
    assert.deepEqual(checks.map((c) => [c.explorers, c.explorersDrawn]), [[0, 0], [1, 1]]);
    for (const c of checks) {
      assert.equal(c.plotContainers, 1, c.file);
      assert.ok(c.mainSvgs >= 1, c.file);
      assert.equal(c.fallbackShown, false, c.file);
      assert.equal(c.ok, true, c.file);
    }
  });

  it('a page whose plotly.js does not load fails the check (control)', async () => {
    const broken = path.join(outDir, 'broken.html');
    fs.writeFileSync(broken, `<!doctype html><body><script src="missing/plotly.min.js"></script>${figureHtml(figure, 'f')}</body>`);
    const [check] = await checkReportPages(browser as Browser, [{ file: broken, expectedFigures: 1, explorers: [] }], 1500);
    fs.rmSync(broken);
    assert.deepEqual({ ok: check.ok, plotContainers: check.plotContainers, fallbackShown: check.fallbackShown }, { ok: false, plotContainers: 0, fallbackShown: true });
  });

  it('an explorer page whose tf.min.js is missing fails the check (control)', async () => {
    const alone = tmpDir('metadyn-report-explorer-');
    fs.copyFileSync(path.join(outDir, '02-fake-inline.explorer.html'), path.join(alone, 'x.explorer.html'));
    fs.copyFileSync(path.join(outDir, '02-fake-inline.html'), path.join(alone, 'x.html'));
    fs.copyFileSync(path.join(outDir, 'plotly.min.js'), path.join(alone, 'plotly.min.js'));
    const [check] = await checkReportPages(browser as Browser, [{ file: path.join(alone, 'x.html'), expectedFigures: 1, explorers: [path.join(alone, 'x.explorer.html')] }], 1500);
    assert.deepEqual({ ok: check.ok, explorers: check.explorers, explorersDrawn: check.explorersDrawn }, { ok: false, explorers: 1, explorersDrawn: 0 });
  });
});
