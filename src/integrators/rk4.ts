/**
 * Classic fourth-order Runge–Kutta on a fixed grid:
 *   k1 = f(t, y), k2 = f(t + h/2, y + h/2·k1), k3 = f(t + h/2, y + h/2·k2), k4 = f(t + h, y + h·k3),
 *   y(t + h) ≈ y + h/6·(k1 + 2k2 + 2k3 + k4),
 * local error O(h⁵), global error O(h⁴). Each output interval [ts[i-1], ts[i]] is split into equal substeps, so the
 * outputs land exactly on ts without interpolation and uneven output grids still get a uniform step inside each
 * interval.
 */
import { ConfigError } from '../core/errors';
import type { State, VectorField } from '../core/state';
import {
  Integrator,
  SolveOptions,
  addWeightedSlopes,
  countedField,
  resetStats,
  validateInitialState,
  validateTimeGrid,
} from './types';

const RK4_WEIGHTS = [1 / 6, 1 / 3, 1 / 3, 1 / 6] as const;

/** One RK4 step of length h from (t, y). */
export function rk4Step(f: VectorField, t: number, y: State, h: number): State {
  const k1 = f(t, y);
  const k2 = f(t + h / 2, addWeightedSlopes(y, h, [0.5], [k1]));
  const k3 = f(t + h / 2, addWeightedSlopes(y, h, [0.5], [k2]));
  const k4 = f(t + h, addWeightedSlopes(y, h, [1], [k3]));
  return addWeightedSlopes(y, h, RK4_WEIGHTS, [k1, k2, k3, k4]);
}

/** Number of equal substeps for an output interval of length span, from opts.substeps or opts.maxStep. */
export function substepCount(span: number, opts: SolveOptions): number {
  const { substeps, maxStep } = opts;
  if (substeps !== undefined && maxStep !== undefined) {
    throw new ConfigError(`give either opts.substeps or opts.maxStep, not both (got ${substeps} and ${maxStep})`);
  }
  if (substeps !== undefined) {
    if (!Number.isInteger(substeps) || substeps < 1) {
      throw new ConfigError(`opts.substeps must be a positive integer, got ${substeps}`);
    }
    return substeps;
  }
  if (maxStep !== undefined) {
    if (!(maxStep > 0) || !Number.isFinite(maxStep)) {
      throw new ConfigError(`opts.maxStep must be a positive finite number, got ${maxStep}`);
    }
    // The relative slack keeps span = n·maxStep from rounding up to n + 1 substeps.
    return Math.max(1, Math.ceil(span / maxStep - 1e-12));
  }
  return 1;
}

export const rk4: Integrator = {
  name: 'rk4',
  order: 4,
  solve(f: VectorField, y0: State, ts: readonly number[], opts: SolveOptions = {}): State[] {
    validateTimeGrid(ts);
    validateInitialState(y0);
    substepCount(1, opts); // reject bad options even when ts has a single time
    const stats = resetStats(opts.stats);
    const field = countedField(f, y0.length, stats);
    const out: State[] = [Float64Array.from(y0)];
    let y = out[0];
    for (let i = 1; i < ts.length; i++) {
      const span = ts[i] - ts[i - 1];
      const n = substepCount(span, opts);
      const h = span / n;
      // Substep times are ts[i-1] + j·h rather than a running sum, so no rounding drift accumulates.
      for (let j = 0; j < n; j++) y = rk4Step(field, ts[i - 1] + j * h, y, h);
      stats.acceptedSteps += n;
      out.push(y);
    }
    return out;
  },
};
