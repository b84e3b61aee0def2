import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import type { State } from '../../src/core/state';
import { dopri5 } from '../../src/integrators/index';
import {
  SLINKY_PHYSICS,
  createSlinky,
  slinky,
  slinkyElasticEnergy,
  slinkyGeneralisedForce,
  slinkyHangingEquilibrium,
  slinkyHangingModes,
  slinkyPotentialEnergy,
  slinkyRelativeCoordinates,
} from '../../src/systems/slinky';
import { fieldAt } from '../../src/systems/types';

const { mass: m, gravity: g, restPitch } = SLINKY_PHYSICS;
const mu = { kAxial: 90, kShear: 100, kBending: 1.2e-3 };
const times = (dt: number, steps: number) => Array.from({ length: steps + 1 }, (_, i) => i * dt);

/** A state with each cycle's (x, y, α) mapped by `pose`; rates are copied. */
function mapPoses(state: State, pose: (x: number, y: number, a: number) => [number, number, number]): State {
  const out = Float64Array.from(state);
  for (let s = 0; s < state.length; s += 6) out.set(pose(state[s], state[s + 1], state[s + 2]), s);
  return out;
}

/** The same chain with its cycles listed bottom to top. */
function reversed(state: State): State {
  const n = state.length / 6;
  const out = new Float64Array(state.length);
  for (let i = 0; i < n; i++) out.set(state.subarray(6 * (n - 1 - i), 6 * (n - i)), 6 * i);
  return out;
}

/** A deformed, moving chain: the sampled initial state with random rates. */
function randomState(seed: number, cycles = 10): State {
  const rng = createRng(seed);
  const x = createSlinky({ cycles }).sampleState(rng, mu);
  for (let s = 0; s < x.length; s += 6) {
    x[s + 3] = rng.uniformIn(-0.1, 0.1);
    x[s + 4] = rng.uniformIn(-0.1, 0.1);
    x[s + 5] = rng.uniformIn(-1, 1);
  }
  return x;
}

const relClose = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-300);

describe('slinky', () => {
  it('gives each link (ξ, η, θ) in the frame of the bisector angle', () => {
    // three cycles; link 1 has β = 0.2, link 2 has β = (0.6 + 1.0)/2 = 0.8
    const x = new Float64Array(18);
    x.set([0, 0, -0.2], 0);
    x.set([0.03, 0.01, 0.6], 6);
    x.set([0.07, 0.01, 1.0], 12);
    const r = slinkyRelativeCoordinates(x);
    const [c1, s1, c2, s2] = [Math.cos(0.2), Math.sin(0.2), Math.cos(0.8), Math.sin(0.8)];
    const expected = [c1 * 0.03 + s1 * 0.01, -s1 * 0.03 + c1 * 0.01, 0.8, c2 * 0.04, -s2 * 0.04, 0.4];
    assert.equal(r.length, 6);
    expected.forEach((v, k) => assert.ok(Math.abs(r[k] - v) < 1e-15, `entry ${k}: ${r[k]} vs ${v}`));
    // the elastic energy is the quadratic form on them (ξ > 0 here)
    const e = 0.5 * [0, 3].reduce((s, k) => s + mu.kAxial * (r[k] - restPitch) ** 2 + mu.kShear * r[k + 1] ** 2 + mu.kBending * r[k + 2] ** 2, 0);
    assert.ok(relClose(slinkyElasticEnergy(x, mu), e, 1e-14));
  });

  it('has forces equal to minus central finite differences of the potential energy', () => {
    // the reversed chains have every ξ < 0, where the |ξ| of the axial law flips the sign of its derivative
    for (const [seed, x] of [1, 2, 3].flatMap((k): [number, State][] => [[k, randomState(k)], [-k, reversed(randomState(k))]])) {
      const force = slinkyGeneralisedForce(x, mu);
      const scale = Math.max(...Array.from(force, Math.abs));
      for (let i = 0; i < 10; i++) {
        for (let d = 0; d < 3; d++) {
          const h = d === 2 ? 1e-6 : 1e-7;
          const plus = Float64Array.from(x);
          const minus = Float64Array.from(x);
          plus[6 * i + d] += h;
          minus[6 * i + d] -= h;
          const fd = -(slinkyPotentialEnergy(plus, mu) - slinkyPotentialEnergy(minus, mu)) / (2 * h);
          const f = force[3 * i + d];
          assert.ok(Math.abs(f - fd) < 1e-6 * scale, `seed ${seed}, cycle ${i}, dof ${d}: ${f} vs ${fd}`);
        }
      }
    }
  });

  it('has an elastic energy invariant under translation, rotation (α + φ), x-reflection (α → −α) and chain reversal', () => {
    for (const seed of [4, 5]) {
      const x = randomState(seed);
      const e = slinkyElasticEnergy(x, mu);
      const phi = 0.7;
      const [c, s] = [Math.cos(phi), Math.sin(phi)];
      const images: [string, State][] = [
        ['translation', mapPoses(x, (px, py, a) => [px + 0.3, py - 1.2, a])],
        ['rotation', mapPoses(x, (px, py, a) => [c * px - s * py, s * px + c * py, a + phi])],
        ['x-reflection', mapPoses(x, (px, py, a) => [-px, py, -a])],
        ['y-reflection', mapPoses(x, (px, py, a) => [px, -py, -a])],
        ['reversal', reversed(x)],
      ];
      for (const [name, image] of images) assert.ok(relClose(slinkyElasticEnergy(image, mu), e, 1e-12), name);
      // a non-rigid change is seen
      const bent = Float64Array.from(x);
      bent[6 * 4] += 1e-3;
      assert.ok(!relClose(slinkyElasticEnergy(bent, mu), e, 1e-3));
    }
  });

  it('rotates its forces with the chain (equivariance) and balances them: Σ F = weight, Σ torque = torque of the weight', () => {
    const x = randomState(6);
    const f = slinkyGeneralisedForce(x, mu);
    const phi = -1.1;
    const [c, s] = [Math.cos(phi), Math.sin(phi)];
    // elastic parts only, since gravity is not rotated
    const elastic = (state: State) => slinkyGeneralisedForce(state, mu).map((v, k) => (k % 3 === 1 ? v + m * g : v));
    const fe = elastic(x);
    const fr = elastic(mapPoses(x, (px, py, a) => [c * px - s * py, s * px + c * py, a + phi]));
    const scale = Math.max(...Array.from(fe, Math.abs));
    for (let i = 0; i < 10; i++) {
      const [fx, fy, tau] = [fe[3 * i], fe[3 * i + 1], fe[3 * i + 2]];
      assert.ok(Math.abs(fr[3 * i] - (c * fx - s * fy)) < 1e-12 * scale);
      assert.ok(Math.abs(fr[3 * i + 1] - (s * fx + c * fy)) < 1e-12 * scale);
      assert.ok(Math.abs(fr[3 * i + 2] - tau) < 1e-12 * scale);
    }
    let [sumX, sumY, torque, weightTorque] = [0, 0, 0, 0];
    for (let i = 0; i < 10; i++) {
      const [px, py] = [x[6 * i], x[6 * i + 1]];
      sumX += f[3 * i];
      sumY += f[3 * i + 1];
      torque += px * f[3 * i + 1] - py * f[3 * i] + f[3 * i + 2];
      weightTorque += -px * m * g;
    }
    assert.ok(Math.abs(sumX) < 1e-12 * scale && Math.abs(sumY + 10 * m * g) < 1e-12 * scale);
    assert.ok(Math.abs(torque - weightTorque) < 1e-12 * scale);
  });

  it('hangs in static equilibrium, links stretched by the weight below them', () => {
    const eq = slinkyHangingEquilibrium(10, mu);
    const accel = slinky.vectorField(eq, mu);
    assert.ok(Math.max(...Array.from(accel, Math.abs)) < 1e-12 * g, `${Math.max(...Array.from(accel, Math.abs))}`);
    const r = slinkyRelativeCoordinates(eq);
    assert.ok(Math.abs(r[0] - (restPitch + (9 * m * g) / mu.kAxial)) < 1e-15 && Math.abs(r[24] - (restPitch + (m * g) / mu.kAxial)) < 1e-15);
    // the stretch matters: the same shape is out of balance for another axial stiffness
    assert.ok(Math.max(...Array.from(slinky.vectorField(eq, { ...mu, kAxial: 2 * mu.kAxial }), Math.abs)) > 0.1 * g);
    // and it is stable: a small kick stays small
    const kicked = Float64Array.from(eq);
    for (let i = 1; i < 10; i++) kicked[6 * i + 3] = 1e-3 * Math.sin(i);
    const path = dopri5.solve(fieldAt(slinky, mu), kicked, times(0.01, 50), { rtol: 1e-8, atol: 1e-12 });
    const deviation = (d: number) =>
      Math.max(...path.map((x) => Math.max(...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => Math.abs(x[6 * i + d] - eq[6 * i + d])))));
    // 1 mm/s against swing frequencies of ~10 rad/s: displacements of ~0.1 mm, rocking of ~1e-3 rad
    assert.ok(deviation(0) < 1e-4 && deviation(1) < 1e-4 && deviation(2) < 5e-3, `${[0, 1, 2].map(deviation)}`);
  });

  it('gives the small-oscillation frequencies of the hanging chain: one free cycle bobs at √(k_a/m), every mode is stable', () => {
    // one free cycle below a clamped one: its vertical motion only stretches the axial spring (the bisector frame
    // does not turn), so ω = √(k_a/m) exactly; x and α couple through shear and bending into the other two modes
    const two = slinkyHangingModes(2, mu);
    assert.equal(two.length, 3);
    assert.ok(two.some((w) => relClose(w, Math.sqrt(mu.kAxial / m), 1e-6)), `${two}`);
    assert.ok(!two.some((w) => relClose(w, Math.sqrt((2 * mu.kAxial) / m), 1e-2)), 'a doubled stiffness must not match');
    const ten = slinkyHangingModes(10, mu);
    assert.equal(ten.length, 27);
    assert.ok(ten[0] > 1, `softest mode ${ten[0]} rad/s: the hanging chain is stable`);
    // stiffer springs raise the stiffest mode as √k
    const stiffer = slinkyHangingModes(10, { kAxial: 4 * mu.kAxial, kShear: 4 * mu.kShear, kBending: 4 * mu.kBending });
    assert.ok(relClose(stiffer[26], 2 * ten[26], 0.05), `${stiffer[26]} against ${2 * ten[26]}`);
  });

  it('conserves total mechanical energy to 1e-6 (relative) with dopri5, clamped or free', () => {
    for (const clampTop of [true, false]) {
      const system = createSlinky({ clampTop });
      const x0 = system.sampleState(createRng(7), mu);
      const path = dopri5.solve(fieldAt(system, mu), x0, times(0.005, 60), { rtol: 1e-10, atol: 1e-13 });
      const e0 = system.energy!(path[0], mu);
      // the energy that moves around: the largest kinetic energy reached (the potential's zero is arbitrary)
      const kinetic = path.map((x) => system.energy!(x, mu) - slinkyPotentialEnergy(x, mu));
      const drift = Math.max(...path.map((x) => Math.abs(system.energy!(x, mu) - e0)));
      assert.ok(Math.max(...kinetic) > 1e-5, 'it moved');
      assert.ok(drift < 1e-6 * Math.max(...kinetic), `clampTop=${clampTop}: drift ${drift}, kinetic ${Math.max(...kinetic)}`);
      const end = path[path.length - 1];
      if (clampTop) assert.deepEqual(Array.from(end.subarray(0, 6)), Array.from(x0.subarray(0, 6)));
      else assert.ok(Math.abs((end[1] - x0[1]) + (g * 0.3 ** 2) / 2) < 0.02, 'the free top falls with the chain');
    }
  });

  it('lets a free chain fall with its centre of mass accelerating at g', () => {
    const free = createSlinky({ clampTop: false });
    const f = free.vectorField(randomState(8), mu);
    let [ax, ay] = [0, 0];
    for (let i = 0; i < 10; i++) [ax, ay] = [ax + f[6 * i + 3] / 10, ay + f[6 * i + 4] / 10];
    assert.ok(Math.abs(ax) < 1e-12 && Math.abs(ay + g) < 1e-12, `${ax}, ${ay}`);
    assert.equal(free.name, 'slinkyFree');
  });

  it('samples swung, jittered hanging states at rest, reproducibly, with the top at the origin', () => {
    const draw = (seed: number) => slinky.sampleState(createRng(seed), mu);
    const x = draw(12);
    assert.equal(x.length, slinky.stateDim);
    assert.deepEqual(Array.from(draw(12)), Array.from(x));
    assert.ok(x[0] === 0 && x[1] === 0 && Math.abs(x[2] + Math.PI / 2) <= Math.PI / 6);
    for (let i = 0; i < 10; i++) assert.deepEqual(Array.from(x.subarray(6 * i + 3, 6 * i + 6)), [0, 0, 0]);
    const r = slinkyRelativeCoordinates(x);
    for (let k = 0; k < r.length; k += 3) {
      assert.ok(r[k] > 0.5 * restPitch && r[k] < 2 * restPitch && Math.abs(r[k + 1]) < 3e-3 && Math.abs(r[k + 2]) < 0.1, `link ${k / 3}`);
    }
    const swings = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => draw(seed)[2] + Math.PI / 2);
    assert.ok(Math.max(...swings) - Math.min(...swings) > 0.3);
  });

  it('rejects bad sizes naming the field', () => {
    assert.throws(() => createSlinky({ cycles: 1 }), (e: Error) => e instanceof ConfigError && /^cycles must be an integer >= 2/.test(e.message));
    assert.throws(() => createSlinky({ clampTop: 'yes' as unknown as boolean }), /clampTop must be true or false/);
    assert.throws(() => slinkyRelativeCoordinates(new Float64Array(13)), /6·N entries/);
    assert.throws(() => slinkyHangingEquilibrium(0, mu), /cycles must be/);
    assert.equal(createSlinky({ cycles: 4 }).stateDim, 24);
  });
});
