/**
 * Multi-layer perceptron as plain parameters plus pure functions.
 *
 * Layer ℓ = 1..L maps h_{ℓ-1} ↦ h_ℓ = σ_ℓ(z_ℓ), z_ℓ = h_{ℓ-1} W_ℓ + b_ℓ (rows are samples, W_ℓ: [in, out]).
 * For a scalar output y = h_L the input gradient is the hand-written backward pass
 *   g_L = 1,   g_{ℓ-1} = (g_ℓ ⊙ σ'_ℓ(z_ℓ)) W_ℓᵀ,   ∂y/∂x = g_0,
 * built from matMul/mul and first derivatives of the activations only. Training losses that contain ∂y/∂x (HNN,
 * conservative forces, GENERIC) then need only first-order autodiff with respect to the parameters, which tfjs does
 * correctly; nested `tf.grad` is wrong or fails through tanh/sigmoid/exp (toolchain.md §6) and is O(n²) in rollouts.
 * That pass lives in ./conditionedMlp.ts (the network conditioned on a fixed part of its input, taped op by op) and
 * ./inputGradient.ts (the same pass as one custom-gradient node, and `mlpValueAndInputGradient`); this file holds the
 * network itself and the forward-mode tangent.
 *
 * An adapted or modulated parameter set (θ − α∇L, W + uvᵀ) is just another `MlpParams`.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import { matMul, sigmoid, tanh } from './ops';

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

/** z = h W + b for one layer. */
export function linear(h: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
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
