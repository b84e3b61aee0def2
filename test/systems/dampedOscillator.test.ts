import { strict as assert } from 'assert';
import { eigs } from 'mathjs';
import { degeneracyResiduals, vectorFieldGrid } from '../../src/analysis/metrics';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import {
  DampedOscillatorParams,
  dampedOscillator,
  energy,
  entropy,
  fieldGrid,
  genericParts,
} from '../../src/systems/dampedOscillator';
import { fieldAt } from '../../src/systems/types';

const rng = createRng(21);
const sampleMu = (): DampedOscillatorParams => ({ k: rng.uniformIn(0.5, 2), gamma: rng.uniformIn(0.05, 0.5) });
const sampleX = () => Float64Array.of(rng.uniformIn(-3, 3), rng.uniformIn(-2, 2), rng.uniformIn(0, 3));
const matVec = (A: number[][], v: ArrayLike<number>) => A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
const cases = Array.from({ length: 100 }, () => ({ mu: sampleMu(), x: sampleX() }));

describe('dampedOscillator (DNO, GENERIC)', () => {
  it('has E = p²/2 − k cos q + S, S(x) = S and the field (p, −k sin q − γp, γp²)', () => {
    const mu = { k: 2, gamma: 0.5 };
    const x = Float64Array.of(0.4, -1.5, 0.25);
    assert.equal(energy(x, mu), 1.125 - 2 * Math.cos(0.4) + 0.25);
    assert.equal(dampedOscillator.energy, energy);
    assert.equal(entropy(x), 0.25);
    assert.deepEqual(Array.from(dampedOscillator.vectorField(x, mu)), [-1.5, -2 * Math.sin(0.4) + 0.75, 1.125]);
    assert.deepEqual(vectorFieldGrid(fieldGrid.box, 50, fieldGrid.fixed).points[0], Float64Array.of(-2, -2, 1));
  });

  it('has the field L∇E + M∇S, with ∇E and ∇S the derivatives of E and S', () => {
    const h = 1e-6;
    for (const { mu, x } of cases) {
      const { L, M, gradE, gradS } = genericParts(x, mu);
      const generic = matVec(L, gradE).map((v, i) => v + matVec(M, gradS)[i]);
      const field = dampedOscillator.vectorField(x, mu);
      generic.forEach((v, i) =>
        assert.ok(Math.abs(v - field[i]) < 1e-14, `component ${i} at ${x}: ${v} vs ${field[i]}`),
      );
      for (let j = 0; j < 3; j++) {
        const [plus, minus] = [Float64Array.from(x), Float64Array.from(x)];
        plus[j] += h;
        minus[j] -= h;
        const fdE = (energy(plus, mu) - energy(minus, mu)) / (2 * h);
        const fdS = (entropy(plus) - entropy(minus)) / (2 * h);
        assert.ok(Math.abs(fdE - gradE[j]) < 1e-8, `∂E/∂x${j}: ${gradE[j]} vs ${fdE}`);
        assert.ok(Math.abs(fdS - gradS[j]) < 1e-8, `∂S/∂x${j}: ${gradS[j]} vs ${fdS}`);
      }
    }
  });

  it('has L skew-symmetric and M symmetric positive semi-definite, of rank one with eigenvalue γ(1 + p²)', () => {
    for (const { mu, x } of cases) {
      const { L, M } = genericParts(x, mu);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          assert.ok(L[i][j] + L[j][i] === 0, `L[${i}][${j}]`);
          assert.equal(M[i][j], M[j][i]);
        }
      }
      const values = (eigs(M, { eigenvectors: false }).values as number[]).slice().sort((a, b) => a - b);
      assert.ok(values[0] >= -1e-12 && Math.abs(values[1]) < 1e-12, `eigenvalues ${values}`);
      assert.ok(Math.abs(values[2] - mu.gamma * (1 + x[1] * x[1])) < 1e-12, `eigenvalues ${values}`);
      const y = sampleX().map((v) => v - 1);
      assert.ok(matVec(M, y).reduce((s, v, i) => s + v * y[i], 0) >= -1e-14);
    }
  });

  it('satisfies the degeneracy conditions L∇S = 0 and M∇E = 0 to round-off', () => {
    for (const { mu, x } of cases) {
      const { lGradS, mGradE } = degeneracyResiduals(genericParts(x, mu));
      assert.equal(lGradS, 0);
      assert.ok(mGradE < 1e-14, `‖M∇E‖ = ${mGradE}`);
    }
    // the check is not vacuous: with v = (0, 1, +p) instead of (0, 1, −p), friction would create energy
    const x = Float64Array.of(0.5, 1, 0);
    const parts = genericParts(x, { k: 1, gamma: 0.2 });
    const broken = { ...parts, M: parts.M.map((row, i) => row.map((v, j) => ((i === 2) !== (j === 2) ? -v : v))) };
    assert.ok(degeneracyResiduals(broken).mGradE > 0.1);
  });

  it('keeps E constant and S non-decreasing along dopri5 trajectories (first and second law)', () => {
    const ts = Array.from({ length: 101 }, (_, i) => i / 10);
    for (let n = 0; n < 5; n++) {
      const mu = sampleMu();
      const x0 = dampedOscillator.sampleState(rng, mu);
      const out = dopri5.solve(fieldAt(dampedOscillator, mu), x0, ts, { rtol: 1e-11, atol: 1e-13 });
      const e0 = energy(x0, mu);
      out.forEach((x, i) => {
        const drift = energy(x, mu) - e0;
        assert.ok(Math.abs(drift) < 1e-8, `μ=${JSON.stringify(mu)} t=${ts[i]}: E drift ${drift}`);
        if (i > 0) assert.ok(entropy(x) >= entropy(out[i - 1]) - 1e-12, `μ=${JSON.stringify(mu)} t=${ts[i]}: S fell`);
      });
      // friction really acts: entropy grows by the mechanical energy lost (T = 1)
      const mechanical = (x: Float64Array) => energy(x, mu) - x[2];
      const produced = entropy(out[100]) - entropy(x0);
      assert.ok(produced > 0.01 && Math.abs(produced - (mechanical(x0) - mechanical(out[100]))) < 1e-8);
    }
  });

  it('samples q0 ∈ [−2, 2], p0 ∈ [−1, 1], S0 = 0', () => {
    const r = createRng(4);
    const states = Array.from({ length: 1000 }, () => dampedOscillator.sampleState(r, { k: 1, gamma: 0.1 }));
    assert.ok(states.every((x) => Math.abs(x[0]) <= 2 && Math.abs(x[1]) <= 1 && x[2] === 0));
    assert.ok(Math.max(...states.map((x) => x[0])) > 1.95 && Math.min(...states.map((x) => x[1])) < -0.95);
  });
});
