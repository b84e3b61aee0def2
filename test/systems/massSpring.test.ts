import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import { hamiltonian, hamiltonianGradient, massSpring } from '../../src/systems/massSpring';
import { fieldAt } from '../../src/systems/types';

const times = (t1: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (i * t1) / n);

describe('massSpring', () => {
  it('has H = p²/(2m) + kq²/2 and the field J∇H = (p/m, −kq)', () => {
    const mu = { m: 2, k: 3 };
    const x = Float64Array.of(0.5, -1.5);
    assert.equal(hamiltonian(x, mu), 2.25 / 4 + 3 * 0.125);
    assert.equal(massSpring.energy, hamiltonian);
    assert.deepEqual(Array.from(massSpring.vectorField(x, mu)), [-0.75, -1.5]);
    const [dHdq, dHdp] = hamiltonianGradient(x, mu);
    assert.deepEqual(Array.from(massSpring.vectorField(x, mu)), [dHdp, -dHdq]);
    assert.deepEqual(massSpring.paramNames, ['m', 'k']);
    assert.deepEqual(massSpring.paramBox, { m: [1, 5], k: [1, 5] });
  });

  it('follows the exact solution q = A cos(√(k/m) t + φ), p = m q̇ under dopri5', () => {
    const rng = createRng(11);
    const ts = times(3, 30);
    for (const mu of [{ m: 1, k: 1 }, { m: 1, k: 5 }, { m: 5, k: 1 }, { m: 2.5, k: 4 }]) {
      const x0 = massSpring.sampleState(rng, mu);
      const omega = Math.sqrt(mu.k / mu.m);
      // q0 = A cos φ, p0 = −m A ω sin φ
      const amplitude = Math.hypot(x0[0], x0[1] / (mu.m * omega));
      const phase = Math.atan2(-x0[1] / (mu.m * omega), x0[0]);
      const out = dopri5.solve(fieldAt(massSpring, mu), x0, ts, { rtol: 1e-11, atol: 1e-13 });
      ts.forEach((t, i) => {
        const q = amplitude * Math.cos(omega * t + phase);
        const p = -mu.m * amplitude * omega * Math.sin(omega * t + phase);
        assert.ok(Math.abs(out[i][0] - q) < 1e-9 && Math.abs(out[i][1] - p) < 1e-9, `μ=${JSON.stringify(mu)} t=${t}`);
      });
    }
  });

  it('conserves H to 1e-9 (relative) over 50 time units', () => {
    const rng = createRng(2);
    for (const mu of [{ m: 1, k: 5 }, { m: 4, k: 2 }]) {
      const x0 = massSpring.sampleState(rng, mu);
      const out = dopri5.solve(fieldAt(massSpring, mu), x0, times(50, 500), { rtol: 1e-12, atol: 1e-14 });
      const h0 = hamiltonian(x0, mu);
      const drift = Math.max(...out.map((x) => Math.abs(hamiltonian(x, mu) - h0))) / h0;
      assert.ok(drift < 1e-9, `drift ${drift}`);
    }
  });

  it('samples radius √(q0² + p0²) in [0.1, 1] at every angle, reproducibly for a seed', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 2000 }, () => massSpring.sampleState(rng, { m: 1, k: 1 }));
    };
    const states = draw(5);
    const radii = states.map((x) => Math.hypot(x[0], x[1]));
    assert.ok(radii.every((r) => r >= 0.1 - 1e-15 && r <= 1 + 1e-15));
    assert.ok(Math.min(...radii) < 0.12 && Math.max(...radii) > 0.98);
    for (const [sq, sp] of [[1, 1], [1, -1], [-1, 1], [-1, -1]]) {
      const inQuadrant = states.filter((x) => x[0] * sq > 0 && x[1] * sp > 0).length;
      assert.ok(Math.abs(inQuadrant / states.length - 0.25) < 0.05, `quadrant (${sq}, ${sp}): ${inQuadrant}`);
    }
    assert.deepEqual(draw(5).map((x) => Array.from(x)), states.map((x) => Array.from(x)));
  });
});
