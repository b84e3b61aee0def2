/**
 * The time derivative of a uniformly sampled trajectory x_0, …, x_{T−1} (step dt) by fourth-order finite differences,
 * for data that give states only (the iMODE pendulum files): field targets ẋ without the true ODE.
 *
 *   inside (2 ≤ i ≤ T − 3)   ẋ_i = (x_{i−2} − 8 x_{i−1} + 8 x_{i+1} − x_{i+2}) / (12 dt)
 *   i = 0                    ẋ_0 = (−25 x_0 + 48 x_1 − 36 x_2 + 16 x_3 − 3 x_4) / (12 dt)
 *   i = 1                    ẋ_1 = (−3 x_0 − 10 x_1 + 18 x_2 − 6 x_3 + x_4) / (12 dt)
 *   and the mirror images (signs flipped, order reversed) at i = T − 2 and T − 1.
 *
 * Every stencil is exact for polynomials of degree ≤ 4 and has error O(dt⁴) (the central one −dt⁴ x⁽⁵⁾ / 30, the
 * one-sided ones up to 6× larger), so the ends are kept rather than dropped: every state of the data gets a target.
 * Five samples are the fewest the stencils need.
 */
import { ConfigError, DataError } from '../core/errors';

/** Stencil weights (times 1 / (12 dt)) over x_0 … x_4 for the first two samples; the last two use their mirror. */
const FORWARD: readonly (readonly number[])[] = [
  [-25, 48, -36, 16, -3],
  [-3, -10, 18, -6, 1],
];
const CENTRAL: readonly number[] = [1, -8, 0, 8, -1];
export const MIN_FINITE_DIFFERENCE_SAMPLES = 5;

/** ẋ at every sample of `states` ([T][d], T ≥ 5, step dt > 0), fourth order (header). */
export function timeDerivative(states: readonly ArrayLike<number>[], dt: number): Float64Array[] {
  if (!(Number.isFinite(dt) && dt > 0)) throw new ConfigError(`dt must be a positive finite step, got ${dt}`);
  const T = states.length;
  if (T < MIN_FINITE_DIFFERENCE_SAMPLES) {
    throw new DataError(`a fourth-order time derivative needs at least ${MIN_FINITE_DIFFERENCE_SAMPLES} samples, got ${T}`);
  }
  const d = states[0].length;
  states.forEach((s, i) => {
    if (s.length !== d) throw new DataError(`sample ${i} has ${s.length} components, sample 0 has ${d}`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(s[j])) throw new DataError(`sample ${i}, component ${j} is ${s[j]}; the trajectory must be finite`);
    }
  });
  const h = 12 * dt;
  /** Σ_k w_k x_{first + k} / (12 dt), each weight times `sign` */
  const apply = (weights: readonly number[], first: number, sign: number, step: number): Float64Array => {
    const out = new Float64Array(d);
    weights.forEach((w, k) => {
      if (w === 0) return;
      const s = states[first + step * k];
      for (let j = 0; j < d; j++) out[j] += (sign * w * s[j]) / h;
    });
    return out;
  };
  return states.map((_, i) => {
    if (i < 2) return apply(FORWARD[i], 0, 1, 1);
    if (i > T - 3) return apply(FORWARD[T - 1 - i], T - 1, -1, -1);
    return apply(CENTRAL, i - 2, 1, 1);
  });
}
