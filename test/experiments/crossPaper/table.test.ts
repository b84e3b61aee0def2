import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic as writeJson } from '../../../src/core/atomicWrite';
import { DataError } from '../../../src/core/errors';
import { perLengthFigure, writePerLengthFigure } from '../../../src/experiments/crossPaper/figures';
import { crossPaperEntries, crossPaperReadmeSection, crossPaperScaleTable, crossPaperSection, crossPaperTable, imodePendulumPerLength, writeCrossPaperTable } from '../../../src/experiments/crossPaper/table';
import { tmpDir } from '../../helpers/tmpDir';

const benchmarkRow = (method: string, field: number, traj: number) => ({ method, fieldError: { mean: field, std: 0 }, trajError: { mean: traj, std: 0 } });

/** A results root with Paper B's pendulum (two methods), iMODE on it, iMODE's pendulum and SVD on it, at converged. */
function fixture(): string {
  const root = tmpDir('cross-paper-');
  writeJson(path.join(root, 'converged', 'spd-pendulum', 'metrics.json'), { table: [benchmarkRow('Scratch', 0.8, 1.5), benchmarkRow('SVD', 0.07, 0.3)] });
  writeJson(path.join(root, 'converged', 'cross-paper', 'imode-on-spd-pendulum', 'metrics.json'), {
    methods: [{ method: 'iMODE', summary: { fieldError: { mean: 0.2 }, trajError: { mean: 0.25 } } }],
  });
  const lengths = (values: number[]) => values.map((v, i) => ({ L: i + 1, split: i < 2 ? 'train' : 'interpolate', evalMse: v }));
  // iMODE's own file names its per-length values `evalMse` in `lengths`; the study's `perLength`
  writeJson(path.join(root, 'imode-pendulum', 'metrics.json'), { lengths: lengths([1e-9, 1e-9, 3e-4, 1e-4, 2e-4]) });
  writeJson(path.join(root, 'converged', 'cross-paper', 'paperB-on-imode-pendulum', 'metrics.json'), {
    methods: [{ method: 'SVD', perLength: lengths([1e-9, 1e-9, 5e-4, 6e-4, 7e-4]) }],
  });
  return root;
}

describe('cross-paper table', () => {
  it('reads every run, scores the iMODE pendulum by the median over unseen lengths only, and bolds the lowest per metric and column', () => {
    const root = fixture();
    const entries = crossPaperEntries(root, 'converged');
    assert.equal(entries.length, 5);
    const t = crossPaperTable(entries, ['spd-pendulum', 'spd-mass-spring', 'imode-pendulum']);
    assert.deepEqual(t.columns, ['method', 'spd-pendulum', 'spd-mass-spring', 'imode-pendulum']);
    assert.deepEqual(
      t.rows.map((r) => r[0]),
      ['Scratch', 'SVD', 'iMODE'],
    );
    const row = (m: string) => t.rows.find((r) => r[0] === m)!;
    assert.deepEqual(row('Scratch'), ['Scratch', '0.8 / 1.5', '—', '—']);
    assert.deepEqual(row('SVD'), ['SVD', '**0.07** / 0.3', '—', '6e-4']);
    // the training lengths' 1e-9 would be the median of all five; over the unseen three iMODE's is 2e-4
    assert.deepEqual(row('iMODE'), ['iMODE', '0.2 / **0.25**', '—', '**2e-4**']);
  });

  it('writes results/cross-paper.md and a long CSV naming each value’s source file', () => {
    const root = fixture();
    const section = writeCrossPaperTable(root);
    assert.match(section, /\*\*converged\*\* scale/);
    assert.doesNotMatch(section, /\*\*default\*\* scale/, 'a scale without cross-paper runs is not shown');
    assert.ok(fs.readFileSync(path.join(root, 'cross-paper.md'), 'utf8').includes(section.trim()));
    const csv = fs.readFileSync(path.join(root, 'cross-paper.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'scale,system,method,metric,value,source');
    // header, the converged scale's eight values, and iMODE's pendulum again at default (its own scale)
    assert.equal(csv.length, 1 + 8 + 1);
    assert.ok(csv.includes(`converged,spd-pendulum,iMODE,fieldError,0.2,${path.join('converged', 'cross-paper', 'imode-on-spd-pendulum', 'metrics.json')}`));
  });

  it('puts one scale on the README, the first with a crossed method, and every Paper B system and the pendulum in the columns', () => {
    const root = fixture();
    writeJson(path.join(root, 'cross-paper', 'imode-on-spd-pendulum', 'metrics.json'), { methods: [{ method: 'iMODE', summary: { fieldError: { mean: 0.3 }, trajError: { mean: 0.4 } } }] });
    assert.match(crossPaperSection(root), /\*\*default\*\* scale/, 'results/cross-paper.md shows both scales');
    const readme = crossPaperReadmeSection(root);
    assert.match(readme, /\*\*converged\*\* scale/);
    assert.doesNotMatch(readme, /\*\*default\*\* scale/);
    assert.match(readme, /results\/cross-paper\.md/);
    assert.match(crossPaperReadmeSection(tmpDir('cross-paper-')), /No cross-paper run yet/);
    const t = crossPaperScaleTable(root, 'default');
    assert.deepEqual(t.columns, ['method', 'spd-mass-spring', 'spd-pendulum', 'spd-duffing', 'spd-dno', 'spd-tgc', 'imode-pendulum']);
    assert.deepEqual(t.rows, [['iMODE', '—', '**0.3** / **0.4**', '—', '—', '—', '**2e-4**']]);
  });

  it('is empty until a method has crossed papers, and fails on a malformed or doubled result', () => {
    const root = tmpDir('cross-paper-');
    writeJson(path.join(root, 'spd-pendulum', 'metrics.json'), { table: [benchmarkRow('SVD', 0.1, 0.5)] });
    assert.equal(crossPaperSection(root), '');
    writeJson(path.join(root, 'cross-paper', 'imode-on-spd-pendulum', 'metrics.json'), { methods: [{ method: 'iMODE', summary: { fieldError: { mean: 'x' } } }] });
    assert.throws(() => crossPaperEntries(root, 'default'), (e: unknown) => e instanceof DataError && /summary\.fieldError\.mean/.test(e.message));
    const twice = [
      { system: 's', method: 'SVD', fieldError: 1, trajError: 1, source: 'a' },
      { system: 's', method: 'SVD', fieldError: 2, trajError: 2, source: 'b' },
    ];
    assert.throws(() => crossPaperTable(twice, ['s']), DataError);
  });

  it('gives every method its per-length MSE on the iMODE pendulum for the figure, one line per method over L ascending', () => {
    const root = fixture();
    const perLength = imodePendulumPerLength(root, 'converged');
    assert.deepEqual(perLength.map((m) => m.method), ['iMODE', 'SVD']);
    assert.deepEqual(perLength[1].lengths[2], { L: 3, split: 'interpolate', evalMse: 5e-4 });
    assert.deepEqual(imodePendulumPerLength(root, 'default').map((m) => m.method), ['iMODE'], "the crossing run's scale only");
    const reversed = perLength.map((m) => ({ ...m, lengths: [...m.lengths].reverse() }));
    const fig = perLengthFigure(reversed, 'MSE per length');
    const data = fig.data as { name: string; x: number[]; y: number[] }[];
    assert.deepEqual(data.map((d) => d.name), ['iMODE', 'SVD']);
    assert.deepEqual(data[1].x, [1, 2, 3, 4, 5]);
    assert.deepEqual(data[1].y, [1e-9, 1e-9, 5e-4, 6e-4, 7e-4]);
    assert.match(JSON.stringify(fig.layout), /meta-trained on L = 1, 2/);
    assert.throws(() => perLengthFigure([], 't'), DataError);
    writePerLengthFigure(root, 'converged');
    const saved = JSON.parse(fs.readFileSync(path.join(root, 'converged', 'cross-paper', 'figures', 'per-length.json'), 'utf8'));
    assert.deepEqual(saved.data.map((d: { name: string }) => d.name), ['iMODE', 'SVD'], 'saved where npm run figures -- cross-paper finds it');
  });
});
