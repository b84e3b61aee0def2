/**
 * The pendulum of Paper B (structure-preserving meta-learning, spec §2.1) in canonical coordinates x = (q, p), q the
 * angle and p = m l² q̇ the angular momentum, parameters μ = {m, l}, g = 9.81:
 *
 *   H(q, p) = p²/(2 m l²) + m g l (1 − cos q),   q̇ = ∂H/∂p = p/(m l²),   ṗ = −∂H/∂q = −m g l sin q.
 *
 * Unlike iMODE's θ'' = −(g/L) sin θ (./pendulum.ts), the mass enters the canonical flow because it scales p, so m
 * and l are separately visible in (q, p) data. Small oscillations have period 2π√(l/g).
 *
 * Parameter box (m, l) ∈ [0.5, 2]². Initial states: q0 ~ U[−π/2, π/2], p0 ~ U[−1, 1], conditioned on libration
 * (H < 2 m g l, the separatrix energy) by rejection, as the spec asks for librations only. The condition matters
 * only for light, short pendulums: at m = l = 0.5 a draw at q0 = π/2 rotates once |p0| > √(2 m² g l³) ≈ 0.78.
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type HamiltonianPendulumParams = { m: number; l: number };

export const HAMILTONIAN_PENDULUM_G = 9.81;

/** where ε_field and the field plots look (spec §2.1): (q, p) ∈ [−π/2, π/2] × [−2, 2], for `vectorFieldGrid` */
export const fieldGrid = { box: [[-Math.PI / 2, Math.PI / 2], [-2, 2]], fixed: [] } as const;

/** H(q, p) = p²/(2 m l²) + m g l (1 − cos q) */
export function hamiltonian(x: State, { m, l }: HamiltonianPendulumParams): number {
  return (x[1] * x[1]) / (2 * m * l * l) + m * HAMILTONIAN_PENDULUM_G * l * (1 - Math.cos(x[0]));
}

/** ∇H = (∂H/∂q, ∂H/∂p) = (m g l sin q, p/(m l²)) */
export function hamiltonianGradient(x: State, { m, l }: HamiltonianPendulumParams): State {
  return Float64Array.of(m * HAMILTONIAN_PENDULUM_G * l * Math.sin(x[0]), x[1] / (m * l * l));
}

export const hamiltonianPendulum: System<HamiltonianPendulumParams> = {
  name: 'hamiltonianPendulum',
  stateDim: 2,
  paramNames: ['m', 'l'],
  vectorField(x: State, { m, l }: HamiltonianPendulumParams): State {
    return Float64Array.of(x[1] / (m * l * l), -m * HAMILTONIAN_PENDULUM_G * l * Math.sin(x[0]));
  },
  energy: hamiltonian,
  sampleState(rng: Rng, mu: HamiltonianPendulumParams): State {
    const separatrixEnergy = 2 * mu.m * HAMILTONIAN_PENDULUM_G * mu.l;
    // Terminates for any μ: draws near (0, 0) have H ≈ 0 < 2mgl, so each draw is accepted with positive probability.
    for (;;) {
      const x = Float64Array.of(rng.uniformIn(-Math.PI / 2, Math.PI / 2), rng.uniformIn(-1, 1));
      if (hamiltonian(x, mu) < separatrixEnergy) return x;
    }
  },
  paramBox: { m: [0.5, 2], l: [0.5, 2] },
};
