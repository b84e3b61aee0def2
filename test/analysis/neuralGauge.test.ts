import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { type NeuralGauge, fitNeuralGauge, neuralGaugeObjective, relativeParameterError } from '../../src/analysis/neuralGauge';
import { initBackend } from '../../src/core/backend';
import { ConfigError, DataError, NonFiniteError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const midpoints = (xs: number[]) => xs.slice(1).map((x, i) => (x + xs[i]) / 2);
const maxOf = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x), -Infinity);
const maxAbsDiff = (a: number[][], b: number[][]) => maxOf(a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
const report = (what: string, value: number) => console.log(`      ${what}: ${value.toExponential(2)}`);
const errors = (g: NeuralGauge, latent: number[][], truth: number[][]) => g.forward(latent).map((p, i) => relativeParameterError(p, truth[i]));

// 1-D: φ = exp(0.8 s) on s ∈ [−1, 1], seen through a latent code η = 3 s − 0.5 (a PC coordinate has its own scale).
const phi1 = (s: number) => [Math.exp(0.8 * s)];
const eta1 = (s: number) => [3 * s - 0.5];
const train1 = linspace(-1, 1, 8);
const held1 = midpoints(train1);

// 2-D diffeomorphism (Jacobian determinant 1 − 0.48 s2 cos 2s1 ≥ 0.52), seen through a sheared, scaled latent code.
const phi2 = ([a, b]: number[]) => [2 + a + 0.4 * b * b, 2 + b + 0.3 * Math.sin(2 * a)];
const eta2 = ([a, b]: number[]) => [2 * a - 0.5 * b + 1, 0.5 * a + 3 * b];
const grid = (xs: number[]) => xs.flatMap((a) => xs.map((b) => [a, b]));
const train2 = grid(linspace(-1, 1, 5));
const held2 = grid(midpoints(linspace(-1, 1, 5)));

describe('analysis/neuralGauge', () => {
  before(async () => {
    await initBackend();
  });

  it('the hand-written gradient (discrete adjoint of RK4 through the MLP) matches central finite differences', () => {
    const rng = createRng(9);
    const options = { width: 5, flowSteps: 3, weightDecay: 0.01 };
    const theta = Float64Array.from({ length: 2 * 2 + 2 + (2 + 1) * 5 + (5 + 1) * 5 + (5 + 1) * 2 }, () => rng.uniformIn(-1, 1));
    const u = [[0.3, -0.7], [1.1, 0.2], [-0.5, 0.9]];
    const w = [[0.1, 0.4], [-0.3, 0.8], [0.6, -1.0]];
    const { grad } = neuralGaugeObjective(theta, u, w, options);
    const h = 1e-6;
    const at = (i: number, d: number) => neuralGaugeObjective(theta.map((t, j) => (j === i ? t + d : t)), u, w, options).total;
    const worst = maxOf(Array.from(theta, (_, i) => {
      const fd = (at(i, h) - at(i, -h)) / (2 * h);
      return Math.abs(fd - grad[i]) / (Math.abs(fd) + 1e-6);
    }));
    report(`worst relative gradient error over ${theta.length} parameters`, worst);
    assert.ok(worst < 1e-5, `worst relative error ${worst}`);
    assert.throws(() => neuralGaugeObjective(theta.slice(1), u, w, options), /θ has 62 entries, expected 63/);
  });

  describe('1-D: φ = exp(0.8 s) from 8 training instances', () => {
    let gauge: NeuralGauge;
    before(() => {
      gauge = fitNeuralGauge(train1.map(eta1), train1.map(phi1), createRng(1), { iterations: 600 });
    });
    after(() => gauge.dispose());

    it('measures held-out instances to < 2 % relative error, where the best linear map misses by more', () => {
      const err = maxOf(errors(gauge, held1.map(eta1), held1.map(phi1)));
      const linear = fitNeuralGauge(train1.map(eta1), train1.map(phi1), createRng(1), { iterations: 1 });
      const linearErr = maxOf(errors(linear, held1.map(eta1), held1.map(phi1)));
      report('max relative error, gauge', err);
      report('max relative error, linear start', linearErr);
      assert.ok(err < 0.02, `max relative error ${err}`);
      assert.ok(linearErr > 0.02, `the linear start should not already pass (max relative error ${linearErr})`);
      assert.ok(gauge.trainLoss < linear.trainLoss / 10, `train MSE ${gauge.trainLoss} vs linear ${linear.trainLoss}`);
    });

    it('records the loss every 10 iterations and reports the best training MSE', () => {
      assert.equal(gauge.lossHistory.length, 61);
      assert.equal(gauge.trainLoss, Math.min(gauge.trainLoss, ...gauge.lossHistory));
      assert.ok(gauge.lossHistory[60] < gauge.lossHistory[0] / 10, `loss ${gauge.lossHistory[0]} -> ${gauge.lossHistory[60]}`);
    });

    it('is strictly increasing on a dense grid reaching 20 % beyond the training range (a 1-D flow keeps order)', () => {
      const phi = gauge.forward(linspace(-1.2, 1.2, 400).map(eta1)).map((r) => r[0]);
      phi.slice(1).forEach((v, i) => assert.ok(v > phi[i], `not increasing at ${i}: ${phi[i]} -> ${v}`));
    });

    it('inverse(forward(η)) = η and forward(inverse(φ)) = φ', () => {
      const eta = linspace(-1.2, 1.2, 25).map(eta1);
      const phi = held1.map(phi1);
      const roundTrips = [maxAbsDiff(gauge.inverse(gauge.forward(eta)), eta), maxAbsDiff(gauge.forward(gauge.inverse(phi)), phi)];
      report('max |inverse(forward(η)) − η|', roundTrips[0]);
      report('max |forward(inverse(φ)) − φ|', roundTrips[1]);
      roundTrips.forEach((e) => assert.ok(e < 1e-4, `round trip error ${e}`));
    });
  });

  describe('2-D: a nonlinear diffeomorphism from a 5 × 5 grid of instances', () => {
    let gauge: NeuralGauge;
    before(() => {
      gauge = fitNeuralGauge(train2.map(eta2), train2.map(phi2), createRng(2), { iterations: 300 });
    });
    after(() => gauge.dispose());

    it('measures the 16 cell centres to < 5 % relative error, where the best linear map misses by more', () => {
      const err = maxOf(errors(gauge, held2.map(eta2), held2.map(phi2)));
      const linear = fitNeuralGauge(train2.map(eta2), train2.map(phi2), createRng(2), { iterations: 1 });
      const linearErr = maxOf(errors(linear, held2.map(eta2), held2.map(phi2)));
      report('max relative error, gauge', err);
      report('max relative error, linear start', linearErr);
      assert.ok(err < 0.05, `max relative error ${err}`);
      assert.ok(linearErr > 0.05, `the linear start should not already pass (max relative error ${linearErr})`);
    });

    it('inverse(forward(η)) = η and forward(inverse(φ)) = φ', () => {
      const eta = held2.map(eta2);
      const phi = held2.map(phi2);
      const roundTrips = [maxAbsDiff(gauge.inverse(gauge.forward(eta)), eta), maxAbsDiff(gauge.forward(gauge.inverse(phi)), phi)];
      report('max |inverse(forward(η)) − η|', roundTrips[0]);
      report('max |forward(inverse(φ)) − φ|', roundTrips[1]);
      roundTrips.forEach((e) => assert.ok(e < 1e-4, `round trip error ${e}`));
    });
  });

  it('recovers an exactly linear relation to float32 precision, both ways', () => {
    const rng = createRng(3);
    const points = (n: number) => Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
    const linear = ([a, b]: number[]) => [10 + 2 * a - b, 5 + 0.5 * a + 1.5 * b];
    const train = points(6);
    const held = points(10);
    const gauge = fitNeuralGauge(train, train.map(linear), createRng(4), { iterations: 50 });
    const err = maxOf(errors(gauge, held, held.map(linear)));
    const inverseErr = maxAbsDiff(gauge.inverse(held.map(linear)), held);
    report('train MSE', gauge.trainLoss);
    report('max relative error', err);
    report('max inverse error', inverseErr);
    assert.ok(gauge.trainLoss < 1e-10, `train MSE ${gauge.trainLoss}`);
    assert.ok(err < 1e-5, `max relative error ${err}`);
    assert.ok(inverseErr < 1e-5, `max inverse error ${inverseErr}`);
  });

  it('with logParameters, recovers a power law φ = exp(linear) exactly, and the inverse too; positive φ only', () => {
    // log φ is linear in η, so the gauge's starting least-squares map in log space is already exact; the same
    // data fitted in φ itself need the flow's curvature and stay off by more than float32 rounding.
    const rng = createRng(11);
    const points = (n: number) => Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
    const powerLaw = ([a, b]: number[]) => [Math.exp(0.8 * a - 0.3 * b), 2 * Math.exp(0.2 * a + 0.6 * b)];
    const train = points(8);
    const held = points(10);
    const logGauge = fitNeuralGauge(train, train.map(powerLaw), createRng(4), { iterations: 50, logParameters: true });
    const linearGauge = fitNeuralGauge(train, train.map(powerLaw), createRng(4), { iterations: 50 });
    const logErr = maxOf(errors(logGauge, held, held.map(powerLaw)));
    const linearErr = maxOf(errors(linearGauge, held, held.map(powerLaw)));
    const inverseErr = maxAbsDiff(logGauge.inverse(held.map(powerLaw)), held);
    report('max relative error, log target', logErr);
    report('max relative error, linear target', linearErr);
    assert.ok(logErr < 1e-5, `log-target relative error ${logErr}`);
    assert.ok(inverseErr < 1e-5, `log-target inverse error ${inverseErr}`);
    assert.ok(linearErr > 1e-2, `linear-target relative error ${linearErr}`);
    assert.throws(
      () => fitNeuralGauge(train, train.map((r, i) => (i === 3 ? [0, 1] : powerLaw(r))), createRng(4), { logParameters: true }),
      (e: Error) => e instanceof DataError && /physical row 3, column 0 is 0; logParameters needs values > 0/.test(e.message),
    );
    assert.throws(() => logGauge.inverse([[-1, 1]]), (e: Error) => e instanceof DataError && /values > 0/.test(e.message));
    assert.throws(() => fitNeuralGauge(train, train.map(powerLaw), createRng(4), { logParameters: 1 as never }), ConfigError);
    logGauge.dispose();
    linearGauge.dispose();
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const fit = (seed: number) => {
      const g = fitNeuralGauge(train1.map(eta1), train1.map(phi1), createRng(seed), { iterations: 30 });
      const out = g.forward(held1.map(eta1));
      g.dispose();
      return out;
    };
    assert.deepStrictEqual(fit(5), fit(5));
    assert.notDeepStrictEqual(fit(5), fit(6));
  });

  it('leaves the tensor count unchanged, after success and after a non-finite loss', () => {
    const before = tf.memory().numTensors;
    const g = fitNeuralGauge(train2.map(eta2), train2.map(phi2), createRng(7), { iterations: 20 });
    g.inverse(g.forward(held2.map(eta2)));
    g.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => fitNeuralGauge(train1.map(eta1), train1.map(phi1), createRng(7), { iterations: 20, lr: 1e30 }), NonFiniteError);
    assert.equal(tf.memory().numTensors, before);
  });

  it('rejects bad input with a message naming it', () => {
    const latent = train1.map(eta1);
    const phi = train1.map(phi1);
    const rng = createRng(8);
    const fails = (f: () => unknown, type: typeof DataError | typeof ConfigError, pattern: RegExp) =>
      assert.throws(f, (e: Error) => e instanceof type && pattern.test(e.message), pattern.source);
    fails(() => fitNeuralGauge(latent, phi.slice(1), rng), DataError, /latent has 8 rows but physical has 7/);
    fails(() => fitNeuralGauge(latent.slice(0, 1), phi.slice(0, 1), rng), DataError, /at least 2 training rows/);
    fails(() => fitNeuralGauge(latent.map((r, i) => (i === 2 ? [NaN] : r)), phi, rng), DataError, /latent row 2, column 0 is NaN/);
    fails(() => fitNeuralGauge(latent, phi.map((r) => [...r, 1]), rng), DataError, /physical row 0 has 2 columns, expected 1/);
    fails(() => fitNeuralGauge([[], []], [[], []], rng), DataError, /at least one column/);
    fails(() => fitNeuralGauge(latent, phi.map(() => [2]), rng), DataError, /physical column 0 is constant/);
    // φ = s² on a symmetric grid: η does not determine φ, and the least-squares slope is 0.
    fails(() => fitNeuralGauge(train1.map((s) => [s]), train1.map((s) => [s * s]), rng), DataError, /does not determine/);
    fails(() => fitNeuralGauge(train2.map(([a]) => [a, 2 * a]), train2.map(phi2), rng), DataError, /collinear/);
    fails(() => fitNeuralGauge(latent, phi, rng, { width: 0 }), ConfigError, /width must be a positive integer, got 0/);
    fails(() => fitNeuralGauge(latent, phi, rng, { flowSteps: 2.5 }), ConfigError, /flowSteps must be a positive integer/);
    fails(() => fitNeuralGauge(latent, phi, rng, { lr: -1 }), ConfigError, /lr must be a finite number > 0/);
    fails(() => fitNeuralGauge(latent, phi, rng, { weightDecay: NaN }), ConfigError, /weightDecay/);
    fails(() => fitNeuralGauge(latent, phi, rng, { widht: 8 } as never), ConfigError, /unknown option 'widht'; allowed: width, flowSteps/);
    const g = fitNeuralGauge(latent, phi, rng, { iterations: 1 });
    fails(() => g.forward([[1, 2]]), DataError, /latent row 0 has 2 columns, expected 1/);
    fails(() => g.inverse([[Infinity]]), DataError, /physical row 0, column 0 is Infinity/);
    g.dispose();
    assert.throws(() => g.forward([[1]]), /after dispose/);
  });

  it('relativeParameterError is the worst parameter’s |φ̂_j − φ_j| / |φ_j|', () => {
    assert.ok(Math.abs(relativeParameterError([1.1], [1]) - 0.1) < 1e-12);
    assert.ok(Math.abs(relativeParameterError([-2], [-1]) - 1) < 1e-12);
    assert.equal(relativeParameterError([3, 4 + 5], [3, 4]), 1.25);
    // a small parameter's error is not hidden behind a large one's scale
    assert.ok(Math.abs(relativeParameterError([0.0008, 0.005], [0.001, 0.005]) - 0.2) < 1e-12);
    assert.throws(() => relativeParameterError([1, 2], [1]), DataError);
    assert.throws(() => relativeParameterError([1, 1], [1, 0]), /true parameter 1 is zero/);
  });

});
