/**
 * Ground-truth trajectories of the ideal pendulum θ'' = −(g/L) sin θ (../systems/pendulum.ts), state (θ, ω = θ'),
 * integrated in float64 by a named integrator (dopri5 by default, or rk4) from (θ0, ω0) and sampled at t_i = i·dt,
 * i = 0 … steps: the kind of data the iMODE authors released (g = 10, from (π/2, 0), dt = 0.01; ./imodePendulum.ts
 * reads their files). It lives in data/ because it joins a system and an integrator, which know nothing of each other.
 */
import { ConfigError } from '../core/errors';
import type { State } from '../core/state';
import { getIntegrator } from '../integrators/index';
import { PENDULUM_DEFAULT_G, pendulum } from '../systems/pendulum';
import { fieldAt } from '../systems/types';

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
