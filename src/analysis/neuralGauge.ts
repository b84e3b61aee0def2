/**
 * iMODE's "Neural Gauge" (specs/imode.md §4.3): an invertible map Φ from a learned latent code η (the leading k
 * principal-component coordinates of adapted adaptation parameters, k = number of physical parameters) to the
 * physical parameters φ, fitted on a few training pairs and then used to "measure" φ of unseen instances.
 *
 *   y = log φ  (option logParameters)  or  y = φ
 *   u = (η − μ_η) ⊘ σ_η,   w = (y − μ_y) ⊘ σ_y              (per-column standardisation, statistics of the training rows)
 *   z(0) = u M + c                                          (affine map, M = Aᵀ: k × k, rows are instances)
 *   dz/ds = g_ψ(z),  s ∈ [0, 1]                             (autonomous neural-ODE flow, fixed-step RK4)
 *   ŷ = μ_y + σ_y ⊙ z(1),   φ̂ = exp ŷ  or  ŷ
 * g_ψ is a tanh MLP k → width → width → k whose output layer starts at zero, and (M, c) start at the least-squares
 * fit of w on u, so training starts from the best linear map. (M, c, ψ) are fitted jointly by full-batch Adam
 * (nn/adam) on
 *   L = mean((z(1) − w)²) + weightDecay · ‖ψ‖²,
 * with the step size annealed by a cosine from lr to lr/100. Adam moves every parameter by about lr per step even
 * where the gradient is only rounding noise, so the iterate with the lowest training MSE (the start included) is
 * returned: the gauge never fits the training pairs worse than the best linear map, and an exact linear relation
 * stays exact.
 *
 * Why log φ: the gauge is judged by the relative error |φ̂ − φ| / φ, and to first order that is |ŷ − y| for y = log φ,
 * so the MSE in log space is the metric's own loss; scale parameters (lengths, stiffnesses, diffusivities) also
 * enter the dynamics as powers (the pendulum's frequency is √(g/L)), which the log makes closer to linear in η.
 * (environment.md compares both targets on the committed η.) exp keeps the map a diffeomorphism, onto φ > 0.
 *
 * Inverse: both stages are invertible. The flow is run backwards (dz/ds = −g_ψ(z), same RK4 steps), which undoes the
 * discrete forward map up to the RK4 error (O(h⁵) per step), then u = (z − c) M⁻¹.
 *
 * The pieces: ./neuralGaugeLinearMap.ts checks and standardises the rows and fits the least-squares start M;
 * ./neuralGaugeFlow.ts holds θ = [M, c, ψ], the RK4 flow and the loss with its exact gradient, in float64 JavaScript
 * (a hand-written discrete adjoint: tfjs autodiff spent ~50 ms an iteration on engine overhead, the adjoint ~1–3 ms).
 *
 * Refusals (DataError): a constant column (cannot be standardised), collinear latent columns, or a least-squares
 * M that is (nearly) singular: then η does not determine φ, and no diffeomorphism can be fitted.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import type { Rng } from '../core/rng';
import { adamInit, adamStep, cosineLearningRate, disposeAdam } from '../nn/adam';
import type { MlpSpec } from '../nn/mlp';
import { affine, fieldSpec, flowPoint, gaugeObjective, gaugeView, initialTheta, parameterCount } from './neuralGaugeFlow';
import { type Rows, checkRows, fitScaler, identity, leastSquaresMap, logRows, solveLinear, standardise, toRows, unstandardise } from './neuralGaugeLinearMap';

export interface NeuralGaugeOptions {
  /** hidden width of g_ψ */
  width: number;
  /** RK4 steps over s ∈ [0, 1] */
  flowSteps: number;
  /** Adam iterations */
  iterations: number;
  /** initial Adam step size (cosine-annealed to lr/100) */
  lr: number;
  /** coefficient of the L2 penalty ‖ψ‖² (0 turns it off) */
  weightDecay: number;
  /** fit log φ instead of φ (every physical value must then be > 0) */
  logParameters: boolean;
}

/**
 * weightDecay multiplies a sum over ~300 weights (width 16), so 1e-4 already outweighs the MSE of a good fit (~1e-5 in
 * standardised units): on φ = exp(0.8 u) from 8 points it tripled the held-out error (1.2 % vs 0.4 % at 1e-5), and
 * on 5 points it did not make the fit smoother. Hence 1e-5.
 */
export const NEURAL_GAUGE_DEFAULTS: NeuralGaugeOptions = { width: 16, flowSteps: 8, iterations: 2000, lr: 1e-2, weightDecay: 1e-5, logParameters: false };

export interface NeuralGauge {
  /** latent rows [n][k] -> physical rows [n][k] */
  forward(latent: Rows): number[][];
  /** physical rows [n][k] -> latent rows [n][k] */
  inverse(physical: Rows): number[][];
  /** training MSE (standardised units) of the returned parameters, the lowest seen; the MSE every 10th iteration */
  trainLoss: number;
  lossHistory: number[];
  /** retires the gauge (later calls throw); it holds no tensors, its parameters being float64 arrays */
  dispose(): void;
}

const FINAL_LR_FRACTION = 1e-2;
const HISTORY_EVERY = 10;

function validateOptions(options: Partial<NeuralGaugeOptions>): NeuralGaugeOptions {
  const allowed = Object.keys(NEURAL_GAUGE_DEFAULTS);
  const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new ConfigError(`neural gauge: unknown option '${unknown[0]}'; allowed: ${allowed.join(', ')}`);
  const o: NeuralGaugeOptions = { ...NEURAL_GAUGE_DEFAULTS, ...options };
  for (const key of ['width', 'flowSteps', 'iterations'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new ConfigError(`neural gauge: ${key} must be a positive integer, got ${o[key]}`);
  }
  if (!(Number.isFinite(o.lr) && o.lr > 0)) throw new ConfigError(`neural gauge: lr must be a finite number > 0, got ${o.lr}`);
  if (!(Number.isFinite(o.weightDecay) && o.weightDecay >= 0)) {
    throw new ConfigError(`neural gauge: weightDecay must be a finite number ≥ 0, got ${o.weightDecay}`);
  }
  if (typeof o.logParameters !== 'boolean') throw new ConfigError(`neural gauge: logParameters must be true or false, got ${String(o.logParameters)}`);
  return o;
}


/**
 * The training loss and its hand-written gradient at θ = [M (k × k, row-major [in][out]), c (k), ψ (per layer W then
 * b)] for standardised rows u, w: exported so that the tests can check the discrete adjoint against finite differences.
 */
export function neuralGaugeObjective(
  theta: Float64Array,
  u: Rows,
  w: Rows,
  options: Partial<NeuralGaugeOptions> = {},
): { mse: number; total: number; grad: Float64Array } {
  const o = validateOptions(options);
  const spec = fieldSpec(checkRows('latent', u), o.width);
  checkRows('physical', w, spec.sizes[0]);
  if (theta.length !== parameterCount(spec)) {
    throw new DataError(`neural gauge: θ has ${theta.length} entries, expected ${parameterCount(spec)} for k = ${spec.sizes[0]}, width ${o.width}`);
  }
  return gaugeObjective(spec, theta, u, w, o);
}

interface TrainResult {
  theta: Float64Array;
  trainLoss: number;
  lossHistory: number[];
}

/** Full-batch Adam on θ held as one float32 tensor; returns the iterate with the lowest training MSE. */
function train(spec: MlpSpec, initial: Float64Array, u: Rows, w: Rows, o: NeuralGaugeOptions): TrainResult {
  let thetaT = tf.tensor1d(Float32Array.from(initial));
  let adam = adamInit([thetaT]);
  let best = { mse: Infinity, theta: initial };
  const lossHistory: number[] = [];
  try {
    for (let i = 0; ; i++) {
      const theta = Float64Array.from(thetaT.dataSync());
      const { mse, total, grad } = gaugeObjective(spec, theta, u, w, o);
      assertFiniteTerms(i, { mse, total }, o);
      if (i % HISTORY_EVERY === 0) lossHistory.push(mse);
      if (mse < best.mse) best = { mse, theta };
      if (i === o.iterations) break;
      const gradT = tf.tensor1d(Float32Array.from(grad));
      const next = adamStep([thetaT], [gradT], adam, { lr: cosineLearningRate(o.lr, o.lr * FINAL_LR_FRACTION, i, o.iterations) });
      tf.dispose([gradT, thetaT]);
      disposeAdam(adam);
      thetaT = next.params[0] as tf.Tensor1D;
      adam = next.state;
    }
  } finally {
    thetaT.dispose();
    disposeAdam(adam);
  }
  return { theta: best.theta, trainLoss: best.mse, lossHistory };
}

export function fitNeuralGauge(latent: Rows, physical: Rows, rng: Rng, options: Partial<NeuralGaugeOptions> = {}): NeuralGauge {
  const o = validateOptions(options);
  if (latent.length !== physical.length) {
    throw new DataError(`neural gauge: latent has ${latent.length} rows but physical has ${physical.length}; one row per instance in each`);
  }
  if (latent.length < 2) throw new DataError(`neural gauge: needs at least 2 training rows (instances), got ${latent.length}`);
  const k = checkRows('latent', latent);
  checkRows('physical', physical, k);
  const toTarget = (rows: Rows): Rows => (o.logParameters ? logRows('physical', rows) : rows);
  const fromTarget = (rows: number[][]): number[][] => (o.logParameters ? rows.map((r) => r.map(Math.exp)) : rows);
  const target = toTarget(physical);
  const latentScaler = fitScaler('latent', latent);
  const physicalScaler = fitScaler('physical', target);
  const u = standardise(latentScaler, latent);
  const w = standardise(physicalScaler, target);
  const spec = fieldSpec(k, o.width);
  const fitted = train(spec, initialTheta(spec, leastSquaresMap(u, w), rng), u, w, o);
  const p = gaugeView(fitted.theta, spec);
  const mInverse = solveLinear(toRows(p.m, k), identity(k)).x;
  let disposed = false;
  const checkInput = (name: string, rows: Rows) => {
    if (disposed) throw new Error('neural gauge: used after dispose()');
    if (rows.length > 0) checkRows(name, rows, k);
  };
  return {
    forward(rows) {
      checkInput('latent', rows);
      const z1 = standardise(latentScaler, rows).map((r) => flowPoint(p.layers, affine(p, r), o.flowSteps, 1));
      return fromTarget(unstandardise(physicalScaler, z1));
    },
    inverse(rows) {
      checkInput('physical', rows);
      const z0 = standardise(physicalScaler, toTarget(rows)).map((r) => flowPoint(p.layers, [...r], o.flowSteps, -1));
      const v = z0.map((z) => z.map((zj, j) => zj - p.c[j]));
      return unstandardise(latentScaler, v.map((r) => mInverse[0].map((_, j) => r.reduce((s, vi, i) => s + vi * mInverse[i][j], 0))));
    },
    trainLoss: fitted.trainLoss,
    lossHistory: fitted.lossHistory,
    dispose() {
      disposed = true;
    },
  };
}

/**
 * The worst parameter's relative error, max_j |φ̂_j − φ_j| / |φ_j| (for k = 1 the plain relative error). Per
 * parameter rather than |φ̂ − φ| / |φ|: physical parameters differ in scale (diffusion coefficients 1e-3 and 5e-3,
 * stiffnesses 100 N/m and 1e-3 N·m/rad), and a Euclidean norm would hide the small one's error behind the large one.
 */
export function relativeParameterError(predicted: readonly number[], truth: readonly number[]): number {
  if (predicted.length !== truth.length || truth.length === 0) {
    throw new DataError(`relativeParameterError: predicted has ${predicted.length} entries and truth ${truth.length}; both need the same k ≥ 1`);
  }
  const zero = truth.findIndex((t) => t === 0);
  if (zero >= 0) throw new DataError(`relativeParameterError: true parameter ${zero} is zero; its relative error is undefined`);
  return Math.max(...predicted.map((p, j) => Math.abs(p - truth[j]) / Math.abs(truth[j])));
}
