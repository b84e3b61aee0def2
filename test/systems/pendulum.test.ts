import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import type { State } from '../../src/core/state';
import { simulatePendulum } from '../../src/data/pendulumSimulation';
import { pendulum } from '../../src/systems/pendulum';

/** Complete elliptic integral of the first kind, K(k) = π / (2·AGM(1, √(1 − k²))). */
function ellipticK(k: number): number {
  let a = 1;
  let b = Math.sqrt(1 - k * k);
  while (Math.abs(a - b) > 1e-15 * a) [a, b] = [(a + b) / 2, Math.sqrt(a * b)];
  return Math.PI / (2 * a);
}

/**
 * Times where θ crosses 0 downwards, each located inside its sample interval by the cubic Hermite interpolant of
 * (θ, θ' = ω) at both ends (error O(dt⁴)) and bisection.
 */
function downwardZeroCrossings(states: State[], dt: number): number[] {
  const crossings: number[] = [];
  for (let i = 0; i + 1 < states.length; i++) {
    const [th0, om0] = states[i];
    const [th1, om1] = states[i + 1];
    if (!(th0 > 0 && th1 <= 0)) continue;
    const hermite = (s: number) =>
      (2 * s ** 3 - 3 * s ** 2 + 1) * th0 +
      (s ** 3 - 2 * s ** 2 + s) * dt * om0 +
      (-2 * s ** 3 + 3 * s ** 2) * th1 +
      (s ** 3 - s ** 2) * dt * om1;
    let [lo, hi] = [0, 1];
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (hermite(mid) > 0) lo = mid;
      else hi = mid;
    }
    crossings.push((i + lo) * dt);
  }
  return crossings;
}

function measuredPeriod(L: number, g: number, theta0: number): number {
  const dt = 1e-3;
  const steps = Math.ceil((1.6 * 7.5 * Math.sqrt(L / g)) / dt); // > 1.5 periods even at amplitude π/2
  const states = simulatePendulum({ L, g, theta0, omega0: 0, dt, steps, rtol: 1e-12, atol: 1e-14 });
  const [first, second] = downwardZeroCrossings(states, dt);
  return second - first;
}

describe('pendulum', () => {
  it('has the vector field (ω, −(g/L) sin θ) and energy ω²/2 − (g/L) cos θ', () => {
    const mu = { L: 2, g: 10 };
    const x = Float64Array.of(0.3, -1.2);
    assert.deepEqual(Array.from(pendulum.vectorField(x, mu)), [-1.2, -5 * Math.sin(0.3)]);
    assert.equal(pendulum.energy!(x, mu), 0.72 - 5 * Math.cos(0.3));
    assert.equal(pendulum.stateDim, 2);
    assert.deepEqual(pendulum.paramNames, ['L', 'g']);
  });

  it('samples θ uniformly in [−π/2, π/2] at rest, reproducibly for a seed', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 2000 }, () => pendulum.sampleState(rng, { L: 1, g: 10 }));
    };
    const states = draw(7);
    assert.ok(states.every((x) => x.length === 2 && x[1] === 0 && Math.abs(x[0]) <= Math.PI / 2));
    const mean = states.reduce((s, x) => s + x[0], 0) / states.length;
    assert.ok(Math.abs(mean) < 0.1, `mean ${mean}`); // sd of the mean ≈ 0.02
    assert.ok(Math.max(...states.map((x) => x[0])) > 1.5 && Math.min(...states.map((x) => x[0])) < -1.5);
    assert.deepEqual(draw(7).map((x) => x[0]), states.map((x) => x[0]));
  });

  it('conserves energy to 1e-8 over 10 s with dopri5 at tight tolerance', () => {
    const rng = createRng(3);
    for (const L of [1, 4, 10]) {
      const theta0 = pendulum.sampleState(rng, { L, g: 10 })[0];
      const states = simulatePendulum({ L, theta0, omega0: 0.5, dt: 0.01, steps: 1000, rtol: 1e-12, atol: 1e-14 });
      const e0 = pendulum.energy!(states[0], { L, g: 10 });
      const drift = Math.max(...states.map((x) => Math.abs(pendulum.energy!(x, { L, g: 10 }) - e0)));
      assert.ok(drift < 1e-8, `L=${L}: drift ${drift}`);
    }
  });

  it('has the small-angle period 2π√(L/g)', () => {
    const [L, g] = [2, 9.81];
    const period = measuredPeriod(L, g, 1e-3);
    // finite amplitude lengthens it by θ0²/16 ≈ 6e-8 (relative)
    assert.ok(Math.abs(period / (2 * Math.PI * Math.sqrt(L / g)) - 1) < 1e-6, `${period}`);
  });

  it('has the period 4√(L/g)·K(sin(π/4)) at amplitude π/2', () => {
    const [L, g] = [3, 10];
    const exact = 4 * Math.sqrt(L / g) * ellipticK(Math.sin(Math.PI / 4));
    const period = measuredPeriod(L, g, Math.PI / 2);
    assert.ok(Math.abs(period / exact - 1) < 1e-8, `${period} vs ${exact}`);
    assert.ok(Math.abs(ellipticK(Math.SQRT1_2) - 1.854074677301372) < 1e-14); // K(1/√2) = Γ(1/4)²/(4√π)
  });
});
