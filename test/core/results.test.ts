import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configHash } from '../../src/core/config';
import { DataError } from '../../src/core/errors';
import { gitInfo, Provenance, readMetrics, startProvenance, writeResults } from '../../src/core/results';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'results-'));
}

function provenance(): Provenance {
  return startProvenance({ experiment: '01-test', paper: 'iMODE', section: '§3', scale: 'smoke', config: { lr: 1e-3, b: [1, 2] }, seed: 7 }).finish();
}

describe('core/results provenance', () => {
  it('records identity, config hash, versions, machine and timing', () => {
    const p = provenance();
    assert.equal(p.experiment, '01-test');
    assert.equal(p.seed, 7);
    assert.equal(p.configHash, configHash({ b: [1, 2], lr: 1e-3 }));
    assert.equal(p.tfjsVersion, '4.22.0');
    assert.equal(p.node, process.version);
    assert.ok(p.machine.cpus >= 1 && p.machine.totalMemGiB > 0);
    assert.ok(p.wallSeconds >= 0 && Date.parse(p.finishedAt) >= Date.parse(p.startedAt));
    assert.equal(typeof p.backend, 'string');
  });

  it('reads git revision and dirty flag; null outside a repository or before the first commit', () => {
    const dir = tmpDir();
    assert.deepEqual(gitInfo(dir), { revision: null, dirty: null });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    assert.deepEqual(gitInfo(dir), { revision: null, dirty: null });
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'one');
    const clean = gitInfo(dir);
    assert.match(clean.revision ?? '', /^[0-9a-f]{40}$/);
    assert.equal(clean.dirty, false);
    fs.mkdirSync(path.join(dir, 'results'));
    fs.writeFileSync(path.join(dir, 'results', 'metrics.json'), '{}');
    assert.equal(gitInfo(dir).dirty, false, 'outputs under results/ do not make the tree dirty');
    fs.writeFileSync(path.join(dir, 'a.txt'), 'b');
    assert.equal(gitInfo(dir).dirty, true);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('core/results writeResults', () => {
  it('writes metrics (header + provenance + metrics), provenance, tables, figures and extra files', () => {
    const dir = tmpDir();
    const p = provenance();
    const fig = { data: [{ type: 'scatter', x: [1], y: [2] }], layout: { title: { text: 't' } } };
    writeResults(dir, {
      metrics: { mse: 0.5, perInstance: [1, 2] },
      provenance: p,
      tables: { 'errors.csv': 'a,b\n1,2\n', 'errors.md': '| a |' },
      figures: { loss: fig },
      extraFiles: { 'notes/readme.txt': 'hi' },
    });
    const m = readMetrics(dir);
    assert.deepEqual(Object.keys(m).slice(0, 5), ['experiment', 'paper', 'section', 'scale', 'provenance']);
    assert.equal(m.mse, 0.5);
    assert.deepEqual(m.provenance, p);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'provenance.json'), 'utf8')), p);
    assert.equal(fs.readFileSync(path.join(dir, 'errors.csv'), 'utf8'), 'a,b\n1,2\n');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'figures', 'loss.json'), 'utf8')), fig);
    assert.equal(fs.readFileSync(path.join(dir, 'notes', 'readme.txt'), 'utf8'), 'hi');
    fs.rmSync(dir, { recursive: true });
  });

  it('validates everything before writing anything', () => {
    const p = provenance();
    const cases: [string, Parameters<typeof writeResults>[1], RegExp][] = [
      ['NaN metric', { metrics: { loss: [1, NaN] }, provenance: p }, /metrics\.loss\[1\] is NaN/],
      ['Infinity in a figure', { metrics: {}, provenance: p, figures: { f: { data: [{ y: [Infinity] }], layout: {} } } }, /figures\.f\.data\[0\]\.y\[0\] is Infinity/],
      ['typed array', { metrics: { w: new Float64Array(2) }, provenance: p }, /typed array/],
      ['undefined value', { metrics: { w: undefined }, provenance: p }, /metrics\.w is undefined/],
      ['header collision', { metrics: { scale: 'x' }, provenance: p }, /would shadow/],
      ['table extension', { metrics: {}, provenance: p, tables: { 't.txt': '' } }, /must end in \.csv or \.md/],
      ['escaping path', { metrics: {}, provenance: p, extraFiles: { '../x': '' } }, /inside the result directory/],
      ['bad figure name', { metrics: {}, provenance: p, figures: { 'a/b': { data: [], layout: {} } } }, /figure name/],
    ];
    for (const [what, set, pattern] of cases) {
      const dir = tmpDir();
      assert.throws(() => writeResults(dir, set), (e: unknown) => e instanceof DataError && pattern.test(e.message), what);
      assert.deepEqual(fs.readdirSync(dir), [], `${what}: nothing written`);
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('readMetrics names the file when it is missing or malformed', () => {
    const dir = tmpDir();
    assert.throws(() => readMetrics(dir), /metrics\.json: no metrics\.json here/);
    fs.writeFileSync(path.join(dir, 'metrics.json'), '{"experiment": ');
    assert.throws(() => readMetrics(dir), /metrics\.json: not valid JSON/);
    fs.writeFileSync(path.join(dir, 'metrics.json'), '{"experiment": "x"}');
    assert.throws(() => readMetrics(dir), /missing header field\(s\) paper, section, scale, provenance/);
    fs.rmSync(dir, { recursive: true });
  });
});
