import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import {
  HAMILTONIAN_PENDULUM_G as g,
  hamiltonian,
  hamiltonianGradient,
  hamiltonianPendulum,
} from '../../src/systems/hamiltonianPendulum';
import { fieldAt } from '../../src/systems/types';

const times = (t1: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (i * t1) / n);
const tight = { rtol: 1e-12, atol: 1e-14 };

describe('hamiltonianPendulum', () => {
  it('has H = p²/(2ml²) + mgl(1 − cos q) and the field J∇H = (p/(ml²), −mgl sin q)', () => {
    const mu = { m: 2, l: 0.5 };
    const x = Float64Array.of(0.3, -1.2);
    assert.ok(Math.abs(hamiltonian(x, mu) - (1.44 / 1 + 9.81 * (1 - Math.cos(0.3)))) < 1e-15);
    assert.equal(hamiltonianPendulum.energy, hamiltonian);
    const f = hamiltonianPendulum.vectorField(x, mu);
    assert.ok(Math.abs(f[0] - -1.2 / 0.5) < 1e-15 && Math.abs(f[1] - -9.81 * Math.sin(0.3)) < 1e-15);
    const [dHdq, dHdp] = hamiltonianGradient(x, mu);
    assert.deepEqual(Array.from(f), [dHdp, -dHdq]);
    assert.equal(g, 9.81);
    assert.deepEqual(hamiltonianPendulum.paramBox, { m: [0.5, 2], l: [0.5, 2] });
  });

  it('conserves H to 1e-9 (relative) over 20 time units', () => {
    const rng = createRng(4);
    for (const mu of [{ m: 0.5, l: 0.5 }, { m: 2, l: 1 }, { m: 1, l: 2 }]) {
      const x0 = hamiltonianPendulum.sampleState(rng, mu);
      const out = dopri5.solve(fieldAt(hamiltonianPendulum, mu), x0, times(20, 400), tight);
      const h0 = hamiltonian(x0, mu);
      const drift = Math.max(...out.map((x) => Math.abs(hamiltonian(x, mu) - h0))) / h0;
      assert.ok(drift < 1e-9, `μ=${JSON.stringify(mu)}: drift ${drift}`);
    }
  });

  it('has the small-angle period 2π√(l/g), whatever m', () => {
    const q0 = 1e-3; // finite amplitude lengthens the period by q0²/16 ≈ 6e-8 (relative)
    for (const mu of [{ m: 0.5, l: 2 }, { m: 2, l: 2 }, { m: 1, l: 0.5 }]) {
      const omega = Math.sqrt(g / mu.l);
      const period = (2 * Math.PI) / omega;
      const x0 = Float64Array.of(q0, 0);
      const [, half, full] = dopri5.solve(fieldAt(hamiltonianPendulum, mu), x0, [0, period / 2, period], tight);
      // p = −m l² ω q0 sin(ωt): a relative period error ε leaves p(T)/(m l² ω q0) ≈ 2πε
      const pScale = mu.m * mu.l * mu.l * omega * q0;
      assert.ok(Math.abs(full[1]) / pScale < 1e-6, `μ=${JSON.stringify(mu)}: p(T) = ${full[1]}`);
      assert.ok(Math.abs(half[0] + q0) < 1e-9 && Math.abs(full[0] - q0) < 1e-9, `μ=${JSON.stringify(mu)}`);
    }
  });

  it('samples librations only: q0 in [−π/2, π/2], p0 in [−1, 1], H below the separatrix 2mgl', () => {
    const draw = (mu: { m: number; l: number }, seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 3000 }, () => hamiltonianPendulum.sampleState(rng, mu));
    };
    const light = { m: 0.5, l: 0.5 };
    const lightStates = draw(light, 8);
    assert.ok(lightStates.every((x) => Math.abs(x[0]) <= Math.PI / 2 && Math.abs(x[1]) <= 1));
    assert.ok(lightStates.every((x) => hamiltonian(x, light) < 2 * light.m * g * light.l));
    // at q0 ≈ ±π/2 the light pendulum rotates once |p0| > √(2m²gl³) ≈ 0.78, so such draws are gone
    assert.ok(!lightStates.some((x) => Math.abs(x[0]) > 1.5 && Math.abs(x[1]) > 0.8));
    // the heavy pendulum librates everywhere in the square, so nothing is rejected and the corners are reached
    const heavy = draw({ m: 2, l: 2 }, 8);
    assert.ok(heavy.some((x) => Math.abs(x[0]) > 1.5 && Math.abs(x[1]) > 0.95));
    assert.deepEqual(draw(light, 8).map((x) => Array.from(x)), lightStates.map((x) => Array.from(x)));
  });
});
