import { strict as assert } from 'assert';
import { intrinsicDimension, pca } from '../../src/analysis/pca';
import { levinaBickelDimension, twoNearestNeighbourDimension } from '../../src/analysis/intrinsicDimension';
import { DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';

const rng = createRng(2301);
const sample = (n: number, point: () => number[]) => Array.from({ length: n }, point);

describe('analysis/intrinsicDimension (TwoNN and Levina–Bickel)', () => {
  it('a bent one-parameter curve in 4-D is one-dimensional, where linear PCA at 99 % counts more', () => {
    const curve = sample(300, () => {
      const t = rng.uniformIn(0, 1);
      return [t, t * t, t ** 3, Math.sin(3 * t)];
    });
    const twoNN = twoNearestNeighbourDimension(curve);
    assert.ok(Math.abs(twoNN.dimension - 1) < 0.15, `TwoNN ${twoNN.dimension}`);
    assert.ok(Math.abs(levinaBickelDimension(curve, 10).dimension - 1) < 0.15);
    assert.ok(intrinsicDimension(pca(curve).explainedVarianceRatio) >= 2, 'PCA is fooled by the bend');
  });

  it('a circle is one-dimensional, a Swiss roll two, a filled cube three', function () {
    this.timeout(60000);
    const circle = sample(300, () => {
      const a = rng.uniformIn(0, 2 * Math.PI);
      return [Math.cos(a), Math.sin(a)];
    });
    const roll = sample(600, () => {
      const t = rng.uniformIn(1.5 * Math.PI, 4.5 * Math.PI);
      return [t * Math.cos(t), rng.uniformIn(0, 10), t * Math.sin(t)];
    });
    const cube = sample(600, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
    for (const [points, d, tol] of [[circle, 1, 0.15], [roll, 2, 0.25], [cube, 3, 0.4]] as const) {
      const e = twoNearestNeighbourDimension(points);
      assert.ok(Math.abs(e.dimension - d) < tol, `TwoNN ${e.dimension} for d = ${d}`);
      assert.ok(Math.abs(e.standardError - e.dimension / Math.sqrt(points.length)) < 1e-12);
      assert.ok(Math.abs(levinaBickelDimension(points, 10).dimension - d) < tol, `Levina–Bickel for d = ${d}`);
    }
  });

  it('with as few points as an iMODE family has, the curve stays nearer 1 than 2 (within two standard errors)', () => {
    const few = sample(16, () => {
      const t = rng.uniformIn(0, 1);
      return [t, t * t, t ** 3, Math.sin(3 * t)];
    });
    const e = twoNearestNeighbourDimension(few);
    assert.ok(Math.abs(e.dimension - 1) < 2 * e.standardError, `${e.dimension} ± ${e.standardError}`);
  });

  it('refuses too few points, ragged or non-finite rows, repeated points and a bad k, naming the problem', () => {
    assert.throws(() => twoNearestNeighbourDimension([[0], [1]]), (e: Error) => e instanceof DataError && /at least 3 points, got 2/.test(e.message));
    assert.throws(() => twoNearestNeighbourDimension([[0, 0], [1], [2, 2]]), /point 1 has 1 coordinates/);
    assert.throws(() => twoNearestNeighbourDimension([[0], [NaN], [2]]), /point 1 has a coordinate that is not finite/);
    assert.throws(() => twoNearestNeighbourDimension([[0], [1], [1], [3]]), /point 1 is repeated/);
    assert.throws(() => levinaBickelDimension([[0], [1], [2]], 1), /integer k ≥ 2, got 1/);
    assert.throws(() => levinaBickelDimension([[0], [1], [2]], 5), /at least 6 points/);
  });
});
