/**
 * Multi-layer perceptron as plain parameters plus pure functions, with an analytic input gradient.
 *
 * Layer ℓ = 1..L maps h_{ℓ-1} ↦ h_ℓ = σ_ℓ(z_ℓ), z_ℓ = h_{ℓ-1} W_ℓ + b_ℓ (rows are samples, W_ℓ: [in, out]).
 * For a scalar output y = h_L the input gradient is the hand-written backward pass
 *   g_L = 1,   g_{ℓ-1} = (g_ℓ ⊙ σ'_ℓ(z_ℓ)) W_ℓᵀ,   ∂y/∂x = g_0,
 * built from matMul/mul and first derivatives of the activations only. Training losses that contain ∂y/∂x (HNN,
 * conservative forces, GENERIC) then need only first-order autodiff with respect to the parameters, which tfjs does
 * correctly; nested `tf.grad` is wrong or fails through tanh/sigmoid/exp (toolchain.md §6) and is O(n²) in rollouts.
 *
 * An adapted or modulated parameter set (θ − α∇L, W + uvᵀ) is just another `MlpParams`.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import { matMul, recording, sigmoid, tanh } from './ops';

/** σ after a linear layer. softplus_β(z) = log(1 + e^{βz})/β (PyTorch `Softplus(beta)`), σ' = sigmoid(βz). */
export type Activation = { kind: 'identity' } | { kind: 'tanh' } | { kind: 'softplus'; beta: number };

export interface MlpSpec {
  /** layer widths, input first: [in, h1, ..., out] */
  sizes: number[];
  /** one activation per linear layer (length sizes.length − 1) */
  activations: Activation[];
  /** whether each linear layer has a bias (length sizes.length − 1) */
  biases: boolean[];
}

export interface MlpParams {
  /** W_ℓ: [in_ℓ, out_ℓ] */
  weights: tf.Tensor2D[];
  /** b_ℓ: [out_ℓ], or null for a layer without bias */
  biases: (tf.Tensor1D | null)[];
}

export function validateMlpSpec(spec: MlpSpec): void {
  const layers = spec.sizes.length - 1;
  if (layers < 1 || spec.sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new ConfigError(`mlp sizes must be ≥ 2 positive integers, got [${spec.sizes.join(', ')}]`);
  }
  if (spec.activations.length !== layers || spec.biases.length !== layers) {
    throw new ConfigError(
      `mlp needs one activation and one bias flag per layer (${layers}), got ${spec.activations.length} and ${spec.biases.length}`,
    );
  }
  for (const a of spec.activations) {
    if (a.kind === 'softplus' && !(a.beta > 0)) throw new ConfigError(`softplus beta must be > 0, got ${a.beta}`);
  }
}

/**
 * PyTorch's default `nn.Linear` initialisation: W, b ~ U(−1/√fan_in, 1/√fan_in), so that our networks start where
 * the reference implementations start.
 */
export function initMlp(spec: MlpSpec, rng: Rng): MlpParams {
  validateMlpSpec(spec);
  const weights: tf.Tensor2D[] = [];
  const biases: (tf.Tensor1D | null)[] = [];
  for (let l = 0; l + 1 < spec.sizes.length; l++) {
    const fanIn = spec.sizes[l];
    const fanOut = spec.sizes[l + 1];
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = rng.uniformIn(-bound, bound);
    weights.push(tf.tensor2d(w, [fanIn, fanOut]));
    if (spec.biases[l]) {
      const b = new Float32Array(fanOut);
      for (let i = 0; i < b.length; i++) b[i] = rng.uniformIn(-bound, bound);
      biases.push(tf.tensor1d(b));
    } else {
      biases.push(null);
    }
  }
  return { weights, biases };
}

/** σ(z) and, when asked, σ'(z) (null for the identity, whose derivative is 1), sharing βz (tanh' = 1 − σ² reuses σ). */
export function activation(a: Activation, z: tf.Tensor2D, withDerivative: boolean): { h: tf.Tensor2D; d: tf.Tensor2D | null } {
  switch (a.kind) {
    case 'identity':
      return { h: z, d: null };
    case 'tanh': {
      const h = tanh(z);
      return { h, d: withDerivative ? (tf.sub(1, tf.square(h)) as tf.Tensor2D) : null };
    }
    case 'softplus': {
      const bz = a.beta === 1 ? z : (tf.mul(z, a.beta) as tf.Tensor2D);
      const h = (a.beta === 1 ? tf.softplus(bz) : tf.div(tf.softplus(bz), a.beta)) as tf.Tensor2D;
      return { h, d: withDerivative ? sigmoid(bz) : null };
    }
  }
}

function linear(h: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
  const z = matMul(h, w);
  return b ? tf.add(z, b) : z;
}

/** x: [batch, in] -> [batch, out] */
export function mlpApply(spec: MlpSpec, p: MlpParams, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (let l = 0; l < p.weights.length; l++) h = activation(spec.activations[l], linear(h, p.weights[l], p.biases[l]), false).h;
  return h;
}

/**
 * Forward-mode derivative along one input column, for any output width: y and ∂y/∂x_j, both [rows, out].
 *   ż_1 = (W_1)_{j,:},   ḣ_ℓ = σ'_ℓ(z_ℓ) ⊙ ż_ℓ,   ż_{ℓ+1} = ḣ_ℓ W_{ℓ+1},   ∂y/∂x_j = ḣ_L
 * Like the input gradient it uses first derivatives of the activations only, so a loss containing it needs only
 * first-order autodiff. Until an activation is met ż is the same for every row and stays one broadcast row.
 */
export function mlpValueAndInputTangent(spec: MlpSpec, p: MlpParams, x: tf.Tensor2D, column: number): { value: tf.Tensor2D; tangent: tf.Tensor2D } {
  if (!Number.isInteger(column) || column < 0 || column >= spec.sizes[0]) {
    throw new ConfigError(`input column must be an integer in [0, ${spec.sizes[0]}), got ${column}`);
  }
  let h = x;
  let dh = tf.slice(p.weights[0], [column, 0], [1, -1]) as tf.Tensor2D;
  for (let l = 0; l < p.weights.length; l++) {
    const dz = l === 0 ? dh : matMul(dh, p.weights[l]);
    const act = activation(spec.activations[l], linear(h, p.weights[l], p.biases[l]), true);
    h = act.h;
    dh = act.d ? (tf.mul(act.d, dz) as tf.Tensor2D) : dz;
  }
  const rows = x.shape[0];
  return { value: h, tangent: dh.shape[0] === rows ? dh : (tf.broadcastTo(dh, [rows, dh.shape[1]]) as tf.Tensor2D) };
}

/**
 * A scalar-output MLP evaluated many times on inputs [x, c] whose trailing part c is fixed (adaptation parameters,
 * latent codes) — e.g. at every stage of a rollout. What does not depend on x is computed once here:
 *   z_1 = x W_1^x + (c W_1^c + b_1),   and every W_ℓᵀ of the backward pass,
 * which removes a concat, a matMul and the transposes from each evaluation.
 */
export interface ConditionedMlp {
  spec: MlpSpec;
  params: MlpParams;
  /** number of leading input columns that vary */
  inputDim: number;
  /** W_1^x: [inputDim, h_1] */
  firstWeight: tf.Tensor2D;
  /** c W_1^c + b_1: [rows, h_1], or b_1, or null */
  firstOffset: tf.Tensor | null;
  /** W_ℓᵀ for ℓ ≥ 2 and (W_1^x)ᵀ for ℓ = 1 */
  transposed: tf.Tensor2D[];
  /**
   * The topmost layer with a non-identity activation (−1 when there is none), and ∂y/∂h at that layer, which the
   * identity layers above it make the same for every row: W_Lᵀ ⋯ W_{top+2}ᵀ as one row [1, out_top].
   */
  top: number;
  topGradient: tf.Tensor2D | null;
  /**
   * Per-row weights w: [rows, out_L] of a readout y = h_L · w that is not one of the layers (conditionOutputWeights),
   * or null. Then top is the last layer and topGradient is w itself.
   */
  outputWeights: tf.Tensor2D | null;
}

/** condition: [rows, in − inputDim] (rows must match the x of every later call), or null when the input is all x. */
export function conditionMlp(spec: MlpSpec, p: MlpParams, condition: tf.Tensor2D | null): ConditionedMlp {
  const out = spec.sizes[spec.sizes.length - 1];
  if (out !== 1) throw new ConfigError(`input gradient needs a scalar-output MLP, got output width ${out}`);
  const inputs = spec.sizes[0];
  const conditionDim = condition ? condition.shape[1] : 0;
  const inputDim = inputs - conditionDim;
  if (inputDim < 1) throw new ConfigError(`condition has ${conditionDim} columns but the MLP takes only ${inputs} inputs`);
  const w1 = p.weights[0];
  const firstWeight = condition ? (tf.slice(w1, [0, 0], [inputDim, -1]) as tf.Tensor2D) : w1;
  let firstOffset: tf.Tensor | null = p.biases[0];
  if (condition) {
    const fromCondition = matMul(condition, tf.slice(w1, [inputDim, 0], [conditionDim, -1]) as tf.Tensor2D);
    firstOffset = firstOffset ? tf.add(fromCondition, firstOffset) : fromCondition;
  }
  const transposed = p.weights.map((w, l) => tf.transpose(l === 0 ? firstWeight : w) as tf.Tensor2D);
  let top = spec.activations.length - 1;
  while (top >= 0 && spec.activations[top].kind === 'identity') top--;
  // The same products, in the same order, as the backward pass of conditionedValueAndInputGradient.
  let topGradient: tf.Tensor2D | null = null;
  for (let l = p.weights.length - 1; l > top && top >= 0; l--) topGradient = topGradient === null ? transposed[l] : matMul(topGradient, transposed[l]);
  return { spec, params: p, inputDim, firstWeight, firstOffset, transposed, top, topGradient, outputWeights: null };
}

/**
 * A body x ↦ h_L(x) whose every layer has an activation, read out by weights that differ per row:
 *   y = h_L(x) · w,   w: [rows, out_L] (e.g. produced by a network of each row's latent code),
 * so that y is a sum of learned functions of x with row-dependent coefficients. The input gradient is the backward
 * pass started at g_L = w instead of at a row shared by all rows; the vector–Jacobian product then returns w̄ per row.
 */
export function conditionOutputWeights(spec: MlpSpec, p: MlpParams, outputWeights: tf.Tensor2D): ConditionedMlp {
  const layers = spec.activations.length;
  if (spec.activations[layers - 1].kind === 'identity') throw new ConfigError('conditionOutputWeights: the body\'s last layer needs an activation (the row weights are its readout)');
  const out = spec.sizes[layers];
  if (outputWeights.rank !== 2 || outputWeights.shape[1] !== out) {
    throw new ConfigError(`conditionOutputWeights: outputWeights must be [rows, ${out}], got [${outputWeights.shape.join(', ')}]`);
  }
  const transposed = p.weights.map((w) => tf.transpose(w) as tf.Tensor2D);
  return { spec, params: p, inputDim: spec.sizes[0], firstWeight: p.weights[0], firstOffset: p.biases[0], transposed, top: layers - 1, topGradient: outputWeights, outputWeights };
}

/** The forward pass: y and, when asked, σ'_ℓ(z_ℓ) of every layer (null for the identity). */
function conditionedForward(m: ConditionedMlp, x: tf.Tensor2D, withDerivatives: boolean): { value: tf.Tensor2D; derivatives: (tf.Tensor2D | null)[] } {
  const { spec, params: p } = m;
  const derivatives: (tf.Tensor2D | null)[] = [];
  let h = x;
  for (let l = 0; l < p.weights.length; l++) {
    let z: tf.Tensor2D;
    if (l === 0) {
      const zx = matMul(x, m.firstWeight);
      z = m.firstOffset ? (tf.add(zx, m.firstOffset) as tf.Tensor2D) : zx;
    } else {
      z = linear(h, p.weights[l], p.biases[l]);
    }
    const act = activation(spec.activations[l], z, withDerivatives);
    h = act.h;
    derivatives.push(act.d);
  }
  if (m.outputWeights) h = tf.sum(tf.mul(h, m.outputWeights), 1, true) as tf.Tensor2D;
  return { value: h, derivatives };
}

/** y for x: [rows, inputDim] -> [rows, 1], the forward pass alone. */
export function conditionedValue(m: ConditionedMlp, x: tf.Tensor2D): tf.Tensor2D {
  return conditionedForward(m, x, false).value;
}

/** x: [rows, inputDim] -> { value: [rows, 1], inputGradient ∂y/∂x: [rows, inputDim] } */
export function conditionedValueAndInputGradient(m: ConditionedMlp, x: tf.Tensor2D): { value: tf.Tensor2D; inputGradient: tf.Tensor2D } {
  const { value: h, derivatives } = conditionedForward(m, x, true);
  const p = m.params;
  // Backward pass: g starts as ∂y/∂h_L, 1 for every row (or the row weights w of conditionOutputWeights). While no
  // activation has been met, g is the same for every row and is kept as a single broadcast row [1, n]: a tiled copy
  // would cost a slice and an add per row in the backward pass of training (tf.tile's gradient).
  let g: tf.Tensor2D | null = m.outputWeights;
  for (let l = p.weights.length - 1; l >= 0; l--) {
    const d = derivatives[l];
    const gz: tf.Tensor2D | null = g === null ? d : d === null ? g : (tf.mul(g, d) as tf.Tensor2D);
    g = gz === null ? m.transposed[l] : matMul(gz, m.transposed[l]);
  }
  const rows = x.shape[0];
  if ((g as tf.Tensor2D).shape[0] !== rows) g = tf.broadcastTo(g as tf.Tensor2D, [rows, (g as tf.Tensor2D).shape[1]]);
  return { value: h, inputGradient: g as tf.Tensor2D };
}

/**
 * σ''(z) from what the forward pass keeps: softplus_β'' = β s(1 − s) with s = σ' = sigmoid(βz); tanh'' = −2 t σ'
 * with t = tanh z. (Never called for the identity, whose σ' is absent.)
 */
function secondDerivative(a: Activation, h: tf.Tensor2D, d: tf.Tensor2D): tf.Tensor2D {
  if (a.kind === 'softplus') return tf.mul(tf.mul(d, tf.sub(tf.scalar(1), d)), a.beta) as tf.Tensor2D;
  return tf.mul(tf.mul(h, d), -2) as tf.Tensor2D;
}

/** The forward and backward passes of the input gradient, from the node's inputs (see conditionedInputGradient). */
interface InputGradientPasses {
  /** h_{ℓ−1}, the input of layer ℓ (h_{−1} = x), for ℓ ≤ top */
  inputs: tf.Tensor2D[];
  /** σ_ℓ(z_ℓ) (not computed at a softplus top layer, whose σ'' needs only σ') and σ'_ℓ(z_ℓ) (null for the identity), ℓ ≤ top */
  h: tf.Tensor2D[];
  d: (tf.Tensor2D | null)[];
  /** g_ℓ = ∂y/∂h_ℓ (a broadcast row for ℓ = top) and δ_ℓ = g_ℓ ⊙ σ'_ℓ, ℓ ≤ top; null g_top means ∂y/∂h_top = 1 */
  g: (tf.Tensor2D | null)[];
  delta: tf.Tensor2D[];
  /** ∂y/∂x */
  gradient: tf.Tensor2D;
}

interface InputGradientLayout {
  activations: Activation[];
  top: number;
  hasOffset: boolean;
  /** bias present on layer ℓ (1 ≤ ℓ ≤ top) */
  hasBias: boolean[];
  hasTopGradient: boolean;
}

/** Node inputs: [x, offset?, W_0..W_top, b_ℓ (1 ≤ ℓ ≤ top, present), W_0ᵀ..W_topᵀ, topGradient?] */
function unpackInputs(L: InputGradientLayout, t: readonly tf.Tensor[]) {
  let k = 0;
  const x = t[k++] as tf.Tensor2D;
  const offset = L.hasOffset ? t[k++] : null;
  const weights = Array.from({ length: L.top + 1 }, () => t[k++] as tf.Tensor2D);
  const biases = Array.from({ length: L.top + 1 }, (_, l) => (l >= 1 && L.hasBias[l] ? (t[k++] as tf.Tensor1D) : null));
  const transposed = Array.from({ length: L.top + 1 }, () => t[k++] as tf.Tensor2D);
  const topGradient = L.hasTopGradient ? (t[k++] as tf.Tensor2D) : null;
  return { x, offset, weights, biases, transposed, topGradient, count: k };
}

/** The same ops, in the same order, as conditionedValueAndInputGradient (so the values are identical). */
function inputGradientPasses(L: InputGradientLayout, t: readonly tf.Tensor[]): InputGradientPasses {
  const u = unpackInputs(L, t);
  const inputs: tf.Tensor2D[] = [];
  const h: tf.Tensor2D[] = [];
  const d: (tf.Tensor2D | null)[] = [];
  let cur = u.x;
  for (let l = 0; l <= L.top; l++) {
    inputs.push(cur);
    let z = matMul(cur, u.weights[l]);
    const offset = l === 0 ? u.offset : u.biases[l];
    if (offset) z = tf.add(z, offset) as tf.Tensor2D;
    const a = L.activations[l];
    if (l === L.top && a.kind === 'softplus') {
      // softplus'' needs only σ' = sigmoid(βz), and nothing above the top layer reads σ(z_top).
      h.push(null as unknown as tf.Tensor2D);
      d.push(sigmoid(a.beta === 1 ? z : (tf.mul(z, a.beta) as tf.Tensor2D)));
      break;
    }
    const act = activation(a, z, true);
    h.push(act.h);
    d.push(act.d);
    cur = act.h;
  }
  const g: (tf.Tensor2D | null)[] = new Array(L.top + 1).fill(null);
  const delta: tf.Tensor2D[] = new Array(L.top + 1);
  let gl: tf.Tensor2D | null = u.topGradient;
  for (let l = L.top; l >= 0; l--) {
    g[l] = gl;
    const dl = d[l];
    // At the top layer σ' exists, so δ_top is never null; below it g is a full tensor.
    delta[l] = (gl === null ? dl : dl === null ? gl : tf.mul(gl, dl)) as tf.Tensor2D;
    gl = matMul(delta[l], u.transposed[l]);
  }
  return { inputs, h, d, g, delta, gradient: gl as tf.Tensor2D };
}

/** Sum of a [rows, n] adjoint down to the shape of the tensor it belongs to ([n], [1, n] or [rows, n]). */
function reduceTo(adjoint: tf.Tensor2D, target: tf.Tensor): tf.Tensor {
  if (target.rank === 1) return tf.sum(adjoint, 0);
  return target.shape[0] === adjoint.shape[0] ? adjoint : tf.sum(adjoint, 0, true);
}

/**
 * Vector–Jacobian product of x ↦ ∂y/∂x with respect to every node input, given Ḡ = ∂L/∂(∂y/∂x). With the
 * backward pass g_{ℓ−1} = δ_ℓ W_ℓᵀ, δ_ℓ = g_ℓ ⊙ σ'(z_ℓ), and the forward pass z_ℓ = h_{ℓ−1} W_ℓ + b_ℓ:
 *   up (ℓ = 0..top):   δ̄_ℓ = ḡ_{ℓ−1} W_ℓ,  (W_ℓᵀ)‾ = δ_ℓᵀ ḡ_{ℓ−1},  ḡ_ℓ = δ̄_ℓ ⊙ σ'_ℓ,  z̄_ℓ = δ̄_ℓ ⊙ g_ℓ ⊙ σ''_ℓ
 *   down (ℓ = top..0): z̄_ℓ += h̄_ℓ ⊙ σ'_ℓ,  W̄_ℓ = h_{ℓ−1}ᵀ z̄_ℓ,  b̄_ℓ = Σ_rows z̄_ℓ,  h̄_{ℓ−1} = z̄_ℓ W_ℓᵀ
 * with ḡ_{−1} = Ḡ and x̄ = h̄_{−1}; the identity's σ' is 1 and σ'' 0.
 */
function inputGradientVjp(L: InputGradientLayout, t: readonly tf.Tensor[], P: InputGradientPasses, gradBar: tf.Tensor2D): tf.Tensor[] {
  const u = unpackInputs(L, t);
  const transposeTimes = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => matMul(tf.transpose(a) as tf.Tensor2D, b);
  const transposedBar: tf.Tensor[] = [];
  const zBar: (tf.Tensor2D | null)[] = [];
  let gBar = gradBar;
  for (let l = 0; l <= L.top; l++) {
    const deltaBar = matMul(gBar, u.weights[l]);
    const delta = P.delta[l];
    transposedBar.push(transposeTimes(delta, delta.shape[0] === 1 && gBar.shape[0] > 1 ? (tf.sum(gBar, 0, true) as tf.Tensor2D) : gBar));
    const d = P.d[l];
    if (d === null) {
      gBar = deltaBar;
      zBar.push(null);
    } else {
      gBar = tf.mul(deltaBar, d) as tf.Tensor2D;
      const gl = P.g[l];
      const weighted = gl === null ? deltaBar : (tf.mul(deltaBar, gl) as tf.Tensor2D);
      zBar.push(tf.mul(weighted, secondDerivative(L.activations[l], P.h[l], d)) as tf.Tensor2D);
    }
  }
  const topGradientBar = u.topGradient ? reduceTo(gBar, u.topGradient) : null;
  const weightBar: tf.Tensor[] = new Array(L.top + 1);
  const biasBar: (tf.Tensor | null)[] = new Array(L.top + 1).fill(null);
  let offsetBar: tf.Tensor | null = null;
  let hBar: tf.Tensor2D | null = null;
  for (let l = L.top; l >= 0; l--) {
    const d = P.d[l];
    const fromAbove = hBar === null ? null : d === null ? hBar : (tf.mul(hBar, d) as tf.Tensor2D);
    const z = zBar[l];
    const total = (z === null ? fromAbove : fromAbove === null ? z : tf.add(z, fromAbove)) as tf.Tensor2D;
    weightBar[l] = transposeTimes(P.inputs[l], total);
    if (l === 0 && u.offset) offsetBar = reduceTo(total, u.offset);
    const b = u.biases[l];
    if (l >= 1 && b) biasBar[l] = reduceTo(total, b);
    hBar = matMul(total, u.transposed[l]);
  }
  const grads: tf.Tensor[] = [hBar as tf.Tensor2D];
  if (u.offset) grads.push(offsetBar as tf.Tensor);
  grads.push(...weightBar);
  biasBar.forEach((b, l) => {
    if (l >= 1 && u.biases[l]) grads.push(b as tf.Tensor);
  });
  grads.push(...transposedBar);
  if (u.topGradient) grads.push(topGradientBar as tf.Tensor);
  return grads;
}

/** Whether we are inside a gradient that is itself being differentiated (tf.grad nested in tf.grads). */
function nested(): boolean {
  return tf.engine().state.gradientDepth > 1;
}

/**
 * ∂y/∂x of a conditioned scalar MLP as ONE custom-gradient node whose backward pass is the hand-written
 * vector–Jacobian product above. Autodiff of the analytic input gradient would record ~40 ops per evaluation, each
 * with cloned saved tensors, and replay their gradients one by one — most of a rollout's kernel launches
 * (toolchain.md §7). The value is that of conditionedValueAndInputGradient, op for op.
 *
 * First-order backward passes reuse the forward pass's intermediates. When the backward pass is itself being
 * differentiated (second-order meta-learning: the tape is recording), it recomputes them from the saved inputs,
 * which the tape connects to everything upstream, so that every order stays correct.
 *
 * x: [rows, inputDim] -> [rows, inputDim]
 */
export function conditionedInputGradient(m: ConditionedMlp, x: tf.Tensor2D): tf.Tensor2D {
  const { spec, params: p, top } = m;
  if (top < 0) return conditionedValueAndInputGradient(m, x).inputGradient;
  const L: InputGradientLayout = {
    activations: spec.activations,
    top,
    hasOffset: m.firstOffset !== null,
    hasBias: p.biases.map((b) => b !== null),
    hasTopGradient: m.topGradient !== null,
  };
  const inputs: tf.Tensor[] = [x];
  if (m.firstOffset) inputs.push(m.firstOffset);
  for (let l = 0; l <= top; l++) inputs.push(l === 0 ? m.firstWeight : p.weights[l]);
  for (let l = 1; l <= top; l++) if (p.biases[l]) inputs.push(p.biases[l] as tf.Tensor1D);
  for (let l = 0; l <= top; l++) inputs.push(m.transposed[l]);
  if (m.topGradient) inputs.push(m.topGradient);
  if (!recording()) return inputGradientPasses(L, inputs).gradient;
  const n = inputs.length;
  const node = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args.slice(0, n) as tf.Tensor[];
    const save = args[n] as tf.GradSaveFunc;
    const P = inputGradientPasses(L, t);
    if (nested()) {
      // Inside an outer gradient the backward pass will recompute from the inputs (see gradFunc): keeping the
      // intermediates too would hold every evaluation's activations until the outer backward pass.
      save(t);
    } else {
      // The input of layer ℓ ≥ 1 is h_{ℓ−1}; h_top is needed only for tanh''.
      const keptH = L.activations[top].kind === 'tanh' ? P.h : P.h.slice(0, top);
      const keptD = P.d.filter((d): d is tf.Tensor2D => d !== null);
      const keptG = P.g.filter((g): g is tf.Tensor2D => g !== null);
      save([...t, ...keptH, ...keptD, ...keptG, ...P.delta]);
    }
    return {
      value: P.gradient,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedInputs = saved.slice(0, n);
        let passes: InputGradientPasses;
        if (tf.engine().isTapeOn() || saved.length === n) {
          passes = inputGradientPasses(L, savedInputs);
        } else {
          let k = n;
          const take = () => saved[k++] as tf.Tensor2D;
          const h = P.h.map((_, l) => (l < top || L.activations[top].kind === 'tanh' ? take() : (null as unknown as tf.Tensor2D)));
          const layerInputs = [savedInputs[0] as tf.Tensor2D, ...h.slice(0, top)];
          const d = P.d.map((v) => (v === null ? null : take()));
          const g = P.g.map((v) => (v === null ? null : take()));
          const delta = P.delta.map(take);
          passes = { inputs: layerInputs, h, d, g, delta, gradient: P.gradient };
        }
        return inputGradientVjp(L, savedInputs, passes, dy as tf.Tensor2D);
      },
    };
  });
  return node(...inputs) as tf.Tensor2D;
}

/**
 * Scalar-output MLP value and its gradient with respect to the input, each computed when first read (the gradient
 * as the single node of conditionedInputGradient; a caller that reads both pays for the forward pass twice).
 * x: [batch, in] -> { value: [batch, 1], inputGradient: [batch, in] }
 */
export function mlpValueAndInputGradient(spec: MlpSpec, p: MlpParams, x: tf.Tensor2D): { value: tf.Tensor2D; inputGradient: tf.Tensor2D } {
  const m = conditionMlp(spec, p, null);
  let value: tf.Tensor2D | null = null;
  let inputGradient: tf.Tensor2D | null = null;
  return {
    get value() {
      if (value === null) value = conditionedValue(m, x);
      return value;
    },
    get inputGradient() {
      if (inputGradient === null) inputGradient = conditionedInputGradient(m, x);
      return inputGradient;
    },
  };
}

/** The parameter tensors in a fixed order (weights then biases, skipping absent biases), for gradients and optimisers. */
export function mlpTensors(p: MlpParams): tf.Tensor[] {
  return [...p.weights, ...p.biases.filter((b): b is tf.Tensor1D => b !== null)];
}

/** Inverse of `mlpTensors` for a network of `spec`. */
export function mlpFromTensors(spec: MlpSpec, tensors: readonly tf.Tensor[]): MlpParams {
  const n = spec.sizes.length - 1;
  const weights = tensors.slice(0, n) as tf.Tensor2D[];
  let k = n;
  const biases = spec.biases.map((hasBias) => (hasBias ? (tensors[k++] as tf.Tensor1D) : null));
  if (k !== tensors.length) throw new Error(`mlpFromTensors: expected ${k} tensors, got ${tensors.length}`);
  return { weights, biases };
}

export function mlpParameterCount(p: MlpParams): number {
  return mlpTensors(p).reduce((s, t) => s + t.size, 0);
}

export function disposeMlp(p: MlpParams): void {
  tf.dispose(mlpTensors(p));
}
