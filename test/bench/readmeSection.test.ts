import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { benchReadmeSection, comparisonTable, experimentStepsTable, matMulLine, reproduceWallTimeLine } from '../../src/bench/readmeSection';
import { DataError } from '../../src/core/errors';
import { tmpDir } from '../helpers/tmpDir';

const STAMP = { gitRevision: 'abcdef0123456789', gitDirty: false, measuredAt: '2026-11-30T10:00:00.000Z' };
const METRICS_HEADER = { experiment: 'x', paper: 'p', section: 's', scale: 'default', provenance: {} };

function write(dir: string, file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value));
}

describe('bench/readmeSection', () => {
  it('without results it says how to make them', () => {
    assert.equal(benchReadmeSection(tmpDir('metadyn-bench-empty-')), '_No benchmark results yet: run `npm run bench -- --compare`._');
  });

  it('tabulates ours against PyTorch from the JSON, with the baseline ratio and the revision beside, and skips absent workloads', () => {
    const dir = tmpDir('metadyn-bench-');
    write(dir, 'hnn.json', { ...STAMP, workload: 'HNN step', medianMs: 30.44, minMs: 9.5, repetitions: 200, torch: { medianMs: 7.6, minMs: 2.1, ratio: 4.005, ratioOfMins: 4.52 }, profile: { kernels: 271, matMulKernels: 27, matMulMs: 15.2 } });
    write(dir, 'baseline/hnn.json', { ...STAMP, workload: 'HNN step', medianMs: 50, minMs: 20, repetitions: 10, torch: { medianMs: 10, minMs: 5, ratio: 5, ratioOfMins: 4 } });
    write(dir, 'imode-rk4.json', { ...STAMP, gitDirty: true, workload: 'iMODE step', medianMs: 2243.4, minMs: 1531, repetitions: 5, torch: null });
    const t = comparisonTable(dir);
    assert.ok(t);
    assert.deepEqual(t.columns, ['workload', 'ours ms, median / min', 'PyTorch ms, median / min', 'ratio ours / PyTorch, medians / minima', 'one profiled step of ours', 'ratio in results/bench/baseline/', 'revision, date']);
    assert.deepEqual(t.rows, [
      ['`hnn`: HNN step', '30.4 / 9.5', '7.6 / 2.1', '4.0 / 4.5', "271 kernels; 27 matMuls take 15.2 ms = 2.0 × PyTorch's step", '5.0 / 4.0', 'abcdef0, 2026-11-30'],
      ['`imode-rk4`: iMODE step', '2243 / 1531', 'not run', '—', '—', '—', 'abcdef0 (dirty), 2026-11-30'],
    ]);
    assert.equal(experimentStepsTable(dir), null);
    write(dir, 'imode-pendulum-paper-outer-iteration.json', { ...STAMP, workload: 'paper', medianMs: 778, minMs: 590, repetitions: 5, estimatedMetaTrainingSeconds: { fromMedian: 155.6, fromMin: 118, outerIterations: 200 } });
    assert.deepEqual(experimentStepsTable(dir)?.rows, [["iMODE pendulum outer iteration at the authors' scale", '778 / 590', '—', '× 200 iterations ≈ 156 s (from the minimum 118 s)', 'abcdef0, 2026-11-30']]);
  });

  it('with PyTorch run at several thread counts, gives its time and the ratio per thread count; an older result fills its own thread count', () => {
    const dir = tmpDir('metadyn-bench-threads-');
    const at = (threads: number, medianMs: number, minMs: number) => ({ threads, medianMs, minMs, ratio: 12 / medianMs, ratioOfMins: 6 / minMs });
    write(dir, 'hnn-rank1.json', { ...STAMP, workload: 'rank-one step', medianMs: 12, minMs: 6, repetitions: 100, torch: at(1, 4, 3), torchByThreads: { '1': at(1, 4, 3), '2': at(2, 2.5, 2) }, profile: { kernels: 943, matMulKernels: 64, matMulMs: 6 } });
    write(dir, 'hnn.json', { ...STAMP, workload: 'HNN step', medianMs: 7.1, minMs: 6.5, repetitions: 200, torch: { medianMs: 2.2, minMs: 2.1, ratio: 3.2, ratioOfMins: 3.1, threads: 1 } });
    write(dir, 'imode-rk4.json', { ...STAMP, workload: 'iMODE step', medianMs: 712, minMs: 650, repetitions: 10, torch: null });
    const t = comparisonTable(dir);
    assert.ok(t);
    assert.deepEqual(t.columns, [
      'workload',
      'ours ms, median / min',
      'PyTorch ms (1 thread), median / min',
      'ratio ours / PyTorch (1 thread), medians / minima',
      'PyTorch ms (2 threads), median / min',
      'ratio ours / PyTorch (2 threads), medians / minima',
      'one profiled step of ours',
      'ratio in results/bench/baseline/',
      'revision, date',
    ]);
    assert.deepEqual(t.rows, [
      ['`hnn`: HNN step', '7.1 / 6.5', '2.2 / 2.1', '3.2 / 3.1', 'not run', '—', '—', '—', 'abcdef0, 2026-11-30'],
      ['`hnn-rank1`: rank-one step', '12 / 6', '4 / 3', '3.0 / 2.0', '2.5 / 2', '4.8 / 3.0', "943 kernels; 64 matMuls take 6 ms = 1.5 × PyTorch's step (1 thread)", '—', 'abcdef0, 2026-11-30'],
      ['`imode-rk4`: iMODE step', '712 / 650', 'not run', '—', 'not run', '—', '—', '—', 'abcdef0, 2026-11-30'],
    ]);
    // the same results without torchByThreads render as before: one PyTorch column pair
    write(dir, 'hnn-rank1.json', { ...STAMP, workload: 'rank-one step', medianMs: 12, minMs: 6, repetitions: 100, torch: at(1, 4, 3) });
    assert.deepEqual(comparisonTable(dir)?.columns.slice(2, 4), ['PyTorch ms, median / min', 'ratio ours / PyTorch, medians / minima']);
    assert.deepEqual(comparisonTable(dir)?.rows[1], ['`hnn-rank1`: rank-one step', '12 / 6', '4 / 3', '3.0 / 2.0', '—', '—', 'abcdef0, 2026-11-30']);
  });

  it('a corrupt result file is a DataError naming the file, not a silently missing row', () => {
    const dir = tmpDir('metadyn-bench-bad-');
    write(dir, 'hnn.json', '{ not json');
    assert.throws(() => comparisonTable(dir), (e: unknown) => e instanceof DataError && /hnn\.json/.test(`${(e as Error).message} ${JSON.stringify(e)}`));
  });

  it('states the wall time of the committed results from their provenance: span and sum, revisions, missing ones', () => {
    const dir = tmpDir('metadyn-walltime-');
    assert.equal(reproduceWallTimeLine(dir, ['a', 'b']), null);
    write(dir, 'a/provenance.json', { startedAt: '2026-11-30T12:00:00.000Z', finishedAt: '2026-11-30T12:10:00.000Z', wallSeconds: 600, gitRevision: 'abcdef0123', gitDirty: false });
    write(dir, 'b/provenance.json', { startedAt: '2026-11-30T12:01:00.000Z', finishedAt: '2026-11-30T12:31:00.000Z', wallSeconds: 1800, gitRevision: 'abcdef0123', gitDirty: false });
    assert.equal(
      reproduceWallTimeLine(dir, ['a', 'b', 'c']),
      'Wall time of the committed default-scale results (2 of 3 experiments; missing: c): 31.0 min from the first start to the last finish, 40.0 min summed over the experiments; revision abcdef0.',
    );
    write(dir, 'c/provenance.json', { startedAt: '2026-11-30T14:00:00.000Z', finishedAt: '2026-11-30T14:05:00.000Z', wallSeconds: 300, gitRevision: '1234567abc', gitDirty: false });
    assert.equal(
      reproduceWallTimeLine(dir, ['a', 'b', 'c']),
      'Wall time of the committed default-scale results (3 of 3 experiments): 45.0 min summed over the experiments; written by runs at revisions abcdef0, 1234567, so no single run\'s span.',
    );
    write(dir, 'c/metrics.json', { ...METRICS_HEADER, metaTrainSeconds: 900, gaugeModel: { metaTrainSeconds: 60 } });
    write(dir, 'a/metrics.json', { ...METRICS_HEADER, metaTrainSeconds: 500, gaugeModel: null });
    assert.equal(
      reproduceWallTimeLine(dir, ['a', 'b', 'c']),
      'Wall time of the committed default-scale results (3 of 3 experiments): 45.0 min summed over the experiments (c reused trained checkpoints of an earlier run of the same training config; counting the 16.0 min of meta-training their metrics.json record, 61.0 min); written by runs at revisions abcdef0, 1234567, so no single run\'s span.',
    );
    write(dir, 'c/provenance.json', { startedAt: 'yesterday', finishedAt: '2026-11-30T12:31:00.000Z', wallSeconds: 1 });
    assert.throws(() => reproduceWallTimeLine(dir, ['a', 'c']), (e: unknown) => e instanceof DataError && /c\/provenance\.json/.test(JSON.stringify(e)));
  });

  it('states the raw matrix-product speed of both sides from matmul.json, or nothing without it', () => {
    const dir = tmpDir('metadyn-matmul-');
    assert.equal(matMulLine(dir), null);
    write(dir, 'matmul.json', { products: [{ shape: [256, 100, 100], ours: { gflops: 25.04 }, torch: { gflops: 46.5 } }, { shape: [40, 32, 32], ours: { gflops: 8.1 }, torch: null }] });
    assert.equal(matMulLine(dir), 'One float32 matrix product, one thread, GFLOP/s (`matmul.json`): [256, 100] × [100, 100] ours 25, PyTorch 46.5; [40, 32] × [32, 32] ours 8.1.');
  });
});
