import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { parseFiguresArgs, readFigureSpec, resultDirsToExport } from '../../src/cli/figures';
import { ConfigError, DataError } from '../../src/core/errors';
import {
  type ExportedFiles,
  type FigureExporter,
  exportFigure,
  exportedFigureFile,
  launchChromium,
  openFigureExporter,
  parseExportFormats,
} from '../../src/viz/export';
import { methodColor } from '../../src/viz/palette';
import type { PlotlyFigure } from '../../src/viz/plotly';
import { PUBLICATION_FONT_FAMILY, parseColumnWidth, publicationFigure, publicationSize, wrapTitle } from '../../src/viz/publicationStyle';
import { requireChromium } from '../helpers/chromium';
import { tmpDir } from '../helpers/tmpDir';


/** A line figure with a WebGL trace (must come out vector) and a LaTeX axis title (must come out typeset). */
const lineFigure: PlotlyFigure = {
  data: [
    { type: 'scatter', mode: 'lines', name: 'iMODE', x: [0, 1, 2, 3], y: [0, 1, 0.5, 2] },
    { type: 'scattergl', mode: 'lines', name: 'Scratch', x: [0, 1, 2, 3], y: [1, 0.2, 1.5, 0.7], line: { color: '#123456' } },
  ],
  layout: { title: { text: 'Loss' }, xaxis: { title: { text: '$\\theta$' } }, yaxis: { title: { text: 'loss' } } },
};

describe('viz/publicationStyle', () => {
  it('sizes figures to a 3.5 in or 7 in column at 96 px per inch, keeping a fixed aspect ratio', () => {
    assert.deepEqual(publicationSize({}, 'single'), { widthPx: 336, heightPx: 252 });
    assert.equal(publicationSize({}, 'double').widthPx, 672);
    assert.deepEqual(publicationSize({ width: 1000, height: 500 }, 'double'), { widthPx: 672, heightPx: 336 });
    assert.throws(() => parseColumnWidth('triple'), (e: Error) => e instanceof ConfigError && /single, double/.test(e.message));
  });

  it('sets an installed font at 9 pt (12 px), keeps given colours, colours the rest by method and makes WebGL traces vector', () => {
    const input = JSON.parse(JSON.stringify(lineFigure)) as PlotlyFigure;
    const styled = publicationFigure(input, 'single');
    assert.deepEqual(input, lineFigure, 'the input is not modified');
    const layout = styled.layout as {
      font: { family: string; size: number };
      title: { font: { size: number } };
      width: number;
      xaxis: { automargin: boolean; title: { text: string } };
    };
    assert.equal(layout.font.family, PUBLICATION_FONT_FAMILY);
    assert.match(PUBLICATION_FONT_FAMILY, /^DejaVu Sans,/);
    assert.equal(layout.font.size, 12);
    assert.ok(Math.abs(layout.title.font.size - 40 / 3) < 1e-9, '10 pt title');
    assert.equal(layout.width, 336);
    assert.equal(layout.xaxis.automargin, true);
    assert.equal(layout.xaxis.title.text, '$\\theta$');
    const [a, b] = styled.data as { type: string; line: { color: string } }[];
    assert.equal(a.line.color, methodColor('iMODE'));
    assert.equal(b.type, 'scatter');
    assert.equal(b.line.color, '#123456');
  });

  it('breaks a title longer than the column at spaces and grows the top margin by its extra lines; LaTeX and short titles stay whole', () => {
    assert.equal(wrapTitle('Neural Gauge of the model: b measured', 20), 'Neural Gauge of the<br>model: b measured');
    assert.equal(wrapTitle('short', 20), 'short');
    assert.equal(wrapTitle('averyveryverylongword and more', 10), 'averyveryverylongword<br>and more');
    assert.equal(wrapTitle('$\\theta$ against the truth of everything', 10), '$\\theta$ against the truth of everything');
    wrapTitle('a b c d e f g h i j k l m n o p q r s t u v w x y z', 7)
      .split('<br>')
      .forEach((line) => assert.ok(line.length <= 7, `line '${line}' longer than 7`));
    const long = 'Neural Gauge on unseen instances: b (negative quadratic stiffness) measured from η against the truth';
    const fig = (title: string): PlotlyFigure => ({ data: [], layout: { title } });
    const single = publicationFigure(fig(long), 'single').layout as { title: { text: string }; margin: { t: number } };
    const double = publicationFigure(fig(long), 'double').layout as { title: { text: string }; margin: { t: number } };
    const lines = (t: string) => t.split('<br>').length;
    assert.ok(lines(single.title.text) > lines(double.title.text) && lines(double.title.text) >= 2, `${single.title.text} | ${double.title.text}`);
    assert.equal(single.title.text.replace(/<br>/g, ' '), long, 'only spaces become breaks');
    assert.ok(single.margin.t > double.margin.t, 'more lines, more room above the plot');
    assert.equal((publicationFigure(fig('Loss'), 'single').layout as { margin: { t: number } }).margin.t, 36);
  });

  it('fits the panel titles of a grid between their centres: shrunk on one line down to 7 pt, then broken; alone on its row a title stays', () => {
    const title = (text: string, x: number, y: number) => ({ text, x, y, xref: 'paper', yref: 'paper', xanchor: 'center', showarrow: false });
    const long = 'l1=0.985, l2=0.739 (i)';
    const fig: PlotlyFigure = {
      data: [],
      layout: { width: 1070, height: 1020, annotations: [title(`<b>${long}</b>`, 1 / 6, 1), title('<b>b</b>', 0.5, 1), title('<b>c</b>', 5 / 6, 1), title(long, 0.5, 0.3)] },
    };
    type Annotation = { text: string; font: { size: number } };
    const annotations = (width: 'single' | 'double', f: PlotlyFigure = fig) => (publicationFigure(f, width).layout as { annotations: Annotation[] }).annotations;
    // Double column: a third of the plot area (≈ 0.8 × 672 px) holds the title on one line below 12 px (9 pt), above 7 pt.
    const [wide, short] = annotations('double');
    assert.equal(wide.text, `<b>${long}</b>`);
    assert.ok(wide.font.size < 12 && wide.font.size >= (7 * 96) / 72 - 1e-9, `size ${wide.font.size}`);
    assert.equal(short.font.size, 12, 'a short title keeps the text size');
    // Single column: even 7 pt does not fit, so the title is broken, each line bold on its own.
    const narrow = annotations('single');
    const lines = narrow[0].text.split('<br>');
    assert.ok(lines.length >= 2, narrow[0].text);
    assert.ok(Math.abs(narrow[0].font.size - (7 * 96) / 72) < 1e-9);
    lines.forEach((line) => assert.match(line, /^<b>[^<>]+<\/b>$/, 'each line bold on its own'));
    assert.equal(lines.map((l) => l.slice(3, -4)).join(' '), long, 'only spaces become breaks');
    assert.equal(narrow[3].text, long, 'alone on its row: as it was');
    assert.equal(narrow[3].font.size, 12);
    const top = (width: 'single' | 'double') => (publicationFigure({ ...fig, layout: { ...fig.layout, title: 'Rollouts' } }, width).layout as { margin: { t: number } }).margin.t;
    assert.ok(top('single') > top('double') && top('double') > 36, 'the top row\'s titles get room under the figure title, more when they wrap');
  });

  it('the DejaVu font it names is installed (fc-list)', function () {
    const fcList = '/usr/bin/fc-list';
    if (!fs.existsSync(fcList)) this.skip();
    const families = execFileSync(fcList, [':', 'family'], { encoding: 'utf8' });
    assert.match(families, /DejaVu Sans/, 'apt-get install fonts-dejavu-core');
  });
});

describe('viz/export: arguments and file names', () => {
  it('puts outputs beside the spec and validates names and formats before rendering', () => {
    assert.equal(exportedFigureFile('/r/x', 'loss', 'pdf'), path.join('/r/x', 'figures', 'loss.pdf'));
    assert.throws(() => exportedFigureFile('/r/x', '../loss', 'pdf'), DataError);
    assert.deepEqual(parseExportFormats(['pdf', 'svg', 'pdf']), ['pdf', 'svg']);
    assert.throws(() => parseExportFormats(['eps']), (e: Error) => e instanceof ConfigError && /svg, png, pdf/.test(e.message));
  });

  it('npm run figures: parses its flags and finds the experiments with figure specs', () => {
    assert.deepEqual(parseFiguresArgs([]), { scale: 'default', width: 'double', pngScale: 3, formats: ['svg', 'png', 'pdf'], ids: [] });
    const a = parseFiguresArgs(['--scale', 'smoke', '--width', 'single', '--scale-png', '2', '--formats', 'pdf', 'imode-pendulum']);
    assert.deepEqual(a, { scale: 'smoke', width: 'single', pngScale: 2, formats: ['pdf'], ids: ['imode-pendulum'] });
    assert.throws(() => parseFiguresArgs(['--scale-png', 'x']), /--scale-png/);
    assert.throws(() => parseFiguresArgs(['--dpi', '3']), ConfigError);

    const root = tmpDir('metadyn-figures-');
    const env = { METADYN_RESULTS_ROOT: root };
    fs.mkdirSync(path.join(root, 'smoke', 'exp-a', 'figures'), { recursive: true });
    fs.writeFileSync(path.join(root, 'smoke', 'exp-a', 'figures', 'f.json'), JSON.stringify(lineFigure));
    fs.mkdirSync(path.join(root, 'smoke', 'exp-b'), { recursive: true });
    assert.deepEqual(resultDirsToExport([], 'smoke', env), [path.join(root, 'smoke', 'exp-a')]);
    assert.deepEqual(resultDirsToExport([], 'default', env), []);
    assert.throws(() => resultDirsToExport(['exp-b'], 'smoke', env), (e: Error) => e instanceof ConfigError && /exp-b/.test(e.message));
    fs.writeFileSync(path.join(root, 'bad.json'), '{"data": 1}');
    assert.throws(() => readFigureSpec(path.join(root, 'bad.json')), (e: Error) => e instanceof DataError && e.message.includes('bad.json'));
  });
});

function pdfPageCount(pdf: string): number {
  return (pdf.match(/\/Type\s*\/Page(?![a-z])/g) ?? []).length;
}
function pdfHasRaster(pdf: string): boolean {
  return /\/Subtype\s*\/Image/.test(pdf);
}
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('viz/export in headless Chromium', function () {
  this.timeout(120000);
  let browser: Browser | undefined;
  let exporter: FigureExporter | undefined;
  let dir = '';
  let files: ExportedFiles = {};

  before(async function () {
    requireChromium(this);
    browser = await launchChromium();
    exporter = await openFigureExporter(browser);
    dir = tmpDir('metadyn-export-');
    files = await exporter.export(lineFigure, 'line', { dir, width: 'double' });
  });
  after(async () => {
    await exporter?.close();
    await browser?.close();
  });

  it('writes svg, png and pdf next to where the spec lives', () => {
    for (const format of ['svg', 'png', 'pdf'] as const) {
      assert.equal(files[format], path.join(dir, 'figures', `line.${format}`));
      assert.ok(fs.statSync(files[format] as string).size > 1000, `${format} is not empty`);
    }
  });

  it('the PDF is one vector page of the column width (no raster image, DejaVu embedded)', () => {
    const pdf = fs.readFileSync(files.pdf as string, 'latin1');
    assert.ok(pdf.startsWith('%PDF-'));
    assert.equal(pdfPageCount(pdf), 1);
    assert.equal(pdfHasRaster(pdf), false, 'the scattergl trace must have been drawn as vector');
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
    assert.ok(box, 'a MediaBox');
    assert.ok(Math.abs(Number(box[1]) - 7 * 72) < 1, `7 in wide, got ${box[1]} pt`);
    assert.match(pdf, /\/BaseFont\s*\/[A-Z]{6}\+DejaVuSans/);
  });

  it('the raster check does find an embedded image (control)', async () => {
    const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
    const withImage: PlotlyFigure = {
      ...lineFigure,
      layout: { ...lineFigure.layout, images: [{ source: pixel, xref: 'paper', yref: 'paper', x: 0, y: 1, sizex: 0.3, sizey: 0.3 }] },
    };
    const out = await (exporter as FigureExporter).export(withImage, 'with-image', { dir, formats: ['pdf'] });
    assert.equal(pdfHasRaster(fs.readFileSync(out.pdf as string, 'latin1')), true);
  });

  it('the PNG has the column width times the scale and is not blank', async () => {
    const png = fs.readFileSync(files.png as string);
    const { width, height } = pngSize(png);
    assert.equal(width, 672 * 3);
    assert.equal(height, Math.round(672 * 0.45) * 3);
    const page = await (browser as Browser).newPage();
    try {
      const stats = await page.evaluate(async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, img.width, img.height).data;
        let sum = 0;
        let sumSq = 0;
        const n = px.length / 4;
        for (let i = 0; i < px.length; i += 4) {
          const lum = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
          sum += lum;
          sumSq += lum * lum;
        }
        const mean = sum / n;
        return { mean, variance: sumSq / n - mean * mean };
      }, `data:image/png;base64,${png.toString('base64')}`);
      assert.ok(stats.variance > 100, `pixel variance ${stats.variance.toFixed(1)} (a blank image has 0)`);
      assert.ok(stats.mean > 200, 'mostly white background');
    } finally {
      await page.close();
    }
  });

  it('the SVG parses as an <svg> document of the column size', async () => {
    const svg = fs.readFileSync(files.svg as string, 'utf8');
    const page = await (browser as Browser).newPage();
    try {
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        return {
          errors: doc.getElementsByTagName('parsererror').length,
          root: doc.documentElement.nodeName,
          width: doc.documentElement.getAttribute('width'),
        };
      }, svg);
      assert.deepEqual(parsed, { errors: 0, root: 'svg', width: '672' });
    } finally {
      await page.close();
    }
  });

  it('typesets LaTeX labels with MathJax instead of printing the raw $…$', () => {
    const svg = fs.readFileSync(files.svg as string, 'utf8');
    assert.match(svg, /data-mml-node="mi"/);
    // Plotly keeps the source in a data-unformatted attribute; what is drawn must not be the raw string.
    const drawn = svg.replace(/data-unformatted="[^"]*"/g, '');
    assert.ok(!drawn.includes('$\\theta$'), 'no raw TeX drawn');
  });

  it('exports only the requested formats, at single-column width', async () => {
    const out = await (exporter as FigureExporter).export(lineFigure, 'single', { dir, formats: ['pdf'], width: 'single' });
    assert.deepEqual(Object.keys(out), ['pdf']);
    assert.equal(fs.existsSync(path.join(dir, 'figures', 'single.svg')), false);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+)/.exec(fs.readFileSync(out.pdf as string, 'latin1'));
    assert.ok(box && Math.abs(Number(box[1]) - 3.5 * 72) < 1, `3.5 in wide, got ${box?.[1]} pt`);
  });

  it('exportFigure (the notebook call) launches and closes its own browser', async () => {
    const out = await exportFigure(lineFigure, 'from-notebook', { dir, formats: ['svg'] });
    assert.deepEqual(out, { svg: path.join(dir, 'figures', 'from-notebook.svg') });
    assert.match(fs.readFileSync(out.svg as string, 'utf8'), /^<svg[\s\S]*<\/svg>$/);
  });
});
