/**
 * The contract shared by the float64 ground-truth integrators: an initial-value problem y' = f(t, y), y(ts[0]) = y0,
 * solved for the states at every requested time ts[0] < ts[1] < … (ts[0] is the start, so out[0] is a copy of y0).
 * Solvers are plain JS over Float64Array so that ground truth never inherits tfjs' float32 rounding. The state y and
 * the right-hand side f are ../core/state.ts's types, which the systems share.
 *
 * Also here: the checks every solver runs on its inputs, and the one linear combination y + h·Σ wⱼkⱼ that every
 * Runge–Kutta stage is made of, so the solvers share them instead of keeping copies.
 */
import { ConfigError } from '../core/errors';
import type { State, VectorField } from '../core/state';

/** Work done by one solve; the solver overwrites every field. */
export interface SolveStats {
  rhsEvaluations: number;
  acceptedSteps: number;
  rejectedSteps: number;
}

/**
 * Options of all solvers in one type so that callers can switch method by name; a solver ignores the options it
 * does not use.
 */
export interface SolveOptions {
  /** fixed-step solvers: number of equal steps per output interval (default 1); not together with maxStep */
  substeps?: number;
  /** fixed-step solvers: each output interval is split into the fewest equal steps no longer than this */
  maxStep?: number;
  /** adaptive solvers: relative tolerance (dopri5 default 1e-7) */
  rtol?: number;
  /** adaptive solvers: absolute tolerance (dopri5 default 1e-9) */
  atol?: number;
  /** adaptive solvers: limit on attempted (accepted + rejected) steps (dopri5 default 100000) */
  maxSteps?: number;
  /** out-parameter: filled with the number of right-hand-side evaluations and steps */
  stats?: SolveStats;
}

export interface Integrator {
  readonly name: string;
  /** global order of accuracy */
  readonly order: number;
  /** states at every time in ts (ts[0] = start, strictly increasing); out[0] is a copy of y0 */
  solve(f: VectorField, y0: State, ts: readonly number[], opts?: SolveOptions): State[];
}

/** Throws ConfigError unless ts is a non-empty, finite, strictly increasing list of times. */
export function validateTimeGrid(ts: readonly number[]): void {
  if (!Array.isArray(ts) || ts.length === 0) {
    throw new ConfigError('ts must be a non-empty array of times (ts[0] is the start time)');
  }
  ts.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new ConfigError(`ts[${i}] must be a finite number, got ${t}`);
    }
    if (i > 0 && !(t > ts[i - 1])) {
      throw new ConfigError(`ts must be strictly increasing, but ts[${i}]=${t} <= ts[${i - 1}]=${ts[i - 1]}`);
    }
  });
}

/** Throws ConfigError unless y0 is a non-empty Float64Array of finite values. */
export function validateInitialState(y0: State): void {
  if (!(y0 instanceof Float64Array) || y0.length === 0) {
    throw new ConfigError('y0 must be a non-empty Float64Array');
  }
  const bad = y0.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ConfigError(`y0[${bad}] must be finite, got ${y0[bad]}`);
}

/**
 * f wrapped so that each call is counted in stats.rhsEvaluations and a wrong output length is caught at the call
 * that produced it rather than as NaNs many steps later.
 */
export function countedField(f: VectorField, dim: number, stats: SolveStats): VectorField {
  return (t, y) => {
    stats.rhsEvaluations += 1;
    const dy = f(t, y);
    if (!(dy instanceof Float64Array) || dy.length !== dim) {
      const got = dy instanceof Float64Array ? `length ${dy.length}` : typeof dy;
      throw new ConfigError(`vector field must return a Float64Array of length ${dim} (the state length), got ${got}`);
    }
    return dy;
  };
}

/** y + h·Σⱼ weights[j]·ks[j]; zero weights are skipped (Butcher tableaus are sparse). */
export function addWeightedSlopes(y: State, h: number, weights: readonly number[], ks: readonly State[]): State {
  const out = Float64Array.from(y);
  for (let j = 0; j < weights.length; j++) {
    const w = weights[j];
    if (w === 0) continue;
    const k = ks[j];
    for (let i = 0; i < out.length; i++) out[i] += h * w * k[i];
  }
  return out;
}

/** The caller's stats object (or a new one) with every count set to zero, ready to be filled by one solve. */
export function resetStats(stats: SolveStats = { rhsEvaluations: 0, acceptedSteps: 0, rejectedSteps: 0 }): SolveStats {
  stats.rhsEvaluations = 0;
  stats.acceptedSteps = 0;
  stats.rejectedSteps = 0;
  return stats;
}
