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
 * Why not tfjs autodiff: the flow is ~300 tiny ops forward (8 RK4 steps × 4 stages × 3 layers) and ~1,500 with the
 * backward pass. tfjs spends 10–20 µs of engine overhead on each op, so an iteration took ~50 ms on wasm and a default
 * fit ~100 s. The same loss and its exact gradient are therefore computed here in float64 JavaScript: the forward
 * pass, then a hand-written discrete adjoint (reverse pass of each RK4 stage through the MLP). This runs
 * ~1–3 ms per iteration, and it also makes forward/inverse float64. Parameters still live in one float32 tensor
 * for the project's Adam.
 *
 * Refusals (DataError): a constant column (cannot be standardised), collinear latent columns, or a least-squares
 * M that is (nearly) singular: then η does not determine φ, and no diffeomorphism can be fitted.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import type { Rng } from '../core/rng';
import { adamInit, adamStep, cosineLearningRate, disposeAdam } from '../nn/adam';
import { type MlpSpec, disposeMlp, initMlp } from '../nn/mlp';

type Rows = readonly (readonly number[])[];

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

/**
 * In standardised units a determined linear relation has determinants of order 1 (a correlation matrix, or a
 * regression map normalised by its column norms); below this the latent code carries (almost) no information on φ.
 */
const SINGULAR_TOLERANCE = 1e-3;
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

/** Checks that every row has `columns` finite entries (default: as many as row 0, at least one); returns the count. */
function checkRows(name: string, rows: Rows, columns: number = rows[0]?.length ?? 0): number {
  if (columns < 1) throw new DataError(`neural gauge: ${name} rows must have at least one column`);
  rows.forEach((row, i) => {
    if (row.length !== columns) throw new DataError(`neural gauge: ${name} row ${i} has ${row.length} columns, expected ${columns}`);
    const j = row.findIndex((v) => !Number.isFinite(v));
    if (j >= 0) throw new DataError(`neural gauge: ${name} row ${i}, column ${j} is ${row[j]}; values must be finite`);
  });
  return columns;
}

interface Scaler {
  mean: number[];
  std: number[];
}

/** Column means and population standard deviations; a column constant up to rounding cannot be standardised. */
function fitScaler(name: string, rows: Rows): Scaler {
  const n = rows.length;
  const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / n));
  std.forEach((s, j) => {
    if (!(s > 1e-10 * Math.abs(mean[j]))) {
      throw new DataError(`neural gauge: ${name} column ${j} is constant over the training rows (std ${s}); it cannot be standardised`);
    }
  });
  return { mean, std };
}

/** φ -> log φ, refusing a value ≤ 0 (its log is undefined) */
function logRows(name: string, rows: Rows): number[][] {
  return rows.map((r, i) =>
    r.map((v, j) => {
      if (!(v > 0)) throw new DataError(`neural gauge: ${name} row ${i}, column ${j} is ${v}; logParameters needs values > 0`);
      return Math.log(v);
    }),
  );
}

const standardise = (s: Scaler, rows: Rows): number[][] => rows.map((r) => r.map((v, j) => (v - s.mean[j]) / s.std[j]));
const unstandardise = (s: Scaler, rows: Rows): number[][] => rows.map((r) => r.map((v, j) => s.mean[j] + s.std[j] * v));

/** a: [n, p], b: [n, q] -> aᵀ b / n */
function crossMoment(a: Rows, b: Rows): number[][] {
  return a[0].map((_, i) => b[0].map((__, j) => a.reduce((s, r, t) => s + r[i] * b[t][j], 0) / a.length));
}

/** Gaussian elimination with partial pivoting: X with A X = B (A: k × k, B: k × m) and det A. X is meaningless when det A = 0. */
function solveLinear(a: Rows, b: Rows): { x: number[][]; det: number } {
  const k = a.length;
  const m = a.map((row, i) => [...row, ...b[i]]);
  let det = 1;
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (pivot !== col) {
      [m[pivot], m[col]] = [m[col], m[pivot]];
      det = -det;
    }
    det *= m[col][col];
    for (let r = col + 1; r < k; r++) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c < m[r].length; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = b.map((row) => row.map(() => 0));
  for (let r = k - 1; r >= 0; r--) {
    for (let c = 0; c < x[r].length; c++) {
      let s = m[r][k + c];
      for (let j = r + 1; j < k; j++) s -= m[r][j] * x[j][c];
      x[r][c] = s / m[r][r];
    }
  }
  return { x, det };
}

/** A row-major k × k block as rows. */
const toRows = (flat: Float64Array, k: number): number[][] => Array.from({ length: k }, (_, i) => Array.from(flat.subarray(i * k, (i + 1) * k)));

const identity = (k: number): number[][] => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (__, j) => (i === j ? 1 : 0)));

/**
 * M minimising Σ_i ‖w_i − u_i M‖² for centred u and w (the intercept is then 0): M = (uᵀu)⁻¹ uᵀw. uᵀu/n is the
 * latent correlation matrix; |det M| is compared with the product of M's column norms (Hadamard's bound) so that the
 * test measures collinearity of the fitted directions, not their scale.
 */
function leastSquaresMap(u: Rows, w: Rows): number[][] {
  const gram = solveLinear(crossMoment(u, u), crossMoment(u, w));
  if (!(gram.det > SINGULAR_TOLERANCE)) {
    throw new DataError(
      `neural gauge: the latent columns are (nearly) collinear over the training rows (correlation determinant ${gram.det.toExponential(2)}); ` +
        'pass k independent principal-component coordinates and at least k + 1 rows',
    );
  }
  const m = gram.x;
  const k = m.length;
  const hadamard = m[0].reduce((p, _, j) => p * Math.hypot(...m.map((row) => row[j])), 1);
  const det = solveLinear(m, identity(k)).det;
  if (!(Math.abs(det) > SINGULAR_TOLERANCE * Math.max(1, hadamard))) {
    throw new DataError(
      `neural gauge: the least-squares linear map from latent to physical parameters is singular (|det| ${Math.abs(det).toExponential(2)} in standardised units): ` +
        'the latent code does not determine the physical parameters',
    );
  }
  return m;
}

/** One dense layer y = σ(x W + b) as views into the flat parameter vector; W is [in, out] row-major (tfjs layout). */
interface Dense {
  inDim: number;
  outDim: number;
  tanh: boolean;
  w: Float64Array;
  b: Float64Array;
}

/** The gauge's parameters as views into one flat vector θ = [M, c, ψ]. */
interface GaugeParams {
  m: Float64Array;
  c: Float64Array;
  layers: Dense[];
}

/** g_ψ: k → width → width → k, tanh on the hidden layers. */
function fieldSpec(k: number, width: number): MlpSpec {
  return { sizes: [k, width, width, k], activations: [{ kind: 'tanh' }, { kind: 'tanh' }, { kind: 'identity' }], biases: [true, true, true] };
}

const psiOffset = (k: number) => k * k + k;
const parameterCount = (spec: MlpSpec) =>
  psiOffset(spec.sizes[0]) + spec.sizes.slice(1).reduce((s, out, l) => s + (spec.sizes[l] + 1) * out, 0);

/** Views of θ (or of a gradient with the same layout). */
function gaugeView(theta: Float64Array, spec: MlpSpec): GaugeParams {
  let offset = 0;
  const take = (size: number) => theta.subarray(offset, (offset += size));
  const k = spec.sizes[0];
  const m = take(k * k);
  const c = take(k);
  const layers = spec.sizes.slice(1).map((outDim, l) => {
    const inDim = spec.sizes[l];
    const w = take(inDim * outDim);
    return { inDim, outDim, tanh: spec.activations[l].kind === 'tanh', w, b: take(outDim) };
  });
  return { m, c, layers };
}

/**
 * θ at the start: M = the least-squares map, c = 0, ψ from the repo's PyTorch-default initialisation with the output
 * layer zeroed, so that g_ψ ≡ 0 and the flow is the identity.
 */
function initialTheta(spec: MlpSpec, m0: number[][], rng: Rng): Float64Array {
  const theta = new Float64Array(parameterCount(spec));
  const p = gaugeView(theta, spec);
  p.m.set(m0.flat());
  const net = initMlp(spec, rng);
  p.layers.slice(0, -1).forEach((layer, l) => {
    layer.w.set(net.weights[l].dataSync());
    layer.b.set((net.biases[l] as tf.Tensor1D).dataSync());
  });
  disposeMlp(net);
  return theta;
}

/** Small vectors (states, activations) are plain arrays: V8 allocates them far faster than typed arrays. */
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** x + a·v */
function axpy(x: number[], a: number, v: number[]): number[] {
  const y = zeros(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] + a * v[i];
  return y;
}

/** [x, h_1, ..., g_ψ(x)]: the input and every layer's output, kept for the backward pass. */
function fieldActivations(layers: readonly Dense[], x: number[]): number[][] {
  const acts = [x];
  let input = x;
  for (const { inDim, outDim, tanh, w, b } of layers) {
    const y = zeros(outDim);
    for (let j = 0; j < outDim; j++) {
      let s = b[j];
      for (let i = 0; i < inDim; i++) s += input[i] * w[i * outDim + j];
      y[j] = tanh ? Math.tanh(s) : s;
    }
    acts.push(y);
    input = y;
  }
  return acts;
}

/** Reverse pass of g_ψ: adds ∂/∂ψ of ⟨dOut, g_ψ(x)⟩ to `grads` and returns its ∂/∂x. tanh' = 1 − tanh². */
function fieldBackward(layers: readonly Dense[], grads: readonly Dense[], acts: readonly number[][], dOut: number[]): number[] {
  let dy = dOut;
  for (let l = layers.length - 1; l >= 0; l--) {
    const { inDim, outDim, tanh, w } = layers[l];
    const gw = grads[l].w;
    const gb = grads[l].b;
    const x = acts[l];
    const y = acts[l + 1];
    const da = zeros(outDim);
    for (let j = 0; j < outDim; j++) {
      da[j] = tanh ? dy[j] * (1 - y[j] * y[j]) : dy[j];
      gb[j] += da[j];
    }
    const dx = zeros(inDim);
    for (let i = 0; i < inDim; i++) {
      const row = i * outDim;
      let s = 0;
      for (let j = 0; j < outDim; j++) {
        gw[row + j] += x[i] * da[j];
        s += w[row + j] * da[j];
      }
      dx[i] = s;
    }
    dy = dx;
  }
  return dy;
}

/** Stage j of an RK4 step reads z + RK4_FEED[j − 1]·h·k_{j−1}; the step is z + h·Σ RK4_WEIGHT[j]·k_j. */
const RK4_FEED = [0.5, 0.5, 1];
const RK4_WEIGHT = [1 / 6, 1 / 3, 1 / 3, 1 / 6];

/** One classic RK4 step of dz/ds = g_ψ(z) with step h (h < 0 runs the flow backwards); `tape` receives each stage's activations. */
function rk4Step(layers: readonly Dense[], z: number[], h: number, tape: number[][][] = []): number[] {
  const slopes: number[][] = [];
  for (let j = 0; j < 4; j++) {
    const acts = fieldActivations(layers, j === 0 ? z : axpy(z, RK4_FEED[j - 1] * h, slopes[j - 1]));
    tape.push(acts);
    slopes.push(acts[acts.length - 1]);
  }
  return z.map((zi, i) => zi + h * slopes.reduce((s, slope, j) => s + RK4_WEIGHT[j] * slope[i], 0));
}

/** Discrete adjoint of `rk4Step`: given λ = ∂L/∂z_next, adds ∂L/∂ψ to `grads` and returns ∂L/∂z. */
function rk4StepBackward(layers: readonly Dense[], grads: readonly Dense[], tape: readonly number[][][], lambda: number[], h: number): number[] {
  const dSlopes = RK4_WEIGHT.map((a) => lambda.map((l) => a * h * l));
  let dz = lambda;
  for (let j = 3; j >= 0; j--) {
    const dInput = fieldBackward(layers, grads, tape[j], dSlopes[j]);
    dz = axpy(dz, 1, dInput);
    if (j > 0) dSlopes[j - 1] = axpy(dSlopes[j - 1], RK4_FEED[j - 1] * h, dInput);
  }
  return dz;
}

/** z(1) from z(0) by `steps` RK4 steps; direction −1 integrates dz/ds = −g_ψ(z), the inverse flow. */
function flowPoint(layers: readonly Dense[], z0: number[], steps: number, direction: 1 | -1): number[] {
  let z = z0;
  for (let s = 0; s < steps; s++) z = rk4Step(layers, z, direction / steps);
  return z;
}

/** z(0) = u M + c */
function affine(p: GaugeParams, u: readonly number[]): number[] {
  const k = p.c.length;
  return Array.from(p.c, (cj, j) => u.reduce((s, ui, i) => s + ui * p.m[i * k + j], cj));
}

/** Squared error Σ_j (z(1)_j − w_j)² of one row; adds `scale` times its gradient to `g`. */
function rowSquaredError(p: GaugeParams, g: GaugeParams, u: readonly number[], w: readonly number[], steps: number, scale: number): number {
  const h = 1 / steps;
  const tapes: number[][][][] = [];
  let z = affine(p, u);
  for (let s = 0; s < steps; s++) {
    const tape: number[][][] = [];
    z = rk4Step(p.layers, z, h, tape);
    tapes.push(tape);
  }
  const residual = z.map((zj, j) => zj - w[j]);
  let lambda = residual.map((r) => 2 * scale * r);
  for (let s = steps - 1; s >= 0; s--) lambda = rk4StepBackward(p.layers, g.layers, tapes[s], lambda, h);
  const k = lambda.length;
  u.forEach((ui, i) => lambda.forEach((l, j) => (g.m[i * k + j] += ui * l)));
  lambda.forEach((l, j) => (g.c[j] += l));
  return residual.reduce((s, r) => s + r * r, 0);
}

/** L = mse + weightDecay·‖ψ‖² and ∂L/∂θ. */
function objective(spec: MlpSpec, theta: Float64Array, u: Rows, w: Rows, o: NeuralGaugeOptions): { mse: number; total: number; grad: Float64Array } {
  const grad = new Float64Array(theta.length);
  const p = gaugeView(theta, spec);
  const g = gaugeView(grad, spec);
  const count = u.length * spec.sizes[0];
  const mse = u.reduce((s, row, i) => s + rowSquaredError(p, g, row, w[i], o.flowSteps, 1 / count), 0) / count;
  let penalty = 0;
  for (let i = psiOffset(spec.sizes[0]); i < theta.length; i++) {
    penalty += theta[i] * theta[i];
    grad[i] += 2 * o.weightDecay * theta[i];
  }
  return { mse, total: mse + o.weightDecay * penalty, grad };
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
  return objective(spec, theta, u, w, o);
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
      const { mse, total, grad } = objective(spec, theta, u, w, o);
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
