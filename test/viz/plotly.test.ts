import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, DataError } from '../../src/core/errors';
import { figureHtml, initPlotly, plotlyLoaderHtml, plotlyModeFromEnv, saveFigure, showFigure } from '../../src/viz/plotly';

const fig = { data: [{ type: 'scatter', name: 'a</script><script>alert(1)</script>', x: [1, 2], y: [3, 4] }], layout: { title: { text: 'T' }, height: 300 } };

describe('viz/plotly', () => {
  it('figureHtml draws the figure into the div, with a visible fallback and no way to close the script early', () => {
    const html = figureHtml(fig, 'plot1');
    assert.match(html, /^<div id="plot1" style="width:100%;height:300px;">/);
    assert.ok(html.includes('Plotly not loaded (run initPlotly())'));
    assert.ok(html.includes('window.Plotly.newPlot(el, data, layout, config)'));
    assert.equal(html.match(/<\/script>/g)?.length, 1, 'only the closing tag of our own script');
    const dataJson = /var data = (.*?), layout = /.exec(html)?.[1] ?? '';
    assert.deepEqual(JSON.parse(dataJson), fig.data, 'the escaped JSON parses back to the same data');
    assert.throws(() => figureHtml(fig, '1"><img'), DataError);
  });

  it('outside a kernel showFigure and initPlotly only return HTML', () => {
    assert.match(showFigure(fig) ?? '', /^<div id="metadyn-plot-[0-9a-f]{12}"/);
    assert.equal(initPlotly('src'), '<script src="../node_modules/plotly.js-dist-min/plotly.min.js"></script>');
  });

  it('inline mode embeds the whole bundle in one script', () => {
    const html = plotlyLoaderHtml('inline');
    assert.ok(html.length > 1e6 && html.includes('window.Plotly'));
    assert.equal(html.match(/<\/script>/g)?.length, 1);
  });

  it('reads the mode from PLOTLY_INLINE', () => {
    assert.equal(plotlyModeFromEnv({}), 'src');
    assert.equal(plotlyModeFromEnv({ PLOTLY_INLINE: '0' }), 'src');
    assert.equal(plotlyModeFromEnv({ PLOTLY_INLINE: '1' }), 'inline');
    assert.throws(() => plotlyModeFromEnv({ PLOTLY_INLINE: 'yes' }), ConfigError);
  });

  it('saveFigure writes <dir>/figures/<name>.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fig-'));
    const file = saveFigure(dir, 'loss', fig);
    assert.equal(file, path.join(dir, 'figures', 'loss.json'));
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), fig);
    assert.throws(() => saveFigure(dir, '../x', fig), DataError);
    fs.rmSync(dir, { recursive: true });
  });
});
