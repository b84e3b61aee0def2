import { strict as assert } from 'assert';
import { eigs } from 'mathjs';
import { degeneracyResiduals, vectorFieldGrid } from '../../src/analysis/metrics';
import { DataError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import {
  TwoGasContainersParams,
  energy,
  entropy,
  fieldGrid,
  genericParts,
  twoGasContainers,
} from '../../src/systems/twoGasContainers';
import { fieldAt } from '../../src/systems/types';

const rng = createRng(33);
const sampleMu = (): TwoGasContainersParams => ({ alpha: rng.uniformIn(5, 15), m: rng.uniformIn(0.5, 2) });
const sampleX = () =>
  Float64Array.of(rng.uniformIn(0.1, 1.9), rng.uniformIn(-2, 2), rng.uniformIn(1, 3), rng.uniformIn(1, 3));
const matVec = (A: number[][], v: ArrayLike<number>) => A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
const cases = Array.from({ length: 100 }, () => ({ mu: sampleMu(), x: sampleX() }));
// E_i = (e^{S_i}/V_i)^{2/3} written as e^{2S_i/3}/V_i^{2/3}, a different evaluation from the module's
const gasEnergies = (x: Float64Array) => [
  Math.exp((2 / 3) * x[2]) / x[0] ** (2 / 3),
  Math.exp((2 / 3) * x[3]) / (2 - x[0]) ** (2 / 3),
];

describe('twoGasContainers (TGC, GENERIC)', () => {
  it('has E = p²/(2m) + E1 + E2 with E_i = (e^{S_i}/V_i)^{2/3}, S = S1 + S2, and the GFINNs field', () => {
    const mu = { alpha: 10, m: 2 };
    const x = Float64Array.of(0.5, 1, 2, 1.5);
    const [e1, e2] = gasEnergies(x);
    assert.ok(Math.abs(energy(x, mu) - (0.25 + e1 + e2)) < 1e-13);
    assert.equal(twoGasContainers.energy, energy);
    assert.equal(entropy(x), 3.5);
    const heatFlow = 1 / e1 - 1 / e2;
    const expected = [0.5, (2 / 3) * (e1 / 0.5 - e2 / 1.5), (90 / (4 * e1)) * heatFlow, (-90 / (4 * e2)) * heatFlow];
    const field = twoGasContainers.vectorField(x, mu);
    field.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-13, `component ${i}: ${v} vs ${expected[i]}`));
    assert.deepEqual(vectorFieldGrid(fieldGrid.box, 50, fieldGrid.fixed).points[2499], Float64Array.of(1.8, 2, 2, 2));
  });

  it('has the field L∇E + M∇S, with ∇E and ∇S the derivatives of E and S', () => {
    const h = 1e-6;
    for (const { mu, x } of cases) {
      const { L, M, gradE, gradS } = genericParts(x, mu);
      const generic = matVec(L, gradE).map((v, i) => v + matVec(M, gradS)[i]);
      const field = twoGasContainers.vectorField(x, mu);
      generic.forEach((v, i) =>
        assert.ok(Math.abs(v - field[i]) < 1e-13 * (1 + Math.abs(field[i])), `component ${i} at ${x}: ${v}`),
      );
      for (let j = 0; j < 4; j++) {
        const [plus, minus] = [Float64Array.from(x), Float64Array.from(x)];
        plus[j] += h;
        minus[j] -= h;
        const fdE = (energy(plus, mu) - energy(minus, mu)) / (2 * h);
        const fdS = (entropy(plus) - entropy(minus)) / (2 * h);
        assert.ok(Math.abs(fdE - gradE[j]) < 1e-7 * (1 + Math.abs(gradE[j])), `∂E/∂x${j} at ${x}: ${fdE}`);
        assert.ok(Math.abs(fdS - gradS[j]) < 1e-8, `∂S/∂x${j}: ${gradS[j]} vs ${fdS}`);
      }
    }
  });

  it('has L skew and M symmetric positive semi-definite, of rank one with eigenvalue α(1/T1² + 1/T2²)', () => {
    for (const { mu, x } of cases) {
      const { L, M } = genericParts(x, mu);
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          assert.ok(L[i][j] + L[j][i] === 0, `L[${i}][${j}]`);
          assert.equal(M[i][j], M[j][i]);
        }
      }
      const values = (eigs(M, { eigenvectors: false }).values as number[]).slice().sort((a, b) => a - b);
      const [t1, t2] = gasEnergies(x).map((e) => (2 / 3) * e);
      const top = mu.alpha * (1 / t1 ** 2 + 1 / t2 ** 2);
      assert.ok(values[0] >= -1e-12 && values.slice(0, 3).every((v) => Math.abs(v) < 1e-12), `eigenvalues ${values}`);
      assert.ok(Math.abs(values[3] - top) < 1e-12 * top, `eigenvalues ${values}, expected top ${top}`);
      const y = sampleX().map((v) => v - 1.5);
      assert.ok(matVec(M, y).reduce((s, v, i) => s + v * y[i], 0) >= -1e-14);
    }
  });

  it('satisfies the degeneracy conditions L∇S = 0 and M∇E = 0 to round-off', () => {
    for (const { mu, x } of cases) {
      const { lGradS, mGradE } = degeneracyResiduals(genericParts(x, mu));
      assert.equal(lGradS, 0);
      assert.ok(mGradE < 1e-13, `‖M∇E‖ = ${mGradE}`);
    }
  });

  it('keeps E constant and S non-decreasing along dopri5 trajectories (first and second law)', () => {
    const ts = Array.from({ length: 41 }, (_, i) => i / 5);
    for (let n = 0; n < 4; n++) {
      const mu = sampleMu();
      const x0 = twoGasContainers.sampleState(rng, mu);
      const out = dopri5.solve(fieldAt(twoGasContainers, mu), x0, ts, { rtol: 1e-11, atol: 1e-13 });
      const e0 = energy(x0, mu);
      out.forEach((x, i) => {
        const drift = energy(x, mu) - e0;
        assert.ok(Math.abs(drift) < 1e-8 * e0, `μ=${JSON.stringify(mu)} t=${ts[i]}: E drift ${drift}`);
        if (i > 0) assert.ok(entropy(x) >= entropy(out[i - 1]) - 1e-12, `μ=${JSON.stringify(mu)} t=${ts[i]}: S fell`);
        assert.ok(x[0] > 0 && x[0] < 2);
      });
      assert.ok(entropy(out[40]) > entropy(x0) + 1e-3, 'heat flows, so entropy is produced');
    }
  });

  it('samples x0 = (1, 0, 2, 2) + U(−1, 1)·(0.8, 1, 1, 1) and rejects a piston outside (0, 2)', () => {
    const r = createRng(6);
    const states = Array.from({ length: 2000 }, () => twoGasContainers.sampleState(r, { alpha: 10, m: 1 }));
    const lo = [0.2, -1, 1, 1];
    const hi = [1.8, 1, 3, 3];
    for (let c = 0; c < 4; c++) {
      const values = states.map((x) => x[c]);
      assert.ok(values.every((v) => v >= lo[c] && v <= hi[c]), `component ${c}`);
      assert.ok(Math.min(...values) < lo[c] + 0.02 && Math.max(...values) > hi[c] - 0.02, `component ${c} spread`);
    }
    const mu = { alpha: 10, m: 1 };
    for (const q of [0, 2, -0.1, Number.NaN]) {
      const x = Float64Array.of(q, 0, 2, 2);
      const outside = (e: Error) => e instanceof DataError && /q = x\[0\] must lie in \(0, 2\)/.test(e.message);
      assert.throws(() => twoGasContainers.vectorField(x, mu), outside);
      assert.throws(() => energy(x, mu), DataError);
      assert.throws(() => genericParts(x, mu), DataError);
    }
  });
});
