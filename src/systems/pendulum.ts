/**
 * The ideal pendulum θ'' = −(g/L) sin θ, state x = (θ, ω = θ'), parameters μ = {L, g}; the iMODE authors' released
 * case (g = 10, L from 1 to 10, one trajectory per L released from θ = π/2 at rest).
 *
 * Energy per unit m·L²: E = ω²/2 − (g/L) cos θ. It is conserved exactly by the flow, and dividing out m·L² keeps
 * it free of the mass, which the data do not fix (the authors take m = 1).
 * Initial states: θ ~ U[−π/2, π/2], ω = 0, i.e. released at rest from at most horizontal, so every sample librates
 * (E < g/L) and no sample starts near the separatrix, where the period diverges.
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type PendulumParams = { L: number; g: number };

/** g of the iMODE pendulum data */
export const PENDULUM_DEFAULT_G = 10;

export const pendulum: System<PendulumParams> = {
  name: 'pendulum',
  stateDim: 2,
  paramNames: ['L', 'g'],
  vectorField(x: State, { L, g }: PendulumParams): State {
    return Float64Array.of(x[1], -(g / L) * Math.sin(x[0]));
  },
  energy(x: State, { L, g }: PendulumParams): number {
    return 0.5 * x[1] * x[1] - (g / L) * Math.cos(x[0]);
  },
  sampleState(rng: Rng): State {
    return Float64Array.of(rng.uniformIn(-Math.PI / 2, Math.PI / 2), 0);
  },
  // The range of the iMODE data; g is fixed there.
  paramBox: { L: [1, 10], g: [PENDULUM_DEFAULT_G, PENDULUM_DEFAULT_G] },
};
