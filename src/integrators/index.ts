/**
 * The float64 integrators by name, so configs and notebooks pick a method with a string (as torchdiffeq's
 * `odeint(..., method)` does) and an unknown name fails before any work with the list of valid ones.
 */
import { ConfigError } from '../core/errors';
import { dopri5 } from './dopri5';
import { rk4 } from './rk4';
import { Integrator } from './types';

export type IntegratorName = 'rk4' | 'dopri5';

export const integrators: Readonly<Record<IntegratorName, Integrator>> = { rk4, dopri5 };

export function getIntegrator(name: string): Integrator {
  if (!Object.prototype.hasOwnProperty.call(integrators, name)) {
    throw new ConfigError(`unknown integrator '${name}'; allowed: ${Object.keys(integrators).join(', ')}`);
  }
  return integrators[name as IntegratorName];
}

export { dopri5, dopri5Step, dopri5Tableau, selectInitialStep } from './dopri5';
export type { Dopri5Tableau } from './dopri5';
export { rk4, rk4Step } from './rk4';
export type { Integrator, SolveOptions, SolveStats } from './types';
