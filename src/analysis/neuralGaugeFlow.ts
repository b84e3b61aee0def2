/**
 * The Neural Gauge's parameters and its loss in float64 (./neuralGauge.ts): θ = [M, c, ψ] as one flat vector, the
 * flow of g_ψ by fixed-step RK4, and the training loss with its exact gradient by a hand-written discrete adjoint.
 *
 *   g_ψ: k → width → width → k, tanh on the hidden layers, output layer zero at the start (the flow starts as identity)
 *   z(0) = u M + c,   z_{n+1} = RK4(z_n, h = ±1/steps),   L = mean((z(1) − w)²) + weightDecay · ‖ψ‖²
 *   adjoint: λ = ∂L/∂z(1) = 2 (z(1) − w) / count, run back through each RK4 stage and the MLP layer by layer
 *            (tanh' = 1 − tanh²), collecting ∂L/∂ψ, then ∂L/∂M = uᵀλ(0) and ∂L/∂c = λ(0).
 *
 * Why not tfjs autodiff: the flow is ~300 tiny ops forward (8 RK4 steps × 4 stages × 3 layers) and ~1,500 with the
 * backward pass. tfjs spends 10–20 µs of engine overhead on each op, so an iteration took ~50 ms on wasm and a default
 * fit ~100 s. The same loss and its exact gradient are therefore computed here in float64 JavaScript: the forward
 * pass, then a hand-written discrete adjoint (reverse pass of each RK4 stage through the MLP). This runs
 * ~1–3 ms per iteration, and it also makes forward/inverse float64. Parameters still live in one float32 tensor
 * for the project's Adam.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng';
import { type MlpSpec, disposeMlp, initMlp } from '../nn/mlp';
import type { Rows } from './neuralGaugeLinearMap';

/** One dense layer y = σ(x W + b) as views into the flat parameter vector; W is [in, out] row-major (tfjs layout). */
interface Dense {
  inDim: number;
  outDim: number;
  tanh: boolean;
  w: Float64Array;
  b: Float64Array;
}

/** The gauge's parameters as views into one flat vector θ = [M, c, ψ]. */
export interface GaugeParams {
  m: Float64Array;
  c: Float64Array;
  layers: Dense[];
}

/** g_ψ: k → width → width → k, tanh on the hidden layers. */
export function fieldSpec(k: number, width: number): MlpSpec {
  return { sizes: [k, width, width, k], activations: [{ kind: 'tanh' }, { kind: 'tanh' }, { kind: 'identity' }], biases: [true, true, true] };
}

const psiOffset = (k: number) => k * k + k;
export const parameterCount = (spec: MlpSpec) =>
  psiOffset(spec.sizes[0]) + spec.sizes.slice(1).reduce((s, out, l) => s + (spec.sizes[l] + 1) * out, 0);

/** Views of θ (or of a gradient with the same layout). */
export function gaugeView(theta: Float64Array, spec: MlpSpec): GaugeParams {
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
export function initialTheta(spec: MlpSpec, m0: number[][], rng: Rng): Float64Array {
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
export function flowPoint(layers: readonly Dense[], z0: number[], steps: number, direction: 1 | -1): number[] {
  let z = z0;
  for (let s = 0; s < steps; s++) z = rk4Step(layers, z, direction / steps);
  return z;
}

/** z(0) = u M + c */
export function affine(p: GaugeParams, u: readonly number[]): number[] {
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
export function gaugeObjective(spec: MlpSpec, theta: Float64Array, u: Rows, w: Rows, o: { flowSteps: number; weightDecay: number }): { mse: number; total: number; grad: Float64Array } {
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
