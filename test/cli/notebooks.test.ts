import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../src/core/errors';
import { SYSTEM_PYTHON } from '../../src/core/jupyter';
import { REPO_ROOT, defaultOutDir, parseRunArgs, parseScale } from '../../src/cli/commandLine';
import {
  NotebookRun,
  cellTimeoutSeconds,
  executeNotebook,
  formatNotebookSummary,
  formatRunLine,
  kernelFault,
  kernelProblem,
  runNotebooks,
} from '../../src/cli/notebookExecution';
import { describeCellFailure, formatCellFailure } from '../../src/cli/notebookFailures';
import { Notebook, lastWallSeconds, listNotebooks, longestFirst, notebookForId, selectNotebooks } from '../../src/cli/notebooks';
import { tmpDir } from '../helpers/tmpDir';


function writeNotebook(file: string, sources: string[]): void {
  const cells = sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, execution_count: null, metadata: {}, outputs: [], source }));
  const nb = { cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 };
  fs.writeFileSync(file, JSON.stringify(nb));
}

describe('cli/notebooks: file names and ids', () => {
  it('lists notebooks sorted by number and reports misnamed ones', () => {
    const dir = tmpDir('metadyn-list-');
    for (const f of ['10-spml-pendulum.ipynb', '02-imode-spring.ipynb', '01-imode-pendulum.ipynb', 'Untitled.ipynb', 'notes.md']) {
      fs.writeFileSync(path.join(dir, f), '{}');
    }
    const { notebooks, ignored } = listNotebooks(dir);
    assert.deepEqual(notebooks.map((n) => n.name), ['01-imode-pendulum', '02-imode-spring', '10-spml-pendulum']);
    assert.equal(notebooks[2].file, path.join(dir, '10-spml-pendulum.ipynb'));
    assert.deepEqual(ignored, ['Untitled.ipynb']);
    assert.deepEqual(listNotebooks(path.join(dir, 'missing')), { notebooks: [], ignored: [] });
  });

  it('refuses two notebooks with one experiment id', () => {
    const dir = tmpDir('metadyn-twin-');
    fs.writeFileSync(path.join(dir, '01-imode-pendulum.ipynb'), '{}');
    fs.writeFileSync(path.join(dir, '03-imode-pendulum.ipynb'), '{}');
    assert.throws(() => listNotebooks(dir), (e: Error) => e instanceof ConfigError && /01-imode-pendulum.*03-imode-pendulum/.test(e.message));
  });

  const notebooks: Notebook[] = [
    { number: 1, id: 'imode-pendulum', name: '01-imode-pendulum', file: '/r/notebooks/01-imode-pendulum.ipynb' },
    { number: 10, id: 'spml-gauge', name: '10-spml-gauge', file: '/r/notebooks/10-spml-gauge.ipynb' },
  ];

  it('maps an id or a full name to its notebook', () => {
    assert.equal(notebookForId('spml-gauge', notebooks), notebooks[1]);
    assert.equal(notebookForId('01-imode-pendulum', notebooks), notebooks[0]);
  });

  it('names the known ids when an id is unknown', () => {
    assert.throws(
      () => notebookForId('imode-spring', notebooks),
      (e: Error) => e instanceof ConfigError && e.message === "unknown experiment id 'imode-spring'; known ids: imode-pendulum, spml-gauge",
    );
    assert.throws(() => notebookForId('x', []), /known ids: \(none/);
  });

  it('selects in notebook order, all of them when no id is given', () => {
    assert.deepEqual(selectNotebooks(['spml-gauge', 'imode-pendulum'], notebooks), notebooks);
    assert.deepEqual(selectNotebooks([], notebooks), notebooks);
    assert.deepEqual(selectNotebooks(['10-spml-gauge'], notebooks), [notebooks[1]]);
  });
});

describe('cli/notebooks: arguments and scales', () => {
  it('accepts the three scales and names them on a bad one', () => {
    assert.equal(parseScale('paper'), 'paper');
    assert.throws(() => parseScale('full'), (e: Error) => e instanceof ConfigError && e.message === "--scale must be one of smoke, default, paper, converged, got 'full'");
  });

  it('parses --scale, --out and ids', () => {
    const a = parseRunArgs(['--scale', 'paper', 'imode-pendulum', '--out=out/x', 'spml-gauge'], 'default');
    assert.deepEqual(a, { scale: 'paper', outDir: path.resolve('out/x'), ids: ['imode-pendulum', 'spml-gauge'], jobs: os.availableParallelism() });
    assert.deepEqual(parseRunArgs([], 'default', 3), { scale: 'default', outDir: path.join(REPO_ROOT, 'results', 'notebooks'), ids: [], jobs: 3 });
    assert.equal(parseRunArgs(['--jobs', '1'], 'default').jobs, 1);
    assert.equal(parseRunArgs(['--scale', 'default', '--scale', 'smoke'], 'paper').scale, 'smoke');
  });

  it('rejects unknown options and missing values with the usage', () => {
    assert.throws(() => parseRunArgs(['--fast'], 'smoke'), (e: Error) => e instanceof ConfigError && /--fast.*usage: \[--scale smoke\|default\|paper\|converged\]/.test(e.message));
    assert.throws(() => parseRunArgs(['--scale'], 'smoke'), ConfigError);
    assert.throws(() => parseRunArgs(['--scale', 'huge'], 'smoke'), /got 'huge'/);
    assert.throws(() => parseRunArgs(['--jobs', '-1'], 'smoke'), ConfigError);
    for (const bad of ['0', '1.5', 'two']) assert.throws(() => parseRunArgs(['--jobs', bad], 'smoke'), /--jobs must be a positive integer/);
  });

  it('times out smoke cells only, and keeps smoke copies out of the tree', () => {
    assert.equal(cellTimeoutSeconds('smoke'), 600);
    assert.equal(cellTimeoutSeconds('default'), 0);
    assert.equal(cellTimeoutSeconds('paper'), 0);
    assert.equal(defaultOutDir('smoke'), path.join(os.tmpdir(), `metadyn-smoke-${process.pid}`));
    assert.equal(defaultOutDir('paper', '/repo'), path.join('/repo', 'results', 'notebooks'));
  });
});

describe('cli/notebooks: failure reports', () => {
  it("reads a tslab runtime error from the cell's stderr", () => {
    const stderr =
      'progress 3/10\nevalmachine.<anonymous>:6\nthrow new ConfigError(msg);\n^\n\n' +
      'ConfigError: latentDim must be a positive integer, got -3 (config.latentDim)\n    at evalmachine.<anonymous>:6:7\n';
    const f = describeCellFailure({ status: 'failed', cellIndex: 4, firstLine: 'const cfg = {', ename: '<Error>', evalue: '', traceback: [], stderr });
    assert.equal(f.ename, 'ConfigError');
    assert.equal(f.evalue, 'latentDim must be a positive integer, got -3 (config.latentDim)');
    assert.equal(f.details, stderr.trimEnd());
    assert.equal(
      formatCellFailure('notebooks/01-imode-pendulum.ipynb', f),
      'FAILED notebooks/01-imode-pendulum.ipynb cell 4 (const cfg = {): ConfigError: latentDim must be a positive integer, got -3 (config.latentDim)',
    );
  });

  it('recognises a plain Error and a dotted error name', () => {
    const plain = describeCellFailure({ status: 'failed', ename: '<Error>', stderr: "x:2\nthrow new Error('boom');\n^\n\nError: boom\n    at x:2:7\n" });
    assert.deepEqual([plain.ename, plain.evalue], ['Error', 'boom']);
    const dotted = describeCellFailure({ status: 'failed', ename: '<Error>', stderr: 'tf.errors.InvalidArgumentError: bad shape\n' });
    assert.deepEqual([dotted.ename, dotted.evalue], ['tf.errors.InvalidArgumentError', 'bad shape']);
  });

  it('reports tslab compile diagnostics as CompileError', () => {
    const f = describeCellFailure({
      status: 'failed', cellIndex: 0, firstLine: 'let y: number = "a";', ename: '<Error>', evalue: '',
      stderr: "1:5 - Type 'string' is not assignable to type 'number'.\n2:1 - Cannot find name 'z'.\n",
    });
    assert.equal(f.ename, 'CompileError');
    assert.equal(f.evalue, "1:5 - Type 'string' is not assignable to type 'number'.; 2:1 - Cannot find name 'z'.");
  });

  it('falls back to the last stderr line for a thrown non-Error, and says when there is none', () => {
    assert.equal(describeCellFailure({ status: 'failed', ename: '<Error>', stderr: 'plain string\n' }).evalue, 'plain string');
    assert.match(describeCellFailure({ status: 'failed', ename: '<Error>', stderr: '' }).evalue, /no message/);
  });

  it("keeps a kernel's own ename/evalue and strips ANSI colours from its traceback", () => {
    const f = describeCellFailure({
      status: 'failed', cellIndex: 2, ename: 'CellTimeoutError', evalue: 'Cell execution timed out', traceback: ['\u001b[31mline one\u001b[0m', 'line two'],
    });
    assert.deepEqual([f.ename, f.evalue, f.details], ['CellTimeoutError', 'Cell execution timed out', 'line one\nline two']);
  });

  it('formats run lines and the notebook summary', () => {
    const notebook: Notebook = { number: 1, id: 'imode-pendulum', name: '01-imode-pendulum', file: '/x' };
    assert.equal(formatRunLine({ ok: true, seconds: 12.34, notebook }), 'ok   01-imode-pendulum (12.3 s)');
    assert.equal(formatRunLine({ ok: false, seconds: 3, notebook }), 'FAIL 01-imode-pendulum (3.0 s)');
    assert.equal(formatNotebookSummary([{ ok: true }, { ok: false }, { ok: true }]), '2 notebooks passed, 1 failed');
    assert.equal(formatNotebookSummary([]), '0 notebooks passed, 0 failed');
  });
});

describe('cli/notebooks: kernel and execution', function () {
  this.timeout(60000);

  it('says to run setup when the kernel is not registered or points nowhere', () => {
    const root = tmpDir('metadyn-root-');
    assert.match(kernelProblem(root) ?? '', /not registered.*run: npm run setup/);
    const specDir = path.join(root, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab');
    fs.mkdirSync(specDir, { recursive: true });
    fs.writeFileSync(path.join(specDir, 'kernel.json'), JSON.stringify({ argv: ['/nowhere/tslab', 'kernel'] }));
    assert.match(kernelProblem(root) ?? '', /'\/nowhere\/tslab', which does not exist/);
  });

  it('reports a missing kernel as a failed run without starting Python', async () => {
    const root = tmpDir('metadyn-nokernel-');
    const notebook: Notebook = { number: 1, id: 'x', name: '01-x', file: path.join(root, '01-x.ipynb') };
    const run = await executeNotebook(notebook, { scale: 'smoke', outDir: path.join(root, 'out'), root });
    assert.equal(run.ok, false);
    assert.match(run.error ?? '', /npm run setup/);
  });

  it('orders notebooks longest first by the last run wall time, never-run ones first, ties by number', () => {
    const root = tmpDir('metadyn-walltime-');
    const nb = (n: number, id: string): Notebook => ({ number: n, id, name: `0${n}-${id}`, file: '' });
    const notebooks = [nb(1, 'a'), nb(2, 'b'), nb(3, 'c'), nb(4, 'd'), nb(5, 'e')];
    const write = (id: string, body: object) => {
      fs.mkdirSync(path.join(root, 'results', id), { recursive: true });
      fs.writeFileSync(path.join(root, 'results', id, 'provenance.json'), JSON.stringify(body));
    };
    write('a', { wallSeconds: 80 });
    write('b', { wallSeconds: 300 });
    write('c', { wallSeconds: 80 });
    write('e', { startedAt: 'x' });
    assert.equal(lastWallSeconds(notebooks[1], root), 300);
    // a run that reused finished checkpoints: its recorded meta-training is added (it exceeds the wall time)
    fs.writeFileSync(path.join(root, 'results', 'c', 'metrics.json'), JSON.stringify({ experiment: 'c', paper: 'p', section: 's', scale: 'default', provenance: {}, metaTrainSeconds: 200, gaugeModel: { metaTrainSeconds: 40 } }));
    assert.equal(lastWallSeconds(notebooks[2], root), 320);
    fs.writeFileSync(path.join(root, 'results', 'a', 'metrics.json'), JSON.stringify({ experiment: 'a', paper: 'p', section: 's', scale: 'default', provenance: {}, metaTrainSeconds: 50 }));
    assert.equal(lastWallSeconds(notebooks[0], root), 80);
    assert.equal(lastWallSeconds(notebooks[3], root), null);
    assert.equal(lastWallSeconds(notebooks[4], root), null);
    assert.deepEqual(longestFirst(notebooks, (n) => lastWallSeconds(n, root)).map((n) => n.id), ['d', 'e', 'c', 'b', 'a']);
  });

  it('runs notebooks N at a time, returns them in the given order and logs each one, failures included', async () => {
    const root = tmpDir('metadyn-pool-');
    const notebooks: Notebook[] = [3, 1, 2, 5, 4].map((n) => ({ number: n, id: `x${n}`, name: `0${n}-x${n}`, file: path.join(root, `0${n}-x${n}.ipynb`) }));
    for (const jobs of [1, 2, 8]) {
      const lines: string[] = [];
      const runs = await runNotebooks(notebooks, { scale: 'smoke', outDir: path.join(root, 'out'), root }, (l) => lines.push(l), jobs);
      assert.deepEqual(runs.map((r) => r.notebook.id), ['x3', 'x1', 'x2', 'x5', 'x4']);
      assert.ok(runs.every((r) => !r.ok && /npm run setup/.test(r.error ?? '')));
      assert.equal(lines.filter((l) => l.startsWith('FAIL ')).length, 5);
    }
    await assert.rejects(runNotebooks(notebooks, { scale: 'smoke', outDir: root, root }, () => undefined, 0), /jobs must be a positive integer, got 0/);
  });

  it('retries a notebook once when its kernel did not start or died, and never a notebook whose cell failed', async () => {
    const notebooks: Notebook[] = ['a', 'b', 'c', 'd'].map((id, i) => ({ number: i + 1, id, name: `0${i + 1}-${id}`, file: `${id}.ipynb` }));
    const noStart = "could not run the notebook: RuntimeError: Kernel didn't respond in 60 seconds";
    const died = { cellIndex: 14, firstLine: 'showTable(t);', ename: 'DeadKernelError', evalue: 'Kernel died', details: '' };
    assert.equal(kernelFault({ ok: false, error: noStart }), 'its kernel did not start');
    assert.equal(kernelFault({ ok: false, error: 'could not run the notebook: RuntimeError: Kernel died before replying to kernel_info' }), 'its kernel did not start');
    assert.equal(kernelFault({ ok: false, failure: died }), 'its kernel died in cell 14');
    assert.equal(kernelFault({ ok: false, error: 'notebook driver exited with code 2 without a report (is Jupyter installed? run: npm run setup)' }), null);
    assert.equal(kernelFault({ ok: false, failure: { ...died, ename: 'Error', evalue: 'boom' } }), null);
    assert.equal(kernelFault({ ok: true }), null);
    // a: the kernel fails to start once, then runs; b: a cell fails; c: the kernel never starts; d: the kernel dies once.
    const calls: string[] = [];
    const fake = async (n: Notebook): Promise<NotebookRun> => {
      calls.push(n.id);
      const base = { notebook: n, seconds: 1, outFile: n.file };
      const first = calls.filter((c) => c === n.id).length === 1;
      if (n.id === 'a') return first ? { ...base, ok: false, error: noStart } : { ...base, ok: true };
      if (n.id === 'b') return { ...base, ok: false, failure: { cellIndex: 2, firstLine: 'boom()', ename: 'Error', evalue: 'boom', details: '' } };
      if (n.id === 'd') return first ? { ...base, ok: false, failure: died } : { ...base, ok: true };
      return { ...base, ok: false, error: noStart };
    };
    const lines: string[] = [];
    const runs = await runNotebooks(notebooks, { scale: 'smoke', outDir: 'unused' }, (l) => lines.push(l), 1, fake);
    assert.deepEqual(calls, ['a', 'a', 'b', 'c', 'c', 'd', 'd']);
    assert.deepEqual(runs.map((r) => r.ok), [true, false, false, true]);
    assert.equal(lines.filter((l) => l.startsWith('retry ')).length, 3);
    assert.match(lines[0], /^retry a: its kernel did not start/);
    assert.ok(lines.some((l) => /^retry d: its kernel died in cell 14 \(DeadKernelError: Kernel died\)/.test(l)), lines.join('\n'));
  });

  it('executes a real notebook and names the first failing cell (skipped without the kernel)', async function () {
    const problem = kernelProblem() ?? (fs.existsSync(SYSTEM_PYTHON) ? null : `${SYSTEM_PYTHON} missing`);
    if (problem) {
      console.log(`      skipped: ${problem}`);
      this.skip();
    }
    const dir = tmpDir('metadyn-exec-');
    const file = path.join(dir, '01-exec-check.ipynb');
    writeNotebook(file, ['1+1', "throw new Error('boom at ' + process.env.METADYN_SCALE)", '3+3']);
    const notebook: Notebook = { number: 1, id: 'exec-check', name: '01-exec-check', file };
    const run = await executeNotebook(notebook, { scale: 'smoke', outDir: path.join(dir, 'out') });
    assert.equal(run.ok, false, JSON.stringify(run));
    assert.equal(run.failure?.cellIndex, 1);
    assert.equal(run.failure?.ename, 'Error');
    assert.equal(run.failure?.evalue, 'boom at smoke');
    const executed = JSON.parse(fs.readFileSync(run.outFile, 'utf8'));
    // tslab prints a cell's last value on stdout; nbformat may store stream text as a list of lines
    assert.equal([executed.cells[0].outputs[0].text].flat().join(''), '2\n');
    assert.deepEqual(executed.cells[2].outputs, [], 'cells after the failure do not run');
  });
});
