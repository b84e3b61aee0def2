import { strict as assert } from 'assert';
import { DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { intrinsicDimension, pca, projectOnComponents, spectralGapDimension } from '../../src/analysis/pca';

function close(a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol;
}

describe('analysis/pca', () => {
  it('points on a line in 3-D: one component along the line, intrinsic dimension 1', () => {
    const dir = [1, 2, 2].map((v) => v / 3); // unit vector
    const rows = [-2, -1, 0.5, 1, 3].map((t) => [1 + t * dir[0], -1 + t * dir[1], 4 + t * dir[2]]);
    const r = pca(rows);
    assert.ok(close(r.explainedVarianceRatio[0], 1));
    assert.equal(intrinsicDimension(r.explainedVarianceRatio), 1);
    r.components[0].forEach((c, j) => assert.ok(close(c, dir[j]), 'sign fixed: largest entry positive'));
    assert.deepEqual(r.mean.map((m) => Math.round(m * 1e12) / 1e12), [1 + 0.3 * dir[0], -1 + 0.3 * dir[1], 4 + 0.3 * dir[2]].map((m) => Math.round(m * 1e12) / 1e12));
    // the projection on the first component is the line parameter minus its mean (0.3)
    r.projected.forEach((p, i) => assert.ok(close(p[0], [-2, -1, 0.5, 1, 3][i] - 0.3)));
  });

  it('points on a tilted plane in 5-D (with noise far below 1 %): intrinsic dimension 2', () => {
    const rng = createRng(3);
    const u = [1, 0, 1, 0, 0].map((v) => v / Math.SQRT2);
    const v = [0, 1, 0, 0, 1].map((x) => x / Math.SQRT2);
    const rows = Array.from({ length: 60 }, () => {
      const a = rng.normal() * 3;
      const b = rng.normal();
      return u.map((ui, j) => a * ui + b * v[j] + 1e-4 * rng.normal());
    });
    const r = pca(rows);
    assert.equal(intrinsicDimension(r.explainedVarianceRatio), 2);
    assert.equal(intrinsicDimension(r.explainedVarianceRatio, 0.8), 1);
    assert.ok(close(r.explainedVarianceRatio.reduce((s, x) => s + x, 0), 1, 1e-12));
    // components are orthonormal
    for (let i = 0; i < r.components.length; i++) {
      for (let k = 0; k < r.components.length; k++) {
        const dot = r.components[i].reduce((s, c, j) => s + c * r.components[k][j], 0);
        assert.ok(close(dot, i === k ? 1 : 0, 1e-9));
      }
    }
  });

  it('reproduces a hand-computed 2-D example', () => {
    // symmetric about the mean (1, 1): spread 2 along (1,1)/√2 and 1 along (1,−1)/√2 → variances ratio 4 : 1
    const s = Math.SQRT1_2;
    const rows = [
      [1 + 2 * s, 1 + 2 * s],
      [1 - 2 * s, 1 - 2 * s],
      [1 + s, 1 - s],
      [1 - s, 1 + s],
    ];
    const r = pca(rows);
    assert.ok(close(r.explainedVarianceRatio[0], 0.8) && close(r.explainedVarianceRatio[1], 0.2));
    assert.ok(close(r.components[0][0], s) && close(r.components[0][1], s));
    assert.ok(close(r.projected[0][0], 2) && close(r.projected[1][0], -2));
    assert.ok(close(Math.abs(r.projected[2][1]), 1) && close(r.projected[2][0], 0));
  });

  it('without centring, the first component points at the (shared) offset', () => {
    const r = pca([[3, 4], [6, 8]], { center: false });
    assert.deepEqual(r.mean, [0, 0]);
    assert.ok(close(r.components[0][0], 0.6) && close(r.components[0][1], 0.8));
    assert.ok(close(r.projected[1][0], 10));
  });

  it('zero variance gives ratios of 0 and dimension 0, never NaN', () => {
    const r = pca([[1, 2], [1, 2], [1, 2]]);
    assert.deepEqual(r.explainedVarianceRatio, [0, 0]);
    assert.equal(intrinsicDimension(r.explainedVarianceRatio), 0);
    assert.ok(r.projected.flat().every((x) => x === 0));
  });

  it('rejects degenerate or malformed input', () => {
    assert.throws(() => pca([[1, 2]]), /at least 2 rows/);
    assert.throws(() => pca([[1, 2], [1]]), /row 1 has 1 columns/);
    assert.throws(() => pca([[1, NaN], [1, 2]]), DataError);
    assert.throws(() => intrinsicDimension([0.5, 0.5], 0), /threshold/);
    assert.throws(() => intrinsicDimension([NaN]), DataError);
  });

  it('spectral-gap dimension: the largest drop between consecutive ratios, where the 99 % rule can overshoot', () => {
    const elbowAtOne = [0.989, 0.0102, 0.0007, 0.0001];
    assert.equal(intrinsicDimension(elbowAtOne), 2);
    assert.equal(spectralGapDimension(elbowAtOne), 1);
    assert.equal(spectralGapDimension([0.6, 0.39, 0.009, 0.001]), 2);
    // a noise-level tail (3e-4 / 1e-6) must not outbid the real drop after the first component
    assert.equal(spectralGapDimension([0.9928, 0.0069, 0.000296, 1.17e-6]), 1);
    assert.equal(spectralGapDimension([0.7, 0.3, 0, 0]), 2);
    assert.equal(spectralGapDimension([1]), 1);
    assert.equal(spectralGapDimension([0, 0]), 0);
    assert.throws(() => spectralGapDimension([0.5, Number.NaN]), /ratio \[1\] is NaN/);
  });

  it('projecting the fitted rows on the components reproduces the PCA’s own projections', () => {
    const rows = [[1, 2, 0], [3, 1, 1], [0, 0, 2], [2, 5, 1]];
    const r = pca(rows);
    rows.forEach((row, i) => projectOnComponents(row, r.mean, r.components).forEach((v, k) => assert.ok(Math.abs(v - r.projected[i][k]) < 1e-12)));
    assert.deepEqual(projectOnComponents([5, 5], [1, 2], [[1, 0], [0, -1]]), [4, -3]);
  });
});
