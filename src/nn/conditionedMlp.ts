/**
 * A scalar-output MLP (./mlp.ts) conditioned on the fixed part of its input, with its value and analytic input
 * gradient ∂y/∂x (the backward pass of mlp.ts's header) taped op by op. ./inputGradient.ts computes the same gradient
 * as one custom-gradient node; this taped pass is its reference, and what callers use that also read the value.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { type MlpParams, type MlpSpec, activation, linear } from './mlp';
import { matMul } from './ops';

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
