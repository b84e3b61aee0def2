/**
 * The bistable (double-well Duffing) oscillator x'' = −dV/dx − c·x' with V(x) = a x⁴/4 − b x²/2, state x = (x, v = x'),
 * parameters μ = {a, b, c}. iMODE lists "bistable" among its systems without giving the equation; this is the
 * field-standard form (spec §1.2, [INF]).
 *
 * Energy per unit mass E = v²/2 + V(x); along the flow dE/dt = −c v² ≤ 0, so it is conserved at c = 0 (the family we
 * study: c's box is [0, 0]) and never increases otherwise. V is even, so the field is odd, F(−x, −v) = −F(x, v): the
 * reflection symmetry a symmetrised energy network builds in. The wells sit at x = ±√(b/a) with depth −b²/(4a) and the
 * barrier top at x = 0.
 *
 * Initial states: x ~ U[−1.5, 1.5], v ~ U[−1, 1] [INF], which covers motion inside one well and over the barrier for
 * every μ in the box (the wells lie at 0.5 … 2).
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type BistableParams = { a: number; b: number; c: number };

/** Half-widths of the initial-state box (x, v). */
export const BISTABLE_INITIAL_BOX = { x: 1.5, v: 1 } as const;

export function bistablePotential(x: number, { a, b }: BistableParams): number {
  return (a * x ** 4) / 4 - (b * x * x) / 2;
}

/** The two stable equilibria (−√(b/a), 0) and (√(b/a), 0), as positions. */
export function bistableWells({ a, b }: BistableParams): [number, number] {
  const x = Math.sqrt(b / a);
  return [-x, x];
}

export const bistable: System<BistableParams> = {
  name: 'bistable',
  stateDim: 2,
  paramNames: ['a', 'b', 'c'],
  vectorField(x: State, { a, b, c }: BistableParams): State {
    const [q, v] = x;
    return Float64Array.of(v, -a * q * q * q + b * q - c * v);
  },
  energy(x: State, mu: BistableParams): number {
    return 0.5 * x[1] * x[1] + bistablePotential(x[0], mu);
  },
  sampleState(rng: Rng): State {
    return Float64Array.of(
      rng.uniformIn(-BISTABLE_INITIAL_BOX.x, BISTABLE_INITIAL_BOX.x),
      rng.uniformIn(-BISTABLE_INITIAL_BOX.v, BISTABLE_INITIAL_BOX.v),
    );
  },
  // [INF]; damping is kept as a parameter so a dissipative family is one box change away.
  paramBox: { a: [0.5, 1.5], b: [0.5, 1.5], c: [0, 0] },
};
