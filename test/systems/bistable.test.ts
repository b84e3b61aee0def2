import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import { dopri5 } from '../../src/integrators/index';
import { bistable, bistablePotential, bistableWells, BistableParams } from '../../src/systems/bistable';
import { fieldAt } from '../../src/systems/types';

const times = (dt: number, steps: number) => Array.from({ length: steps + 1 }, (_, i) => i * dt);

describe('bistable', () => {
  it('has the field (v, −a x³ + b x − c v) and energy v²/2 + a x⁴/4 − b x²/2', () => {
    const mu = { a: 2, b: 0.5, c: 0.25 };
    assert.deepEqual(Array.from(bistable.vectorField(Float64Array.of(1.5, -2), mu)), [-2, -2 * 3.375 + 0.75 + 0.5]);
    assert.equal(bistable.energy!(Float64Array.of(1.5, -2), mu), 2 + 2 * 5.0625 / 4 - 0.5 * 2.25 / 2);
    assert.deepEqual(bistable.paramNames, ['a', 'b', 'c']);
    assert.deepEqual(bistable.paramBox!.c, [0, 0]);
  });

  it('has an odd field, F(−x, −v) = −F(x, v), for any damping', () => {
    const rng = createRng(11);
    for (let k = 0; k < 50; k++) {
      const mu = { a: rng.uniformIn(0.5, 2), b: rng.uniformIn(0.5, 2), c: rng.uniformIn(0, 1) };
      const x = bistable.sampleState(rng, mu);
      const f = bistable.vectorField(x, mu);
      const fm = bistable.vectorField(Float64Array.of(-x[0], -x[1]), mu);
      assert.ok(Math.abs(f[0] + fm[0]) === 0 && Math.abs(f[1] + fm[1]) < 1e-15 * (1 + Math.abs(f[1])));
    }
  });

  it('rests at x = ±√(b/a), the minima of V, and at the barrier top x = 0', () => {
    const mu = { a: 0.8, b: 1.7, c: 0 };
    const [left, right] = bistableWells(mu);
    assert.ok(Math.abs(right - Math.sqrt(1.7 / 0.8)) < 1e-15 && left === -right);
    for (const q of [left, 0, right]) {
      assert.ok(Math.abs(bistable.vectorField(Float64Array.of(q, 0), mu)[1]) < 1e-14, `x = ${q}`);
    }
    const h = 1e-4;
    const curvature = (q: number) =>
      (bistablePotential(q + h, mu) - 2 * bistablePotential(q, mu) + bistablePotential(q - h, mu)) / (h * h);
    assert.ok(Math.abs(curvature(right) - 2 * mu.b) < 1e-6); // V'' = 3a x² − b = 2b at the wells
    assert.ok(curvature(0) < 0);
    assert.ok(Math.abs(bistablePotential(right, mu) + (mu.b * mu.b) / (4 * mu.a)) < 1e-15);
    assert.ok(Math.abs(bistable.vectorField(Float64Array.of(0.5 * right, 0), mu)[1]) > 0.1);
  });

  it('conserves energy to 1e-9 over 20 time units without damping (dopri5, tight tolerance)', () => {
    const rng = createRng(5);
    for (const mu of [
      { a: 0.5, b: 2, c: 0 },
      { a: 2, b: 0.5, c: 0 },
      { a: 1, b: 1, c: 0 },
    ]) {
      const states = dopri5.solve(fieldAt(bistable, mu), bistable.sampleState(rng, mu), times(0.05, 400), {
        rtol: 1e-12,
        atol: 1e-12,
      });
      const e0 = bistable.energy!(states[0], mu);
      const drift = Math.max(...states.map((x) => Math.abs(bistable.energy!(x, mu) - e0)));
      assert.ok(drift < 1e-9, `${JSON.stringify(mu)}: drift ${drift}`);
      assert.ok(Math.max(...states.map((x) => Math.abs(x[1]))) > 0.1); // it did move
    }
  });

  it('loses energy monotonically with damping c > 0, at the rate c·v²', () => {
    const mu: BistableParams = { a: 1, b: 1.5, c: 0.3 };
    const dt = 0.02;
    const states = dopri5.solve(fieldAt(bistable, mu), Float64Array.of(1.4, 1), times(dt, 3000), {
      rtol: 1e-11,
      atol: 1e-12,
    });
    const energies = states.map((x) => bistable.energy!(x, mu));
    for (let i = 1; i < energies.length; i++) assert.ok(energies[i] <= energies[i - 1] + 1e-12, `step ${i}`);
    // trapezoid rule on dE/dt = −c v² over the first 2 time units
    let dissipated = 0;
    for (let i = 0; i < 100; i++) dissipated += (dt / 2) * mu.c * (states[i][1] ** 2 + states[i + 1][1] ** 2);
    assert.ok(Math.abs(energies[0] - energies[100] - dissipated) < 1e-3 * dissipated);
    // it settles into a well (amplitude ∝ e^(−c t / 2) ≈ 1e-4 by t = 60)
    const [, right] = bistableWells(mu);
    assert.ok(Math.abs(Math.abs(states[3000][0]) - right) < 1e-2, `ends at ${states[3000][0]}`);
  });

  it('samples initial states in the documented box, reproducibly', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 1000 }, () => Array.from(bistable.sampleState(rng, { a: 1, b: 1, c: 0 })));
    };
    const xs = draw(2);
    assert.ok(xs.every(([q, v]) => Math.abs(q) <= 1.5 && Math.abs(v) <= 1));
    assert.ok(Math.max(...xs.map(([q]) => q)) > 1.4 && Math.min(...xs.map(([, v]) => v)) < -0.9);
    assert.deepEqual(draw(2), xs);
  });
});
