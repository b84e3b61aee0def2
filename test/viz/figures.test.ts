import { strict as assert } from 'assert';
import { DataError } from '../../src/core/errors';
import { contourFigure, fieldSnapshotsFigure } from '../../src/viz/fieldFigures';
import { panelLogAxis } from '../../src/viz/figureLayout';
import { lineFigure, lineGridFigure, phasePortraitGrid } from '../../src/viz/lineFigures';
import { barFigure, scatterFigure } from '../../src/viz/scatterAndBarFigures';
import { methodColor } from '../../src/viz/palette';

type Trace = Record<string, any>;
type Layout = Record<string, any>;

function axisTitles(layout: Layout): string[] {
  return Object.keys(layout)
    .filter((k) => /^[xy]axis\d*$/.test(k))
    .map((k) => layout[k].title?.text);
}

describe('viz/figures', () => {
  it('lineFigure: one line per series in its method colour, NaN as a gap, log axis on request', () => {
    const f = lineFigure({
      title: 'Loss',
      xTitle: 'step',
      yTitle: 'MSE',
      logY: true,
      series: [
        { name: 'MAML', x: [0, 1, 2], y: [1, NaN, 0.1] },
        { name: 'ANIL', x: [0, 1, 2], y: [1, 0.5, 0.2], dash: 'dot' },
      ],
    });
    const data = f.data as Trace[];
    const layout = f.layout as Layout;
    assert.equal(data.length, 2);
    assert.deepEqual(data[0].y, [1, null, 0.1]);
    assert.equal(data[0].line.color, methodColor('MAML'));
    assert.equal(data[1].line.dash, 'dot');
    assert.equal(layout.yaxis.type, 'log');
    assert.equal(layout.title.text, 'Loss');
    assert.deepEqual(axisTitles(layout), ['step', 'MSE']);
    assert.ok(layout.font.size >= 12 && layout.plot_bgcolor === '#FFFFFF');
    JSON.stringify(f); // valid JSON spec
  });

  it('lineFigure rejects mismatched lengths and empty input', () => {
    assert.throws(() => lineFigure({ title: 't', xTitle: 'x', yTitle: 'y', series: [{ name: 's', x: [1, 2], y: [1] }] }), /series 's': x has 2 values but y has 1/);
    assert.throws(() => lineFigure({ title: 't', xTitle: 'x', yTitle: 'y', series: [] }), DataError);
  });

  it('phasePortraitGrid: one axis pair per panel in a grid, shared colours, each name in the legend once', () => {
    const xy = { x: [0, 1], y: [1, 0] };
    const panels = [1, 2, 3].map((L) => ({
      title: `L = ${L}`,
      truth: xy,
      predicted: [
        { name: 'iMODE', ...xy },
        { name: 'MAML', ...xy },
      ],
    }));
    const f = phasePortraitGrid({ title: 'Phase', panels, xTitle: 'θ', yTitle: 'ω', columns: 2 });
    const data = f.data as Trace[];
    const layout = f.layout as Layout;
    assert.equal(data.length, 9);
    assert.deepEqual([...new Set(data.map((t) => t.xaxis))], ['x', 'x2', 'x3']);
    assert.deepEqual(data.filter((t) => t.showlegend).map((t) => t.name), ['truth', 'iMODE', 'MAML']);
    for (const name of ['truth', 'iMODE', 'MAML']) {
      const colors = new Set(data.filter((t) => t.name === name).map((t) => t.line.color));
      assert.deepEqual([...colors], [methodColor(name)]);
    }
    // titles only on the outer panels: x under the last panel of each column, y left of each row
    assert.deepEqual(axisTitles(layout), ['', 'ω', 'θ', '', 'θ', 'ω']);
    // 2 columns × 2 rows: panel 3 sits under panel 1, and panels do not overlap
    assert.deepEqual(layout.xaxis3.domain, layout.xaxis.domain);
    assert.ok(layout.yaxis3.domain[1] < layout.yaxis.domain[0]);
    assert.ok(layout.xaxis.domain[1] < layout.xaxis2.domain[0]);
    assert.deepEqual(layout.annotations.map((a: Trace) => a.text), ['<b>L = 1</b>', '<b>L = 2</b>', '<b>L = 3</b>']);
    assert.equal(layout.yaxis2.anchor, 'x2');
  });

  it('scatterFigure: numeric colours get a colour bar, a reference line is dashed black', () => {
    const f = scatterFigure({
      title: 'η vs L',
      xTitle: 'L',
      yTitle: 'η₁',
      points: { x: [1, 2, 3], y: [0.1, 0.2, 0.3], text: ['a', 'b', 'c'], color: [1, 2, 3], colorTitle: 'L' },
      line: { x: [0, 4], y: [0, 0.4], name: 'fit' },
    });
    const data = f.data as Trace[];
    assert.equal(data[0].mode, 'markers');
    assert.deepEqual(data[0].marker.color, [1, 2, 3]);
    assert.equal(data[0].marker.showscale, true);
    assert.equal(data[0].marker.colorbar.title.text, 'L');
    assert.deepEqual(data[0].text, ['a', 'b', 'c']);
    assert.equal(data[1].line.dash, 'dash');
    assert.deepEqual(axisTitles(f.layout as Layout), ['L', 'η₁']);
    assert.throws(() => scatterFigure({ title: 's', xTitle: 'x', yTitle: 'y', points: { x: [1], y: [1], color: [1, 2] } }), /1 points but 2 colour values/);
  });

  it('barFigure: categories on a category axis', () => {
    const f = barFigure({ title: 'Explained variance', categories: ['PC1', 'PC2'], values: [0.9, 0.1], xTitle: 'component', yTitle: 'ratio' });
    const data = f.data as Trace[];
    assert.equal(data[0].type, 'bar');
    assert.deepEqual(data[0].x, ['PC1', 'PC2']);
    assert.equal((f.layout as Layout).xaxis.type, 'category');
    assert.throws(() => barFigure({ title: 'b', categories: ['a'], values: [], xTitle: 'x', yTitle: 'y' }), DataError);
  });
  it('contourFigure: one contour panel per field with the same levels across panels, NaN as a hole, shape checked', () => {
    const f = contourFigure({
      title: 'H',
      xTitle: 'q',
      yTitle: 'p',
      x: [0, 1, 2],
      y: [0, 1],
      colorTitle: 'H',
      levels: 4,
      panels: [
        { title: 'true', z: [[0, 1, 2], [1, 2, 3]] },
        { title: 'learned', z: [[0, NaN, 4], [1, 2, 3]] },
      ],
    });
    const data = f.data as Trace[];
    assert.deepEqual(data.map((t) => t.type), ['contour', 'contour']);
    assert.deepEqual(data[1].z[0], [0, null, 4]);
    data.forEach((t) => assert.deepEqual(t.contours.start === 0 && t.contours.end === 4 && t.contours.size, 1));
    assert.deepEqual([data[0].xaxis, data[1].xaxis], ['x', 'x2']);
    assert.deepEqual(axisTitles(f.layout as Layout).filter(Boolean), ['q', 'p', 'q']);
    assert.throws(() => contourFigure({ title: 'bad', xTitle: 'q', yTitle: 'p', x: [0, 1], y: [0], colorTitle: 'H', panels: [{ title: 'a', z: [[0, 1, 2]] }] }), DataError);
  });

  it('fieldSnapshotsFigure: markers over a panel in its pixel coordinates', () => {
    const f = fieldSnapshotsFigure({ title: 'f', colorTitle: '|f|', panels: [{ title: 'target', z: [[0, 1], [2, 3]], points: { name: 'support', x: [0.5], y: [1] } }, { title: 'm', z: [[0, 1], [2, 3]] }] });
    const data = f.data as Trace[];
    assert.deepEqual(data.map((t) => t.type), ['heatmap', 'scatter', 'heatmap']);
    assert.deepEqual([data[1].x, data[1].y, data[1].xaxis, data[2].xaxis], [[0.5], [1], 'x', 'x2']);
  });

  it('fieldSnapshotsFigure with grid axes: every panel titled q and p, ticked, and of the one extent of the grid cells, whatever the markers', () => {
    const z = [[0, 1, 2], [3, 4, 5]];
    const axes = { x: [-1, 0, 1], y: [10, 20], xTitle: 'q', yTitle: 'p' };
    const f = fieldSnapshotsFigure({ title: 'f', colorTitle: '|f|', axes, panels: [{ title: 'target', z, points: { name: 'support', x: [5], y: [100] } }, { title: 'm', z }, { title: 'n', z }] });
    const layout = f.layout as Layout;
    const keys = Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k));
    assert.equal(keys.length, 6);
    keys.forEach((k) => {
      assert.equal(layout[k].title.text, k.startsWith('x') ? 'q' : 'p');
      assert.notEqual(layout[k].showticklabels, false);
      assert.equal(layout[k].autorange, false);
      assert.deepEqual(layout[k].range, k.startsWith('x') ? [-1.5, 1.5] : [5, 25]);
    });
    const data = f.data as Trace[];
    assert.deepEqual([data[0].x, data[0].y], [axes.x, axes.y]);
    assert.deepEqual([data[1].x, data[1].y], [[5], [100]]);
    assert.throws(() => fieldSnapshotsFigure({ title: 'bad', colorTitle: 'u', axes, panels: [{ title: 'a', z: [[0, 1], [2, 3]] }] }), /z must be \[2\]\[3\]/);
  });

  it('log panels tick 1-2-5 over a decade or more and every digit over less, so a short range keeps several labels', () => {
    assert.equal(panelLogAxis([200, 1000, 2000]).dtick, 'D2');
    assert.equal(panelLogAxis([0.2, 0.45]).dtick, 'D1');
    assert.equal(panelLogAxis([0.05, 0.5, NaN, 0, -1]).dtick, 'D2', 'non-positive and missing values are not on a log axis');
    assert.deepEqual(panelLogAxis([1e-4, 0.5]), { type: 'log', exponentformat: 'power', dtick: 1 }, 'past three decades: one power of ten per decade');
    assert.deepEqual(panelLogAxis([1e-6, 20]), { type: 'log', exponentformat: 'power', dtick: 2 }, 'past four: every second decade');
    const fig = lineGridFigure({ title: 't', xTitle: 'n', yTitle: 'ε', columns: 2, logX: true, logY: true, panels: [
      { title: 'a', series: [{ name: 's', x: [200, 2000], y: [0.2, 0.3] }] },
      { title: 'b', series: [{ name: 's', x: [200, 2000], y: [0.01, 1] }] },
    ] });
    const layout = fig.layout as Record<string, { dtick?: string }>;
    assert.deepEqual([layout.xaxis.dtick, layout.yaxis.dtick, layout.yaxis2.dtick], ['D2', 'D1', 'D2']);
  });
});
