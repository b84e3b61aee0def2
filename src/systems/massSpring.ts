/**
 * The mass-spring oscillator of Paper B (structure-preserving meta-learning, spec §2.1) in canonical coordinates
 * x = (q, p), parameters μ = {m, k}:
 *
 *   H(q, p) = p²/(2m) + k q²/2,   q̇ = ∂H/∂p = p/m,   ṗ = −∂H/∂q = −k q.
 *
 * The flow is a rotation on each ellipse H = const with angular frequency ω = √(k/m), so q(t) = A cos(ωt + φ)
 * solves it exactly (the tests check the integrators against that).
 * Parameter box (m, k) ∈ [1, 5]² and initial states after the HNN convention (Greydanus et al. 2019), which the
 * spec adopts: radius r = √(q0² + p0²) ~ U[0.1, 1] and angle ~ U[0, 2π) in the (q, p) plane, so no sample sits at
 * the equilibrium, where the field vanishes and a trajectory carries no information about μ.
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type MassSpringParams = { m: number; k: number };

/** where ε_field and the field plots look (spec §2.1): (q, p) ∈ [−2, 2]², for `vectorFieldGrid` */
export const fieldGrid = { box: [[-2, 2], [-2, 2]], fixed: [] } as const;

/** H(q, p) = p²/(2m) + k q²/2 */
export function hamiltonian(x: State, { m, k }: MassSpringParams): number {
  return (x[1] * x[1]) / (2 * m) + (k * x[0] * x[0]) / 2;
}

/** ∇H = (∂H/∂q, ∂H/∂p) = (k q, p/m) */
export function hamiltonianGradient(x: State, { m, k }: MassSpringParams): State {
  return Float64Array.of(k * x[0], x[1] / m);
}

export const massSpring: System<MassSpringParams> = {
  name: 'massSpring',
  stateDim: 2,
  paramNames: ['m', 'k'],
  vectorField(x: State, { m, k }: MassSpringParams): State {
    return Float64Array.of(x[1] / m, -k * x[0]);
  },
  energy: hamiltonian,
  sampleState(rng: Rng): State {
    const radius = rng.uniformIn(0.1, 1);
    const angle = rng.uniformIn(0, 2 * Math.PI);
    return Float64Array.of(radius * Math.cos(angle), radius * Math.sin(angle));
  },
  paramBox: { m: [1, 5], k: [1, 5] },
};
