import { strict as assert } from 'assert';
import { ConfigError, DataError } from '../../src/core/errors';
import {
  SsimOptions,
  degeneracyResiduals,
  energyDrift,
  fieldComponentImage,
  fieldSsim,
  finiteOrNull,
  meanStd,
  meanStdJson,
  median,
  relativeFieldError,
  firstThirdSamples,
  relativeTrajectoryError,
  trajectoryErrorByHorizon,
  ssim,
  vectorFieldGrid,
} from '../../src/analysis/metrics';

const close = (a: number, b: number, tol: number, what = '') =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);
const image = (rows: number, cols: number, f: (i: number, j: number) => number) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));

// A smooth 20×24 test pair (non-square, to catch a transposed window) and its SSIM as computed by skimage's
// recipe (scipy.ndimage gaussian_filter(sigma=1.5, truncate=3.5) / uniform_filter(size=7) with mode 'reflect',
// then the mean over the map cropped by (win − 1)/2), run with numpy 2.4.6 / scipy 1.17.1 on this machine:
//   gaussian, use_sample_covariance=False: 0.5249515627487605;  uniform 7, sample covariance: 0.5575223286070858
const refImage1 = image(20, 24, (i, j) => Math.sin(0.3 * i) + Math.cos(0.2 * j) + 0.01 * i * j);
const refImage2 = image(20, 24, (i, j) => refImage1[i][j] + 0.3 * Math.sin(0.7 * i + 0.5 * j) - 0.002 * j * j);
const refRange = 4.705456706262062; // max − min of refImage1

describe('metrics: relative errors, drift, mean ± std, degeneracy', () => {
  it('relativeFieldError is ‖F̂ − F‖/‖F‖ over all points and components', () => {
    assert.equal(relativeFieldError([[3, 5]], [[3, 4]]), 1 / 5);
    const truth = [Float64Array.of(1, 2), Float64Array.of(-2, 0)];
    const predicted = [Float64Array.of(1, 1), Float64Array.of(-2, 2)];
    close(relativeFieldError(predicted, truth), Math.sqrt(5 / 9), 1e-15);
    assert.equal(relativeFieldError(truth, truth), 0);
    assert.throws(() => relativeFieldError([[1, 2]], [[1, 2], [3, 4]]), DataError);
    assert.throws(() => relativeFieldError([[1]], [[1, 2]]), /row 0 has 1 components predicted, 2 true/);
    const zeroTruth = (e: Error) => e instanceof DataError && /all zero/.test(e.message);
    assert.throws(() => relativeFieldError([[1, 2]], [[0, 0]]), zeroTruth);
    assert.ok(Number.isNaN(relativeFieldError([[Number.NaN, 0]], [[1, 0]])));
  });

  it('relativeTrajectoryError averages per-trajectory relative errors (not one pooled norm)', () => {
    const small = [[0.1, 0], [0.1, 0]];
    const smallPredicted = [[0.2, 0], [0.2, 0]]; // relative error 1
    const large = [[10, 0], [10, 0]];
    const largePredicted = [[10, 0], [10, 0]]; // relative error 0
    assert.equal(relativeTrajectoryError([smallPredicted, largePredicted], [small, large]), 0.5);
    assert.throws(() => relativeTrajectoryError([], []), DataError);
    assert.throws(() => relativeTrajectoryError([small], [small, large]), DataError);
    assert.throws(() => relativeTrajectoryError([[[1, 0]]], [small]), /trajectory 0/);
  });

  it('trajectoryErrorByHorizon is ε_traj over growing prefixes: ends at ε_traj, and grows like t for a frequency error', () => {
    // unit orbit x = (cos ωt, −sin ωt) against a rollout at frequency (1 + δ)ω: |x̂(t_i) − x(t_i)| = 2 sin(δωt_i/2)
    // ≈ δω·i·dt, so over the first n samples (‖X‖ = √n) ε_traj ≈ δω·dt·√((n − 1)(2n − 1)/6), growing like t
    const omega = 2;
    const delta = 0.01;
    const times = Array.from({ length: 31 }, (_, i) => i * 0.1);
    const orbit = (w: number) => times.map((t) => [Math.cos(w * t), -Math.sin(w * t)]);
    const curve = trajectoryErrorByHorizon([orbit(omega * (1 + delta))], [orbit(omega)]);
    assert.equal(curve.length, 30);
    assert.equal(curve[29], relativeTrajectoryError([orbit(omega * (1 + delta))], [orbit(omega)]));
    curve.slice(1).forEach((e, i) => assert.ok(e > curve[i], `grows at ${i + 1}`));
    const phaseDrift = (n: number) => delta * omega * 0.1 * Math.sqrt(((n - 1) * (2 * n - 1)) / 6);
    close(curve[29], phaseDrift(31), 1e-3 * curve[29], 'full horizon');
    close(curve[9], phaseDrift(11), 1e-3 * curve[9], 'first third');
    // entry k − 2 compares the first k samples only: a trajectory wrong at its last sample only is exact before
    const truth = [[[1, 0], [1, 0], [1, 0]]];
    assert.deepEqual(trajectoryErrorByHorizon([[[1, 0], [1, 0], [2, 0]]], truth), [0, Math.sqrt(1 / 3)]);
    assert.throws(() => trajectoryErrorByHorizon([[[1, 0]]], [[[1, 0]]]), /at least 2 samples/);
    assert.throws(() => trajectoryErrorByHorizon([], []), DataError);
  });

  it('firstThirdSamples is ⌈T/3⌉, never below 2', () => {
    assert.deepEqual([30, 31, 3, 2, 401].map(firstThirdSamples), [10, 11, 2, 2, 134]);
  });

  it('energyDrift is max |E(t) − E(0)|', () => {
    assert.equal(energyDrift([2, 2.5, 1.25, 2]), 0.75);
    assert.equal(energyDrift([3]), 0);
    assert.throws(() => energyDrift([]), DataError);
  });

  it('median takes the middle value, the mean of the two middle ones for an even count, and refuses no values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.throws(() => median([]), DataError);
  });

  it('meanStd uses the population std and lets a diverged (NaN) run show', () => {
    const { mean, std } = meanStd([1, 2, 3, 4]);
    assert.equal(mean, 2.5);
    close(std, Math.sqrt(1.25), 1e-15);
    assert.deepEqual(meanStd([7]), { mean: 7, std: 0 });
    assert.ok(Number.isNaN(meanStd([1, Number.NaN]).mean));
    assert.throws(() => meanStd([]), DataError);
  });

  it("meanStd 'sample' divides by n − 1 (0 for one value); meanStdJson writes a non-finite mean or std as null", () => {
    const { mean, std } = meanStd([1, 2, 3, 4], 'sample');
    assert.equal(mean, 2.5);
    close(std, Math.sqrt(5 / 3), 1e-15);
    assert.deepEqual(meanStd([7], 'sample'), { mean: 7, std: 0 });
    assert.deepEqual(meanStdJson([1, 2, 3, 4]), meanStd([1, 2, 3, 4]));
    assert.deepEqual(meanStdJson([1, Number.NaN]), { mean: null, std: null });
    assert.deepEqual(meanStdJson([1, Number.POSITIVE_INFINITY]), { mean: null, std: null });
    assert.equal(finiteOrNull(-0.5), -0.5);
    assert.equal(finiteOrNull(Number.NEGATIVE_INFINITY), null);
  });

  it('degeneracyResiduals gives ‖L∇S‖ and ‖M∇E‖', () => {
    const L = [[0, 1], [-1, 0]];
    const M = [[1, 0], [0, 0]];
    assert.deepEqual(degeneracyResiduals({ L, M, gradE: [0, 5], gradS: [0, 0] }), { lGradS: 0, mGradE: 0 });
    assert.deepEqual(degeneracyResiduals({ L, M, gradE: [3, 1], gradS: [0, 2] }), { lGradS: 2, mGradE: 3 });
    assert.throws(() => degeneracyResiduals({ L, M: [[1]], gradE: [0, 1], gradS: [0, 1] }), DataError);
  });
});

describe('metrics: SSIM', () => {
  const gaussian: SsimOptions = { dataRange: refRange };
  const uniform: SsimOptions = { dataRange: refRange, gaussian: false };

  it('is 1 for identical images and symmetric in its arguments', () => {
    for (const opts of [gaussian, uniform]) {
      close(ssim(refImage1, refImage1, opts), 1, 1e-12);
      assert.equal(ssim(refImage1, refImage2, opts), ssim(refImage2, refImage1, opts));
      assert.ok(ssim(refImage1, refImage2, opts) < 0.99);
    }
  });

  it("matches skimage's recipe on a 20×24 pair, for the Gaussian and the uniform window", () => {
    close(ssim(refImage1, refImage2, gaussian), 0.5249515627487605, 1e-12, 'gaussian');
    close(ssim(refImage1, refImage2, uniform), 0.5575223286070858, 1e-12, 'uniform');
  });

  it('matches the closed form on one 7×7 uniform window: constant vs ramp', () => {
    // x ≡ 1, y = column index 0..6: μx = 1, μy = 3, σx² = σxy = 0, σy² = (49/48)·4 (sample variance), L = 6
    const x = image(7, 7, () => 1);
    const y = image(7, 7, (_, j) => j);
    const [c1, c2] = [(0.01 * 6) ** 2, (0.03 * 6) ** 2];
    const expected = ((2 * 1 * 3 + c1) * c2) / ((1 + 9 + c1) * ((49 / 48) * 4 + c2));
    close(ssim(x, y, { dataRange: 6, gaussian: false }), expected, 1e-15);
  });

  it('reduces to the luminance term (2μxμy + C1)/(μx² + μy² + C1) for two constant images', () => {
    const c1 = (0.01 * 1) ** 2;
    close(ssim(image(12, 15, () => 1), image(12, 15, () => 2), { dataRange: 1 }), (4 + c1) / (5 + c1), 1e-12);
  });

  it('falls as noise grows', () => {
    const noisy = (a: number) => image(20, 24, (i, j) => refImage1[i][j] + a * Math.sin(1.7 * i * j + i));
    const scores = [0.05, 0.2, 0.8].map((a) => ssim(refImage1, noisy(a), gaussian));
    assert.ok(scores[0] > scores[1] && scores[1] > scores[2], `${scores}`);
  });

  it('requires an explicit data range and a window that fits', () => {
    const missing = {} as SsimOptions;
    const namesDataRange = (e: Error) => e instanceof ConfigError && /dataRange/.test(e.message);
    assert.throws(() => ssim(refImage1, refImage2, missing), namesDataRange);
    assert.throws(() => ssim(refImage1, refImage2, undefined as unknown as SsimOptions), ConfigError);
    assert.throws(() => ssim(refImage1, refImage2, { dataRange: 0 }), ConfigError);
    assert.throws(() => ssim(refImage1, refImage2, { dataRange: 1, windowSize: 8 }), /odd integer/);
    const small = image(9, 9, () => 0);
    assert.throws(() => ssim(small, small, { dataRange: 1 }), /exceeds the image size 9×9/);
    assert.throws(() => ssim(refImage1, refImage1.slice(1), gaussian), DataError);
  });
});

describe('metrics: field grid and field SSIM', () => {
  it('vectorFieldGrid lays out n × n points row by row, q along columns, with the fixed coordinates appended', () => {
    const grid = vectorFieldGrid([[-2, 2], [-1, 3]], 50, [1]);
    assert.equal(grid.points.length, 2500);
    assert.deepEqual(Array.from(grid.points[0]), [-2, -1, 1]);
    assert.deepEqual(Array.from(grid.points[49]), [2, -1, 1]);
    assert.deepEqual(Array.from(grid.points[50]), [-2, -1 + 4 / 49, 1]);
    assert.deepEqual(Array.from(grid.points[2499]), [2, 3, 1]);
    assert.equal(grid.axes[0][25], -2 + (4 * 25) / 49);
    assert.throws(() => vectorFieldGrid([[-2, 2], [-1, 3]], 1), ConfigError);
    assert.throws(() => vectorFieldGrid([[2, -2], [-1, 3]], 10), /box\[0\]/);
  });

  it('fieldSsim averages per-component SSIM with each true component range, and is 1 for the true field', () => {
    const n = 20;
    const grid = vectorFieldGrid([[-2, 2], [-2, 2]], n);
    const truth = grid.points.map(([q, p]) => [p, -Math.sin(q)]);
    const predicted = grid.points.map(([q, p]) => [1.1 * p, -Math.sin(q) - 0.1 * q * q]);
    close(fieldSsim(truth, truth, n), 1, 1e-12);
    // ranges of the true components (the predicted first component spans 4.4, not 4)
    const rangeOf = (c: number) => Math.max(...truth.map((v) => v[c])) - Math.min(...truth.map((v) => v[c]));
    const [range0, range1] = [rangeOf(0), rangeOf(1)];
    assert.equal(range0, 4);
    const expected =
      (ssim(fieldComponentImage(truth, n, 0), fieldComponentImage(predicted, n, 0), { dataRange: range0 }) +
        ssim(fieldComponentImage(truth, n, 1), fieldComponentImage(predicted, n, 1), { dataRange: range1 })) /
      2;
    close(fieldSsim(predicted, truth, n), expected, 1e-12);
    assert.equal(fieldComponentImage(truth, n, 0)[3][7], truth[3 * n + 7][0]);
    assert.throws(() => fieldSsim(truth.map(() => [1, 0]), truth.map(([a]) => [a, 0]), n), /component 1 is constant/);
  });
});
