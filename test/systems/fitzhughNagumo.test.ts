import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import {
  FHN_K,
  createFitzhughNagumo,
  fitzhughNagumo,
  laplacianPeriodic,
} from '../../src/systems/fitzhughNagumo';
import { fieldAt } from '../../src/systems/types';

/** f(x, y) = sin(π(p x + q y) + φ) sampled on the n × n grid of [−1, 1)², row i at y, column j at x. */
function planeWave(n: number, p: number, q: number, phase = 0.3): Float64Array {
  const dx = 2 / n;
  const f = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) f[i * n + j] = Math.sin(Math.PI * (p * (-1 + j * dx) + q * (-1 + i * dx)) + phase);
  }
  return f;
}

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const mean = (a: ArrayLike<number>) => sum(a) / a.length;

describe('fitzhughNagumo', () => {
  it('has a 5-point periodic Laplacian of second order: −(kx² + ky²) f, error /4 when dx halves', () => {
    const [p, q] = [1, 2];
    const errors = [16, 32, 64].map((n) => {
      const f = planeWave(n, p, q);
      const lap = laplacianPeriodic(f, n, 2 / n);
      const exact = -(Math.PI ** 2) * (p * p + q * q);
      return maxAbs(lap.map((l, c) => l - exact * f[c]));
    });
    for (let r = 0; r + 1 < errors.length; r++) {
      const ratio = errors[r] / errors[r + 1];
      assert.ok(ratio > 3.9 && ratio < 4.1, `error ratio ${ratio} (errors ${errors})`);
    }
  });

  it('applies the stencil across the wrap: a plane wave is an exact eigenvector with the discrete eigenvalue', () => {
    const n = 12;
    const dx = 2 / n;
    for (const [p, q] of [
      [1, 0],
      [0, 3],
      [2, -5],
    ]) {
      const f = planeWave(n, p, q, 1.1);
      const lap = laplacianPeriodic(f, n, dx);
      const discrete = (-4 / (dx * dx)) * (Math.sin((Math.PI * p * dx) / 2) ** 2 + Math.sin((Math.PI * q * dx) / 2) ** 2);
      assert.ok(maxAbs(lap.map((l, c) => l - discrete * f[c])) < 1e-11 * Math.abs(discrete), `(p, q) = (${p}, ${q})`);
    }
  });

  it('conserves mass under diffusion: the Laplacian sums to zero, so the spatial means follow the reaction alone', () => {
    const rng = createRng(8);
    const n = 32;
    const field = Float64Array.from({ length: n * n }, () => rng.normal());
    const lap = laplacianPeriodic(field, n, 2 / n);
    assert.ok(Math.abs(sum(lap)) < 1e-9 * maxAbs(lap), `Σ Δf = ${sum(lap)}`);

    const mu = { a: 1.5e-3, b: 7e-3 };
    const x = fitzhughNagumo.sampleState(rng, mu);
    const f = fitzhughNagumo.vectorField(x, mu);
    const cells = n * n;
    const [u, v] = [x.subarray(0, cells), x.subarray(cells)];
    const reactionU = mean(u.map((uc, c) => uc - uc ** 3 - FHN_K - v[c]));
    assert.ok(Math.abs(mean(f.subarray(0, cells)) - reactionU) < 1e-14);
    assert.ok(Math.abs(mean(f.subarray(cells)) - (mean(u) - mean(v))) < 1e-14);
  });

  it('has the homogeneous fixed point u = v = −k^(1/3)', () => {
    const star = -Math.cbrt(FHN_K);
    const x = new Float64Array(fitzhughNagumo.stateDim).fill(star);
    for (const mu of [
      { a: 1e-3, b: 5e-3 },
      { a: 0.5e-3, b: 7.5e-3 },
    ]) {
      assert.ok(maxAbs(fitzhughNagumo.vectorField(x, mu)) < 1e-16, `${maxAbs(fitzhughNagumo.vectorField(x, mu))}`);
    }
    // and a nearby homogeneous state is not one
    x.fill(star + 1e-3);
    assert.ok(maxAbs(fitzhughNagumo.vectorField(x, { a: 1e-3, b: 5e-3 })) > 5e-5); // ≈ 3u*²·1e-3
  });

  it('evaluates u_t = aΔu + u − u³ − k − v, v_t = bΔv + u − v cell by cell on a small grid', () => {
    const n = 4;
    const system = createFitzhughNagumo({ n });
    const rng = createRng(1);
    const x = system.sampleState(rng, { a: 1, b: 2 });
    const f = system.vectorField(x, { a: 1, b: 2 });
    const dx = 0.5;
    const at = (k: number, i: number, j: number) => x[k * 16 + ((i + 4) % 4) * 4 + ((j + 4) % 4)];
    const lap = (k: number, i: number, j: number) =>
      (at(k, i - 1, j) + at(k, i + 1, j) + at(k, i, j - 1) + at(k, i, j + 1) - 4 * at(k, i, j)) / (dx * dx);
    for (const [i, j] of [
      [0, 0],
      [3, 1],
      [2, 3],
    ]) {
      const [u, v] = [at(0, i, j), at(1, i, j)];
      assert.ok(Math.abs(f[i * 4 + j] - (lap(0, i, j) + u - u ** 3 - FHN_K - v)) < 1e-12);
      assert.ok(Math.abs(f[16 + i * 4 + j] - (2 * lap(1, i, j) + u - v)) < 1e-12);
    }
    assert.equal(system.stateDim, 32);
  });

  it('samples APHYNITY\'s U[0, 1) noise for u and v, reproducibly, and integrates without blowing up', () => {
    const mu = { a: 1e-3, b: 5e-3 };
    const x = fitzhughNagumo.sampleState(createRng(3), mu);
    assert.equal(x.length, 2 * 32 * 32);
    assert.ok(x.every((c) => c >= 0 && c < 1) && Math.abs(mean(x) - 0.5) < 0.02);
    assert.deepEqual(Array.from(fitzhughNagumo.sampleState(createRng(3), mu)), Array.from(x));
    const [, end] = dopri5.solve(fieldAt(fitzhughNagumo, mu), x, [0, 1], { rtol: 1e-6, atol: 1e-8 });
    // the cubic pulls u into the bistable range; the noise is smoothed, not amplified
    assert.ok(end.every(Number.isFinite) && maxAbs(end) < 1.5);
  });

  it('rejects a bad grid naming the field', () => {
    assert.throws(() => createFitzhughNagumo({ n: 2 }), (e: Error) => e instanceof ConfigError && /n \(grid side\)/.test(e.message));
    assert.throws(() => createFitzhughNagumo({ n: 8.5 }), /integer >= 3/);
    assert.throws(() => laplacianPeriodic(new Float64Array(10), 3, 1), /field must have n·n = 9 entries/);
  });
});
