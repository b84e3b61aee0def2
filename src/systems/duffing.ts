/**
 * The undamped, unforced Duffing oscillator of Paper B v2 (structure-preserving meta-learning, spec §2.1) in
 * canonical coordinates x = (q, p), parameters μ = {alpha, beta}:
 *
 *   H(q, p) = p²/2 + α q²/2 + β q⁴/4,   q̇ = ∂H/∂p = p,   ṗ = −∂H/∂q = −α q − β q³.
 *
 * With α, β > 0 the potential is a single well (hardening spring), so every orbit is a closed curve around the
 * origin whose period shrinks as the amplitude grows, the nonlinearity the meta-learner has to pick up.
 * Parameter box α ∈ [0.5, 2], β ∈ [0.1, 1]; initial states (q0, p0) ~ U[−1, 1]².
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type DuffingParams = { alpha: number; beta: number };

/** where ε_field and the field plots look (spec §2.1): (q, p) ∈ [−2, 2]², for `vectorFieldGrid` */
export const fieldGrid = { box: [[-2, 2], [-2, 2]], fixed: [] } as const;

/** H(q, p) = p²/2 + α q²/2 + β q⁴/4 */
export function hamiltonian(x: State, { alpha, beta }: DuffingParams): number {
  const q2 = x[0] * x[0];
  return (x[1] * x[1]) / 2 + (alpha * q2) / 2 + (beta * q2 * q2) / 4;
}

/** ∇H = (∂H/∂q, ∂H/∂p) = (α q + β q³, p) */
export function hamiltonianGradient(x: State, { alpha, beta }: DuffingParams): State {
  const q = x[0];
  return Float64Array.of(alpha * q + beta * q * q * q, x[1]);
}

export const duffing: System<DuffingParams> = {
  name: 'duffing',
  stateDim: 2,
  paramNames: ['alpha', 'beta'],
  vectorField(x: State, { alpha, beta }: DuffingParams): State {
    const q = x[0];
    return Float64Array.of(x[1], -alpha * q - beta * q * q * q);
  },
  energy: hamiltonian,
  sampleState(rng: Rng): State {
    return Float64Array.of(rng.uniformIn(-1, 1), rng.uniformIn(-1, 1));
  },
  paramBox: { alpha: [0.5, 2], beta: [0.1, 1] },
};
