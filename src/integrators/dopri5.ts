/**
 * Adaptive Dormand–Prince 5(4) (Dormand & Prince 1980), following torchdiffeq's `dopri5` step for step so that the
 * tfjs version can reuse exactly these constants and reproduce its step sequence:
 *
 * - Step: seven stages kᵢ = f(t + cᵢh, y + h Σⱼ aᵢⱼkⱼ); the 5th-order solution y₁ = y + h Σ bᵢkᵢ is also the input of
 *   stage 7, so k₇ = f(t + h, y₁) is the next step's k₁ (FSAL: 6 new evaluations per step).
 * - Error: e = h Σ (bᵢ − b̂ᵢ)kᵢ (5th minus embedded 4th order), measured as the RMS norm of
 *   e / (atol + rtol·max(|y₀|, |y₁|)) like scipy and torchdiffeq; the step is accepted when that ratio r ≤ 1.
 * - Step size: h ← h·min(10, max(0.9·r^(−1/5), 0.2)), with the lower bound lifted to 1 after an accepted step so
 *   accepted steps never shrink the next one (torchdiffeq `_optimal_step_size`). A non-finite r (the field blew up
 *   in a trial stage) counts as a rejection with the maximal shrink 0.2.
 * - Initial step: Hairer, Nørsett & Wanner, Solving ODEs I, §II.4 (torchdiffeq `_select_initial_step`).
 * - Output: steps run past each requested time (they are not clipped to ts) and the state at t is read from the
 *   4th-order dense output of the step containing t: the quartic p(x), x = (t − t₀)/h, with p(0) = y₀, p(1) = y₁,
 *   p'(0) = h·f₀, p'(1) = h·f₁ and p(½) = y_mid, where y_mid = y₀ + h Σ dᵢkᵢ uses Shampine's mid-point weights dᵢ
 *   (torchdiffeq `_interp_fit_dopri5`, i.e. a Hermite quartic with the standard dopri5 mid-point). It is not
 *   Hairer's `contd5` polynomial.
 */
import { ConfigError } from '../core/errors';
import type { State, VectorField } from '../core/state';
import {
  Integrator,
  SolveOptions,
  SolveStats,
  addWeightedSlopes,
  countedField,
  resetStats,
  validateInitialState,
  validateTimeGrid,
} from './types';

export interface Dopri5Tableau {
  /** nodes c₂…c₇ of stages 2…7 (c₁ = 0) */
  readonly c: readonly number[];
  /** a[s] = coefficients of stage s + 2 on k₁…k_{s+1}; the last row equals b (FSAL) */
  readonly a: readonly (readonly number[])[];
  /** 5th-order solution weights on k₁…k₇ */
  readonly b: readonly number[];
  /** b − b̂: 5th-order minus embedded 4th-order weights on k₁…k₇ (the local error estimate) */
  readonly errorWeights: readonly number[];
  /** Shampine's weights dᵢ on k₁…k₇ with y(t₀ + h/2) ≈ y₀ + h Σ dᵢkᵢ */
  readonly midpointWeights: readonly number[];
  /**
   * Quartic dense output: row p holds the coefficients of x^p on [y₀, y₁, y_mid, h·f₀, h·f₁], so
   * y(t₀ + x·h) ≈ Σ_p x^p Σ_i quarticFit[p][i]·v_i.
   */
  readonly quarticFit: readonly (readonly number[])[];
}

export const dopri5Tableau: Dopri5Tableau = {
  c: [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
  ],
  b: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
  errorWeights: [
    35 / 384 - 1951 / 21600,
    0,
    500 / 1113 - 22642 / 50085,
    125 / 192 - 451 / 720,
    -2187 / 6784 + 12231 / 42400,
    11 / 84 - 649 / 6300,
    -1 / 60,
  ],
  midpointWeights: [
    6025192743 / 30085553152 / 2,
    0,
    51252292925 / 65400821598 / 2,
    -2691868925 / 45128329728 / 2,
    187940372067 / 1594534317056 / 2,
    -1776094331 / 19743644256 / 2,
    11237099 / 235043384 / 2,
  ],
  quarticFit: [
    [1, 0, 0, 0, 0],
    [0, 0, 0, 1, 0],
    [-11, -5, 16, -4, 1],
    [18, 14, -32, 5, -3],
    [-8, -8, 16, -2, 2],
  ],
};

const SAFETY = 0.9;
const MIN_FACTOR = 0.2;
const MAX_FACTOR = 10;
/** 1/(q + 1) with q = 4, the order of the embedded error estimate */
const ERROR_EXPONENT = 1 / 5;

const DEFAULT_RTOL = 1e-7;
const DEFAULT_ATOL = 1e-9;
const DEFAULT_MAX_STEPS = 100000;

interface Tolerances {
  rtol: number;
  atol: number;
  maxSteps: number;
}

function tolerancesOf(opts: SolveOptions): Tolerances {
  const { rtol = DEFAULT_RTOL, atol = DEFAULT_ATOL, maxSteps = DEFAULT_MAX_STEPS } = opts;
  if (!(rtol >= 0) || !Number.isFinite(rtol)) throw new ConfigError(`opts.rtol must be a finite number >= 0, got ${rtol}`);
  if (!(atol >= 0) || !Number.isFinite(atol)) throw new ConfigError(`opts.atol must be a finite number >= 0, got ${atol}`);
  if (rtol === 0 && atol === 0) throw new ConfigError('opts.rtol and opts.atol cannot both be 0');
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new ConfigError(`opts.maxSteps must be a positive integer, got ${maxSteps}`);
  }
  return { rtol, atol, maxSteps };
}

/** sqrt(mean((vᵢ / scaleᵢ)²)) */
function rmsNormScaled(v: State, scale: State): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] / scale[i]) ** 2;
  return Math.sqrt(sum / v.length);
}

/** Hairer's starting step: a step whose Euler error would be about 1% of the tolerance. */
export function selectInitialStep(
  f: VectorField,
  t0: number,
  y0: State,
  f0: State,
  tol: { rtol: number; atol: number },
): number {
  const scale = y0.map((v) => tol.atol + Math.abs(v) * tol.rtol);
  const d0 = rmsNormScaled(y0, scale);
  const d1 = rmsNormScaled(f0, scale);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  const f1 = f(t0 + h0, addWeightedSlopes(y0, h0, [1], [f0]));
  const d2 = rmsNormScaled(f1.map((v, i) => v - f0[i]), scale) / h0;
  const h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** ERROR_EXPONENT;
  return Math.min(100 * h0, h1);
}

interface StepResult {
  y1: State;
  /** k₇ = f(t + h, y₁), the next step's k₁ */
  f1: State;
  /** all seven stage slopes, for the error estimate and the mid-point */
  ks: State[];
}

/** One Dormand–Prince trial step from (t, y) with slope f0 = f(t, y). */
export function dopri5Step(f: VectorField, t: number, y: State, f0: State, h: number): StepResult {
  const ks: State[] = [f0];
  for (let s = 0; s < dopri5Tableau.a.length; s++) {
    ks.push(f(t + dopri5Tableau.c[s] * h, addWeightedSlopes(y, h, dopri5Tableau.a[s], ks)));
  }
  // The last stage was evaluated at y + h Σ bᵢkᵢ, which is y₁ itself.
  const y1 = addWeightedSlopes(y, h, dopri5Tableau.b, ks);
  return { y1, f1: ks[ks.length - 1], ks };
}

/** RMS of the local error estimate over atol + rtol·max(|y₀|, |y₁|); ≤ 1 means the step is accepted. */
function errorRatio(y0: State, step: StepResult, h: number, tol: Tolerances): number {
  const err = addWeightedSlopes(new Float64Array(y0.length), h, dopri5Tableau.errorWeights, step.ks);
  const scale = y0.map((v, i) => tol.atol + tol.rtol * Math.max(Math.abs(v), Math.abs(step.y1[i])));
  return rmsNormScaled(err, scale);
}

function nextStepSize(h: number, ratio: number): number {
  if (!Number.isFinite(ratio)) return h * MIN_FACTOR;
  if (ratio === 0) return h * MAX_FACTOR;
  const lower = ratio < 1 ? 1 : MIN_FACTOR;
  return h * Math.min(MAX_FACTOR, Math.max(SAFETY / ratio ** ERROR_EXPONENT, lower));
}

/** The quartic dense output of an accepted step on [t0, t0 + h], as the five vectors it combines. */
interface DenseStep {
  t0: number;
  h: number;
  /** [y₀, y₁, y_mid, h·f₀, h·f₁] */
  basis: State[];
}

function fitDenseStep(t0: number, h: number, y0: State, step: StepResult): DenseStep {
  const yMid = addWeightedSlopes(y0, h, dopri5Tableau.midpointWeights, step.ks);
  const scaled = (k: State) => k.map((v) => h * v);
  return { t0, h, basis: [y0, step.y1, yMid, scaled(step.ks[0]), scaled(step.f1)] };
}

function evaluateDenseStep(dense: DenseStep, t: number): State {
  const x = (t - dense.t0) / dense.h;
  const weights = [0, 0, 0, 0, 0];
  let power = 1;
  for (const row of dopri5Tableau.quarticFit) {
    for (let i = 0; i < weights.length; i++) weights[i] += row[i] * power;
    power *= x;
  }
  return addWeightedSlopes(new Float64Array(dense.basis[0].length), 1, weights, dense.basis);
}

function integrate(f: VectorField, y0: State, ts: readonly number[], tol: Tolerances, stats: SolveStats): State[] {
  let t = ts[0];
  let y = Float64Array.from(y0);
  let fy = f(t, y);
  let h = selectInitialStep(f, t, y, fy, tol);
  let dense: DenseStep | null = null;
  const out: State[] = [Float64Array.from(y0)];
  for (let i = 1; i < ts.length; i++) {
    while (ts[i] > t) {
      if (stats.acceptedSteps + stats.rejectedSteps >= tol.maxSteps) {
        throw new Error(
          `dopri5: reached opts.maxSteps=${tol.maxSteps} attempted steps at t=${t} before ts[${i}]=${ts[i]}; ` +
            'the problem may be stiff or blowing up; loosen rtol/atol or raise maxSteps',
        );
      }
      if (!(t + h > t)) throw new Error(`dopri5: step size underflow (h=${h}) at t=${t}; the solution may be singular`);
      const step = dopri5Step(f, t, y, fy, h);
      const ratio = errorRatio(y, step, h, tol);
      if (ratio <= 1) {
        dense = fitDenseStep(t, h, y, step);
        t += h;
        y = step.y1;
        fy = step.f1;
        stats.acceptedSteps += 1;
      } else {
        stats.rejectedSteps += 1;
      }
      h = nextStepSize(h, ratio);
    }
    // ts[i] > ts[i-1] >= the start of the last accepted step, so dense is set and covers ts[i].
    out.push(evaluateDenseStep(dense as DenseStep, ts[i]));
  }
  return out;
}

export const dopri5: Integrator = {
  name: 'dopri5',
  order: 5,
  solve(f: VectorField, y0: State, ts: readonly number[], opts: SolveOptions = {}): State[] {
    validateTimeGrid(ts);
    validateInitialState(y0);
    const tol = tolerancesOf(opts);
    const stats = resetStats(opts.stats);
    return integrate(countedField(f, y0.length, stats), y0, ts, tol, stats);
  },
};
