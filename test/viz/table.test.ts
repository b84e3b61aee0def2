import { strict as assert } from 'assert';
import { DataError } from '../../src/core/errors';
import { dfd } from '../../src/viz/danfo';
import { formatNumber, showTable, Table, tableToCsv, tableToDataFrame, tableToHtml, tableToMarkdown } from '../../src/viz/table';

const table: Table = {
  columns: ['method', 'ε<traj>', 'note'],
  rows: [
    ['SVD(5)', 5.33, 'best | overall'],
    ['MAML', 52.37, 'said "ok", then\ndiverged'],
    ['ANIL', null, null],
  ],
};

describe('viz/table formatNumber', () => {
  it('uses significant digits, drops trailing zeros, and exponent form for small and large values', () => {
    assert.equal(formatNumber(52.3712, 4), '52.37');
    assert.equal(formatNumber(0.142, 4), '0.142');
    assert.equal(formatNumber(100, 4), '100');
    assert.equal(formatNumber(1.23456e-5, 3), '1.23e-5');
    assert.equal(formatNumber(-2e-7, 3), '-2e-7');
    assert.equal(formatNumber(3.4e7, 2), '3.4e7');
    assert.equal(formatNumber(0.001, 3), '0.001');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(NaN), 'NaN');
    assert.equal(formatNumber(-Infinity), '−∞');
    assert.throws(() => formatNumber(1, 0), DataError);
  });
});

describe('viz/table renderers', () => {
  it('HTML escapes <, & and quotes, right-aligns numeric columns, shows null as —', () => {
    const html = tableToHtml(table, { digits: 2 });
    assert.ok(html.includes('<th style="text-align:right">ε&lt;traj&gt;</th>'));
    assert.ok(html.includes('<td style="text-align:right">52</td>'));
    assert.ok(html.includes('said &quot;ok&quot;'));
    assert.ok(html.includes('<td style="text-align:right">—</td>'));
    assert.ok(!html.includes('<traj>'));
  });

  it('Markdown escapes | and <, keeps each row on one line, aligns numbers right', () => {
    const md = tableToMarkdown(table);
    const lines = md.trimEnd().split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines[0], '| method | ε&lt;traj> | note |');
    assert.equal(lines[1], '| --- | ---: | --- |');
    assert.equal(lines[2], '| SVD(5) | 5.33 | best \\| overall |');
    assert.equal(lines[3], '| MAML | 52.37 | said "ok", then diverged |');
    assert.equal(lines[4], '| ANIL | — | — |');
  });

  it('CSV quotes fields with commas, quotes or line breaks (RFC 4180) and keeps full precision', () => {
    const csv = tableToCsv({ columns: ['a', 'b,c'], rows: [['x "y"', 0.1 + 0.2], ['line\nbreak', null]] });
    assert.equal(csv, 'a,"b,c"\n"x ""y""",0.30000000000000004\n"line\nbreak",\n');
  });

  it('rejects rows whose length does not match the columns', () => {
    assert.throws(() => tableToCsv({ columns: ['a', 'b'], rows: [[1]] }), /table row 0 has 1 cells but there are 2 columns/);
  });

  it('converts to a danfo DataFrame', () => {
    const df = tableToDataFrame({ columns: ['method', 'mse'], rows: [['A', 1], ['B', 3]] });
    assert.deepEqual(df.columns, ['method', 'mse']);
    assert.equal(df.shape[0], 2);
    assert.equal(dfd.toCSV(df), 'method,mse\nA,1\nB,3\n');
  });

  it('showTable returns the HTML outside a kernel', () => {
    assert.equal(showTable(table, { digits: 3 }), tableToHtml(table, { digits: 3 }));
  });
});
