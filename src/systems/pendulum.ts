/**
 * The ideal pendulum θ'' = −(g/L) sin θ, state x = (θ, ω = θ'), parameters μ = {L, g}; the iMODE authors' released
 * case (g = 10, L from 1 to 10, one trajectory per L released from θ = π/2 at rest).
 *
 * Energy per unit m·L²: E = ω²/2 − (g/L) cos θ. It is conserved exactly by the flow, and dividing out m·L² keeps
 * it free of the mass, which the data do not fix (the authors take m = 1).
 * Initial states: θ ~ U[−π/2, π/2], ω = 0, i.e. released at rest from at most horizontal, so every sample librates
 * (E < g/L) and no sample starts near the separatrix, where the period diverges.
 */
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';
import { getIntegrator } from '../integrators/index';
import { State } from '../integrators/types';
import { System, fieldAt } from './types';

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

export interface PendulumSimulation {
  L: number;
  /** default 10 */
  g?: number;
  theta0: number;
  omega0: number;
  /** output spacing */
  dt: number;
  /** number of output intervals: the result has steps + 1 states, at t = 0, dt, …, steps·dt */
  steps: number;
  /** default 'dopri5' */
  method?: 'rk4' | 'dopri5';
  /** passed to dopri5 (its defaults otherwise) */
  rtol?: number;
  atol?: number;
}

function requirePositive(value: number, field: string): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ConfigError(`${field} must be a positive finite number, got ${value}`);
  }
}

/** The pendulum trajectory sampled every dt, states [steps + 1][2] = (θ, ω). */
export function simulatePendulum(sim: PendulumSimulation): State[] {
  const { L, g = PENDULUM_DEFAULT_G, theta0, omega0, dt, steps, method = 'dopri5', rtol, atol } = sim;
  requirePositive(L, 'L');
  requirePositive(g, 'g');
  requirePositive(dt, 'dt');
  if (!Number.isInteger(steps) || steps < 1) throw new ConfigError(`steps must be a positive integer, got ${steps}`);
  if (!Number.isFinite(theta0) || !Number.isFinite(omega0)) {
    throw new ConfigError(`theta0 and omega0 must be finite, got ${theta0} and ${omega0}`);
  }
  // i·dt rather than a running sum, so the last time is exactly steps·dt up to one rounding.
  const ts = Array.from({ length: steps + 1 }, (_, i) => i * dt);
  return getIntegrator(method).solve(fieldAt(pendulum, { L, g }), Float64Array.of(theta0, omega0), ts, { rtol, atol });
}
