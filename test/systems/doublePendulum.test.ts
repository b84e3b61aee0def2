import { strict as assert } from 'assert';
import { createRng } from '../../src/core/rng';
import type { State } from '../../src/core/state';
import { dopri5 } from '../../src/integrators/index';
import {
  DOUBLE_PENDULUM_G as g,
  doublePendulum,
  doublePendulumGeneralisedForce,
  doublePendulumMassMatrix,
} from '../../src/systems/doublePendulum';
import { fieldAt } from '../../src/systems/types';

const times = (dt: number, steps: number) => Array.from({ length: steps + 1 }, (_, i) => i * dt);

/** The textbook closed form of the accelerations for m1 = m2 = 1 (e.g. myPhysicsLab), independent of M and Q. */
function textbookAccelerations([th1, th2, w1, w2]: State, l1: number, l2: number): [number, number] {
  const d = th1 - th2;
  const den = 3 - Math.cos(2 * d);
  return [
    (-3 * g * Math.sin(th1) - g * Math.sin(th1 - 2 * th2) - 2 * Math.sin(d) * (w2 * w2 * l2 + w1 * w1 * l1 * Math.cos(d))) /
      (l1 * den),
    (2 * Math.sin(d) * (2 * w1 * w1 * l1 + 2 * g * Math.cos(th1) + w2 * w2 * l2 * Math.cos(d))) / (l2 * den),
  ];
}

/** T + V from the Cartesian positions and velocities of the two unit masses. */
function cartesianEnergy([th1, th2, w1, w2]: State, l1: number, l2: number): number {
  const v1 = [l1 * Math.cos(th1) * w1, l1 * Math.sin(th1) * w1];
  const v2 = [v1[0] + l2 * Math.cos(th2) * w2, v1[1] + l2 * Math.sin(th2) * w2];
  const y1 = -l1 * Math.cos(th1);
  const y2 = y1 - l2 * Math.cos(th2);
  return 0.5 * (v1[0] ** 2 + v1[1] ** 2 + v2[0] ** 2 + v2[1] ** 2) + g * (y1 + y2);
}

/** Squared normal-mode frequencies of the linearised system for m1 = m2: roots of det(K − λ M(0)) = 0. */
function analyticModes(l1: number, l2: number): [number, number] {
  const s = l1 + l2;
  const root = Math.sqrt(s * s - 2 * l1 * l2);
  return [(g * (s - root)) / (l1 * l2), (g * (s + root)) / (l1 * l2)];
}

describe('doublePendulum', () => {
  const rng = createRng(21);
  const randomState = () =>
    Float64Array.of(rng.uniformIn(-3, 3), rng.uniformIn(-3, 3), rng.uniformIn(-4, 4), rng.uniformIn(-4, 4));

  it('has the textbook accelerations and the Cartesian energy', () => {
    for (let k = 0; k < 50; k++) {
      const mu = { l1: rng.uniformIn(0.5, 1.5), l2: rng.uniformIn(0.5, 1.5) };
      const x = randomState();
      const f = doublePendulum.vectorField(x, mu);
      const [a1, a2] = textbookAccelerations(x, mu.l1, mu.l2);
      assert.deepEqual([f[0], f[1]], [x[2], x[3]]);
      assert.ok(Math.abs(f[2] - a1) < 1e-12 * (1 + Math.abs(a1)) && Math.abs(f[3] - a2) < 1e-12 * (1 + Math.abs(a2)));
      const e = cartesianEnergy(x, mu.l1, mu.l2);
      assert.ok(Math.abs(doublePendulum.energy!(x, mu) - e) < 1e-12 * (1 + Math.abs(e)));
    }
  });

  it('has a symmetric positive definite mass matrix with M θ\'\' = Q', () => {
    for (let k = 0; k < 200; k++) {
      const mu = { l1: rng.uniformIn(0.5, 1.5), l2: rng.uniformIn(0.5, 1.5) };
      const x = randomState();
      const { m11, m12, m22 } = doublePendulumMassMatrix(x, mu);
      // for m1 = m2 = 1: det M = l1² l2² (1 + sin² Δ) ≥ l1² l2²
      assert.ok(m11 > 0 && m22 > 0 && m11 * m22 - m12 * m12 >= (mu.l1 * mu.l2) ** 2 * (1 - 1e-12));
      const f = doublePendulum.vectorField(x, mu);
      const [q1, q2] = doublePendulumGeneralisedForce(x, mu);
      assert.ok(Math.abs(m11 * f[2] + m12 * f[3] - q1) < 1e-12 * (1 + Math.abs(q1)));
      assert.ok(Math.abs(m12 * f[2] + m22 * f[3] - q2) < 1e-12 * (1 + Math.abs(q2)));
      // kinetic energy is ½ ωᵀ M ω
      const rest = doublePendulum.energy!(Float64Array.of(x[0], x[1], 0, 0), mu);
      const kinetic = 0.5 * (m11 * x[2] ** 2 + 2 * m12 * x[2] * x[3] + m22 * x[3] ** 2);
      assert.ok(Math.abs(doublePendulum.energy!(x, mu) - rest - kinetic) < 1e-12 * (1 + kinetic));
    }
  });

  it('linearises at rest to the normal modes ω² = (g/l)(2 ∓ √2) for l1 = l2 = l, and the general roots otherwise', () => {
    for (const [l1, l2] of [
      [1, 1],
      [0.7, 0.7],
      [0.5, 1.5],
      [1.3, 0.8],
    ]) {
      const mu = { l1, l2 };
      // Jacobian block A = ∂θ''/∂θ at the origin by central differences; its eigenvalues are −ω².
      const h = 1e-6;
      const column = (j: number) => {
        const plus = new Float64Array(4);
        const minus = new Float64Array(4);
        plus[j] = h;
        minus[j] = -h;
        const fp = doublePendulum.vectorField(plus, mu);
        const fm = doublePendulum.vectorField(minus, mu);
        return [(fp[2] - fm[2]) / (2 * h), (fp[3] - fm[3]) / (2 * h)];
      };
      const [[a11, a21], [a12, a22]] = [column(0), column(1)];
      const tr = a11 + a22;
      const det = a11 * a22 - a12 * a21;
      const disc = Math.sqrt(tr * tr - 4 * det);
      const measured = [(-tr - disc) / 2, (-tr + disc) / 2]; // −eigenvalues, ascending
      const expected = l1 === l2 ? [(g / l1) * (2 - Math.SQRT2), (g / l1) * (2 + Math.SQRT2)] : analyticModes(l1, l2);
      for (let m = 0; m < 2; m++) {
        assert.ok(Math.abs(measured[m] / expected[m] - 1) < 1e-7, `l=(${l1},${l2}) mode ${m}: ${measured[m]} vs ${expected[m]}`);
      }
    }
  });

  it('oscillates in a pure normal mode θ = ε (1, ±√2) cos(ω t) at small amplitude (l1 = l2)', () => {
    const l = 0.9;
    const mu = { l1: l, l2: l };
    const eps = 1e-4;
    for (const sign of [1, -1]) {
      const omega = Math.sqrt((g / l) * (2 - sign * Math.SQRT2));
      const ts = times((2 * Math.PI) / omega / 50, 150); // three periods
      const states = dopri5.solve(fieldAt(doublePendulum, mu), Float64Array.of(eps, sign * Math.SQRT2 * eps, 0, 0), ts, {
        rtol: 1e-12,
        atol: 1e-18,
      });
      const err = Math.max(
        ...states.map((x, i) => {
          const c = eps * Math.cos(omega * ts[i]);
          return Math.max(Math.abs(x[0] - c), Math.abs(x[1] - sign * Math.SQRT2 * c));
        }),
      );
      // the cubic terms shift the frequency by O(ε²): a phase error of ~1e-8 · ωt, i.e. ~1e-11 rad here
      assert.ok(err < 1e-6 * eps, `mode ${sign}: ${err}`);
    }
  });

  it('conserves energy to 1e-8 (relative) over 10 s of chaotic motion with dopri5', () => {
    const sampler = createRng(4);
    for (const mu of [
      { l1: 1, l2: 1 },
      { l1: 0.5, l2: 1.5 },
      { l1: 1.5, l2: 0.6 },
    ]) {
      const x0 = doublePendulum.sampleState(sampler, mu);
      const states = dopri5.solve(fieldAt(doublePendulum, mu), x0, times(0.02, 500), { rtol: 1e-12, atol: 1e-12 });
      const e0 = doublePendulum.energy!(states[0], mu);
      const scale = (2 * mu.l1 + mu.l2) * g; // the range of V
      const drift = Math.max(...states.map((x) => Math.abs(doublePendulum.energy!(x, mu) - e0)));
      assert.ok(drift < 1e-8 * scale, `${JSON.stringify(mu)}: drift ${drift}`);
    }
  });

  it('samples both angles in [−π/2, π/2] at rest, reproducibly', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: 1000 }, () => Array.from(doublePendulum.sampleState(r, { l1: 1, l2: 1 })));
    };
    const xs = draw(9);
    assert.ok(xs.every((x) => Math.abs(x[0]) <= Math.PI / 2 && Math.abs(x[1]) <= Math.PI / 2 && x[2] === 0 && x[3] === 0));
    assert.ok(Math.max(...xs.map((x) => x[1])) > 1.5 && Math.min(...xs.map((x) => x[0])) < -1.5);
    assert.deepEqual(draw(9), xs);
  });
});
