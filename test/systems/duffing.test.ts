import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import { duffing, hamiltonian, hamiltonianGradient } from '../../src/systems/duffing';
import { fieldAt } from '../../src/systems/types';

const times = (t1: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (i * t1) / n);

describe('duffing', () => {
  it('has H = p²/2 + αq²/2 + βq⁴/4', () => {
    assert.equal(hamiltonian(Float64Array.of(2, -1), { alpha: 0.5, beta: 0.25 }), 0.5 + 1 + 1);
    assert.equal(duffing.energy, hamiltonian);
    assert.deepEqual(duffing.paramBox, { alpha: [0.5, 2], beta: [0.1, 1] });
  });

  it('has ∇H equal to central differences of H, and the field J∇H = (∂H/∂p, −∂H/∂q)', () => {
    const rng = createRng(9);
    const h = 1e-5;
    for (let i = 0; i < 50; i++) {
      const mu = { alpha: rng.uniformIn(0.5, 2), beta: rng.uniformIn(0.1, 1) };
      const x = Float64Array.of(rng.uniformIn(-2, 2), rng.uniformIn(-2, 2));
      const grad = hamiltonianGradient(x, mu);
      for (let j = 0; j < 2; j++) {
        const [plus, minus] = [Float64Array.from(x), Float64Array.from(x)];
        plus[j] += h;
        minus[j] -= h;
        const fd = (hamiltonian(plus, mu) - hamiltonian(minus, mu)) / (2 * h);
        assert.ok(Math.abs(fd - grad[j]) < 1e-8 * (1 + Math.abs(grad[j])), `∂H/∂x${j} at ${x}: ${grad[j]} vs ${fd}`);
      }
      const f = duffing.vectorField(x, mu);
      assert.deepEqual(Array.from(f), [grad[1], -grad[0]]);
    }
  });

  it('conserves H to 1e-9 (relative) over 30 time units', () => {
    const rng = createRng(1);
    for (const mu of [{ alpha: 0.5, beta: 1 }, { alpha: 2, beta: 0.1 }, { alpha: 1, beta: 0.5 }]) {
      const x0 = duffing.sampleState(rng, mu);
      const out = dopri5.solve(fieldAt(duffing, mu), x0, times(30, 300), { rtol: 1e-12, atol: 1e-14 });
      const h0 = hamiltonian(x0, mu);
      const drift = Math.max(...out.map((x) => Math.abs(hamiltonian(x, mu) - h0))) / h0;
      assert.ok(drift < 1e-9, `μ=${JSON.stringify(mu)}: drift ${drift}`);
    }
  });

  it('oscillates faster at larger amplitude (hardening spring), tending to 2π/√α at small amplitude', () => {
    const mu = { alpha: 1, beta: 1 };
    // time of the first downward zero crossing of q from (q0, 0) is a quarter period
    const quarterPeriod = (q0: number) => {
      const ts = times(3, 3000);
      const out = dopri5.solve(fieldAt(duffing, mu), Float64Array.of(q0, 0), ts, { rtol: 1e-12, atol: 1e-14 });
      const i = out.findIndex((x) => x[0] <= 0);
      return ts[i - 1] + (ts[i] - ts[i - 1]) * (out[i - 1][0] / (out[i - 1][0] - out[i][0]));
    };
    const small = quarterPeriod(1e-3);
    assert.ok(Math.abs(4 * small - 2 * Math.PI) < 1e-5, `${4 * small}`);
    assert.ok(quarterPeriod(1) < small - 0.1);
  });

  it('samples (q0, p0) uniformly in [−1, 1]², reproducibly for a seed', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 2000 }, () => duffing.sampleState(rng, { alpha: 1, beta: 0.5 }));
    };
    const states = draw(3);
    assert.ok(states.every((x) => Math.abs(x[0]) <= 1 && Math.abs(x[1]) <= 1));
    assert.ok(Math.max(...states.map((x) => x[1])) > 0.99 && Math.min(...states.map((x) => x[0])) < -0.99);
    assert.deepEqual(draw(3).map((x) => Array.from(x)), states.map((x) => Array.from(x)));
  });
});
