/**
 * H and ∂H/∂x of a latent-modulated MLP conditioned on every row's code (./modulatedMlp.ts): mlp.ts's hand-written
 * backward pass plus the modulation term,
 *   g_L = 1,   g_{ℓ−1} = (g_ℓ ⊙ σ'_ℓ(a_ℓ))(W_ℓ + ΔW_ℓ,k(r))ᵀ,   ∂H/∂x = g_0,
 * built from matMul/mul/sum with σ' taken from σ's forward value (tanh' = 1 − tanh²). A loss containing ∂H/∂x (the
 * HNN loss) then needs only first-order autodiff w.r.t. base weights, hypernetwork, shared bases and latent codes,
 * which tfjs does correctly; nested tf.grad fails or is wrong through tanh (toolchain.md §6).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { activation } from '../nn/mlp';
import { matMul } from '../nn/ops';
import type { ConditionedModulatedMlp } from './modulatedMlp';

/**
 * x: [rows, in] -> { value H: [rows, 1], inputGradient ∂H/∂x: [rows, in] }, each computed when first read and from
 * one forward pass: the value needs no backward pass, and ∂H/∂x no forward pass through an identity output layer.
 */
export function modulatedValueAndInputGradient(m: ConditionedModulatedMlp, x: tf.Tensor2D): { value: tf.Tensor2D; inputGradient: tf.Tensor2D } {
  if (x.rank !== 2 || x.shape[0] !== m.rows || x.shape[1] !== m.layers[0].weight.shape[0]) {
    throw new ConfigError(`input must be [rows = ${m.rows}, ${m.layers[0].weight.shape[0]}] (one row per latent row), got [${x.shape.join(', ')}]`);
  }
  const derivatives: (tf.Tensor2D | null)[] = [];
  let h = x;
  /** The forward pass through the first `count` layers (those not yet computed), keeping σ' of each. */
  const forward = (count: number) => {
    for (let l = derivatives.length; l < count; l++) {
      const layer = m.layers[l];
      let a = matMul(h, layer.weight);
      if (layer.modulation) a = tf.add(a, layer.modulation.forward(h));
      if (layer.offset) a = tf.add(a, layer.offset);
      const act = activation(layer.activation, a, true);
      h = act.h;
      derivatives.push(act.d);
    }
  };
  const layers = m.layers.length;
  const needed = m.layers[layers - 1].activation.kind === 'identity' ? layers - 1 : layers;
  let value: tf.Tensor2D | null = null;
  let inputGradient: tf.Tensor2D | null = null;
  return {
    get value() {
      if (value === null) {
        forward(layers);
        value = h;
      }
      return value;
    },
    get inputGradient() {
      if (inputGradient === null) {
        forward(needed);
        inputGradient = modulatedBackward(m, derivatives);
      }
      return inputGradient;
    },
  };
}

/** ∂H/∂x from σ'_ℓ of the forward pass (absent, like null, for an identity output layer not computed). */
function modulatedBackward(m: ConditionedModulatedMlp, derivatives: readonly (tf.Tensor2D | null)[]): tf.Tensor2D {
  // As in nn/conditionedMlp.ts: until an activation is met, g is the same for every row and stays a broadcast row
  // [1, n].
  let g: tf.Tensor2D | null = null;
  for (let l = m.layers.length - 1; l >= 0; l--) {
    const layer = m.layers[l];
    const d = derivatives[l] ?? null;
    const gz: tf.Tensor2D | null = g === null ? d : d === null ? g : (tf.mul(g, d) as tf.Tensor2D);
    const back: tf.Tensor2D = gz === null ? layer.weightT : matMul(gz, layer.weightT);
    // gz is null only on the output layer (no g yet, identity σ), which is never modulated.
    g = layer.modulation ? (tf.add(back, layer.modulation.transpose(gz as tf.Tensor2D)) as tf.Tensor2D) : back;
  }
  const grad = g as tf.Tensor2D;
  return grad.shape[0] === m.rows ? grad : tf.broadcastTo(grad, [m.rows, grad.shape[1]]);
}
