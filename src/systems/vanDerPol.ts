/**
 * The Van der Pol oscillator x'' = μ(1 − x²)x' − x, state x = (x, v = x'), parameter μ > 0 (spec §1.2 [INF]).
 *
 * Negative damping for |x| < 1 and positive damping outside pump every trajectory but the origin onto one stable
 * limit cycle: nearly the circle of radius 2 for small μ (averaging gives amplitude 2 + O(μ²)), a relaxation
 * oscillation for large μ (period 6.6633 at μ = 1). There is no conserved energy, which is why the system is in the
 * family: a learner must map (x, v, η) to an acceleration without a potential.
 *
 * Initial states: (x, v) ~ U[−3, 3]² [INF], both inside and outside the cycle, so data show the approach to it.
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type VanDerPolParams = { mu: number };

/** Half-width of the initial-state box, the same for x and v. */
export const VAN_DER_POL_INITIAL_HALF_WIDTH = 3;

export const vanDerPol: System<VanDerPolParams> = {
  name: 'vanDerPol',
  stateDim: 2,
  paramNames: ['mu'],
  vectorField(x: State, { mu }: VanDerPolParams): State {
    const [q, v] = x;
    return Float64Array.of(v, mu * (1 - q * q) * v - q);
  },
  sampleState(rng: Rng): State {
    const w = VAN_DER_POL_INITIAL_HALF_WIDTH;
    return Float64Array.of(rng.uniformIn(-w, w), rng.uniformIn(-w, w));
  },
  paramBox: { mu: [0.5, 2] },
};
