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
import { matMul } from './ops';

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

/** σ(z) and, when asked, σ'(z), sharing βz (tanh' = 1 − σ² reuses the forward value). */
/** σ(z) and, when asked, σ'(z) (null for the identity, whose derivative is 1). */
export function activation(a: Activation, z: tf.Tensor2D, withDerivative: boolean): { h: tf.Tensor2D; d: tf.Tensor2D | null } {
  switch (a.kind) {
    case 'identity':
      return { h: z, d: null };
    case 'tanh': {
      const h = tf.tanh(z) as tf.Tensor2D;
      return { h, d: withDerivative ? (tf.sub(1, tf.square(h)) as tf.Tensor2D) : null };
    }
    case 'softplus': {
      const bz = a.beta === 1 ? z : (tf.mul(z, a.beta) as tf.Tensor2D);
      const h = (a.beta === 1 ? tf.softplus(bz) : tf.div(tf.softplus(bz), a.beta)) as tf.Tensor2D;
      return { h, d: withDerivative ? (tf.sigmoid(bz) as tf.Tensor2D) : null };
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
  return { spec, params: p, inputDim, firstWeight, firstOffset, transposed };
}

/** x: [rows, inputDim] -> { value: [rows, 1], inputGradient ∂y/∂x: [rows, inputDim] } */
export function conditionedValueAndInputGradient(m: ConditionedMlp, x: tf.Tensor2D): { value: tf.Tensor2D; inputGradient: tf.Tensor2D } {
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
    const act = activation(spec.activations[l], z, true);
    h = act.h;
    derivatives.push(act.d);
  }
  // Backward pass: g starts as ∂y/∂h_L = 1 for every row. While no activation has been met, g is the same for every
  // row and is kept as a single broadcast row [1, n]: a tiled copy would cost a slice and an add per row in the
  // backward pass of training (tf.tile's gradient).
  let g: tf.Tensor2D | null = null;
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
 * Scalar-output MLP value and its gradient with respect to the input, sharing one forward pass.
 * x: [batch, in] -> { value: [batch, 1], inputGradient: [batch, in] }
 */
export function mlpValueAndInputGradient(spec: MlpSpec, p: MlpParams, x: tf.Tensor2D): { value: tf.Tensor2D; inputGradient: tf.Tensor2D } {
  return conditionedValueAndInputGradient(conditionMlp(spec, p, null), x);
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
