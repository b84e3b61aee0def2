/**
 * The damped nonlinear oscillator (DNO) of Paper B (structure-preserving meta-learning, spec §2.3), in the GENERIC
 * form of Shang & Öttinger (2020) that GFINNs and GNODE follow: the mechanical pair (q, p) exchanges energy with a
 * heat bath at constant temperature T through the entropy variable S. State x = (q, p, S), parameters
 * μ = {k, gamma}, with m = c = T = 1:
 *
 *   E(x) = p²/(2m) − k cos(c q) + T S,   S(x) = S,
 *   q̇ = p/m,   ṗ = −k c sin(c q) − γ p,   Ṡ = γ p²/(m T).
 *
 * GENERIC: ẋ = L∇E + M∇S with L = [[0,1,0],[−1,0,0],[0,0,0]] (canonical Poisson on (q, p)) and
 * M = γ m T v vᵀ, v = (0, 1, −p/(mT)). L is skew and M symmetric PSD (rank one); L∇S = 0 because ∇S = (0, 0, 1),
 * and M∇E = 0 because v·∇E = p/m − (p/(mT))·T = 0. Hence Ė = 0 (the friction heat p²γ/m goes into T S) and
 * Ṡ = ∇S·M∇S = γ p²/(mT) ≥ 0: the first and second laws.
 *
 * Parameter box k ∈ [0.5, 2], γ ∈ [0.05, 0.5]; initial states q0 ~ U[−2, 2], p0 ~ U[−1, 1], S0 = 0 (spec §2.3;
 * the paper's own ranges are unknown).
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type DampedOscillatorParams = { k: number; gamma: number };

/** The constants held fixed across the family (Shang & Öttinger's reference values). */
export const DAMPED_OSCILLATOR_CONSTANTS = { m: 1, c: 1, T: 1 } as const;

const { m, c, T } = DAMPED_OSCILLATOR_CONSTANTS;

/** where ε_field and the field plots look (spec §2.3): (q, p) ∈ [−2, 2]² on the slice S = 1, for `vectorFieldGrid` */
export const fieldGrid = { box: [[-2, 2], [-2, 2]], fixed: [1] } as const;

/** The pieces of a GENERIC vector field ẋ = L(x)∇E(x) + M(x)∇S(x) at one state. */
export interface GenericParts {
  /** Poisson matrix, skew-symmetric, with L∇S = 0 */
  L: number[][];
  /** friction matrix, symmetric positive semi-definite, with M∇E = 0 */
  M: number[][];
  gradE: State;
  gradS: State;
}

/** E = p²/(2m) − k cos(c q) + T S, the total (mechanical + bath) energy */
export function energy(x: State, { k }: DampedOscillatorParams): number {
  return (x[1] * x[1]) / (2 * m) - k * Math.cos(c * x[0]) + T * x[2];
}

/** S(x) = S, the entropy variable itself */
export function entropy(x: State): number {
  return x[2];
}

export function genericParts(x: State, { k, gamma }: DampedOscillatorParams): GenericParts {
  const p = x[1];
  const v = [0, 1, -p / (m * T)];
  const scale = gamma * m * T;
  return {
    L: [
      [0, 1, 0],
      [-1, 0, 0],
      [0, 0, 0],
    ],
    M: v.map((vi) => v.map((vj) => scale * (vi * vj))), // (vi·vj) first: exactly symmetric in floating point
    gradE: Float64Array.of(k * c * Math.sin(c * x[0]), p / m, T),
    gradS: Float64Array.of(0, 0, 1),
  };
}

export const dampedOscillator: System<DampedOscillatorParams> = {
  name: 'dampedOscillator',
  stateDim: 3,
  paramNames: ['k', 'gamma'],
  vectorField(x: State, { k, gamma }: DampedOscillatorParams): State {
    const p = x[1];
    return Float64Array.of(p / m, -k * c * Math.sin(c * x[0]) - gamma * p, (gamma * p * p) / (m * T));
  },
  energy,
  sampleState(rng: Rng): State {
    return Float64Array.of(rng.uniformIn(-2, 2), rng.uniformIn(-1, 1), 0);
  },
  paramBox: { k: [0.5, 2], gamma: [0.05, 0.5] },
};
