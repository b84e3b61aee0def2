import { strict as assert } from 'assert';
import { initBackend } from '../../src/core/backend';
import { DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { type GaugeEntry, type LatentPoint, analyseLatents, gaugeLatents, gaugeTable, latentFigures, leaveOneOutGauge, medianGaugeError } from '../../src/experiments/imodeLatent';

/** η = a smooth curve of the physical parameter embedded in 4-D, plus noise of size `noise`. */
function curvePoints(params: number[], split: LatentPoint['split'], noise: number, seed: number): LatentPoint[] {
  const rng = createRng(seed);
  return params.map((L) => {
    const s = Math.log(L);
    return { label: `L=${L}`, split, params: [L], eta: [s, 0.5 * s, -0.3 * s, 0.2 * s].map((v) => v + noise * rng.normal()) };
  });
}

describe('experiments/imodeLatent', () => {
  before(async () => {
    await initBackend();
  });

  it('finds one dimension in a 4-D η that encodes one parameter, and gauges unseen values within 2 %', () => {
    const points = [...curvePoints([1, 2, 3, 4, 5, 6, 7, 8, 9], 'train', 1e-4, 1), ...curvePoints([2.5, 4.5, 7.5], 'interpolate', 1e-4, 2)];
    const a = analyseLatents(points, createRng(3), { threshold: 0.99, gauge: { iterations: 400 } });
    assert.equal(a.physicalDimension, 1);
    assert.equal(a.intrinsicDimension, 1);
    assert.equal(a.spectralGapDimension, 1);
    assert.equal(a.gauge.length, 3);
    for (const g of a.gauge) assert.ok(g.relError < 0.02, `${g.label}: gauged ${g.predicted[0]} (${(100 * g.relError).toFixed(2)} %)`);
    assert.equal(a.projected.length, points.length);
  });

  it('reports a second dimension when η carries an independent second signal', () => {
    const rng = createRng(4);
    const points: LatentPoint[] = Array.from({ length: 12 }, (_, i) => ({
      label: `${i}`,
      split: 'train',
      params: [1 + i],
      eta: [Math.log(1 + i), rng.normal(), 0, 0],
    }));
    const a = analyseLatents(points, createRng(5), { threshold: 0.99, gauge: { iterations: 50 } });
    assert.ok(a.intrinsicDimension >= 2, `intrinsic dimension ${a.intrinsicDimension}`);
  });

  it('gauges from other η alone (here a second model whose η is log L), where the leading component of the first η cannot', () => {
    // The first points carry L in their SECOND component under a larger nuisance first one: the gauge on their leading
    // component cannot work; the second model's η encode L alone.
    const rng = createRng(11);
    const noisy = (L: number, split: LatentPoint['split']): LatentPoint => ({ label: `L=${L}`, split, params: [L], eta: [3 * rng.normal(), Math.log(L), 0, 0] });
    const clean = (L: number, split: LatentPoint['split']): LatentPoint => ({ label: `L=${L}`, split, params: [L], eta: [Math.log(L)] });
    const trainL = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const unseenL = [2.5, 4.5, 7.5];
    const points = [...trainL.map((L) => noisy(L, 'train')), ...unseenL.map((L) => noisy(L, 'interpolate'))];
    const gaugePoints = [...trainL.map((L) => clean(L, 'train')), ...unseenL.map((L) => clean(L, 'interpolate'))];
    const projected = analyseLatents(points, createRng(12), { threshold: 0.99, gauge: { iterations: 400 } });
    const retrained = gaugeLatents(gaugePoints, createRng(12), { iterations: 400 });
    assert.deepEqual(gaugeLatents(points, createRng(12), { iterations: 400 }), { gauge: projected.gauge, gaugeTrainLoss: projected.gaugeTrainLoss }, 'the analysis gauges as gaugeLatents does');
    assert.ok(Math.max(...projected.gauge.map((g) => g.relError)) > 0.1, 'the leading component alone does not determine L');
    for (const g of retrained.gauge) assert.ok(g.relError < 0.02, `${g.label}: gauged ${g.predicted[0]} (${(100 * g.relError).toFixed(2)} %)`);
  });

  it('left one out, a clean latent map gauges the training instances within 2 % (median), a scrambled one does not; too few or coinciding η give null', () => {
    const trainL = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const clean = curvePoints(trainL, 'train', 1e-4, 1);
    const unseen = curvePoints([2.5], 'interpolate', 1e-4, 2);
    const rng = () => createRng(3);
    const loo = leaveOneOutGauge([...clean, ...unseen], rng, { iterations: 400 }) as GaugeEntry[];
    assert.deepEqual(loo.map((e) => e.label), clean.map((p) => p.label), 'one entry per training instance, none for the unseen');
    assert.ok(loo.every((e) => e.split === 'train'));
    assert.ok((medianGaugeError(loo) as number) < 0.02, `clean: median ${medianGaugeError(loo)}`);
    const held = loo[4];
    const direct = gaugeLatents([...clean.filter((_, j) => j !== 4), { ...clean[4], split: 'interpolate' }], rng(), { iterations: 400 }).gauge[0];
    assert.deepEqual(held.predicted, direct.predicted, 'each entry is the gauge fitted without it, from a fresh rng');
    // η in a shuffled order of L: no smooth map, large errors left out
    const shuffled = clean.map((p, i) => ({ ...p, eta: clean[(i * 4) % 9].eta }));
    const bad = leaveOneOutGauge(shuffled, rng, { iterations: 400 }) as GaugeEntry[];
    assert.ok((medianGaugeError(bad) as number) > 0.1, `scrambled: median ${medianGaugeError(bad)}`);
    // η that coincide once one point is dropped cannot be standardised: the diagnostic is skipped, not the run
    const twins = clean.slice(0, 3).map((p, i) => ({ ...p, eta: i === 2 ? [1, 1, 1, 1] : [0, 0, 0, 0] }));
    assert.equal(leaveOneOutGauge(twins, rng, { iterations: 10 }), null);
    assert.equal(leaveOneOutGauge(clean.slice(0, 2), rng, { iterations: 10 }), null, 'two instances leave one, too few for a gauge');
    assert.equal(medianGaugeError(null), null);
  });

  it('the gauge table has one row per gauged instance with true and gauged values to 4 significant digits', () => {
    const entries = [{ label: 'a=1, b=2', split: 'interpolate' as const, params: [1, 0.00123456], predicted: [1.04, 0.00120001], relError: 0.04 }];
    const t = gaugeTable(entries, 'gauged (model with d_η = p)');
    assert.deepEqual(t.columns, ['instance', 'split', 'true', 'gauged (model with d_η = p)', 'relative error']);
    assert.deepEqual(t.rows, [['a=1, b=2', 'interpolate', '1.000, 0.001235', '1.040, 0.001200', 0.04]]);
    assert.equal(gaugeTable([]).rows.length, 0);
    assert.equal(gaugeTable(entries).columns[3], 'gauged');
  });

  it('refuses too few training instances for the gauge, naming the count', () => {
    const points = curvePoints([1], 'train', 0, 6);
    assert.throws(() => analyseLatents(points, createRng(7), { threshold: 0.99, gauge: {} }), (e: Error) => e instanceof DataError && /at least 2 training instances, got 1/.test(e.message));
  });

  it('names one projection and one parity figure per parameter', () => {
    const points = [...curvePoints([1, 3, 5, 7], 'train', 1e-3, 8), ...curvePoints([4], 'extrapolate', 1e-3, 9)];
    const a = analyseLatents(points, createRng(10), { threshold: 0.99, gauge: { iterations: 50 } });
    assert.deepEqual(Object.keys(latentFigures(points, a, ['L'], 0.99)).sort(), ['eta-pca', 'eta-projection', 'gauge-parity']);
  });
});
