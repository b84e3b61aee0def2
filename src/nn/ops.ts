/**
 * Tensor ops with gradients chosen for speed and for higher-order correctness on the wasm backend.
 *
 * `matMul(a, b)` computes a·b exactly as `tf.matMul`, but its gradient is written with explicit transposes,
 *   ∂L/∂a = dy · bᵀ,   ∂L/∂b = aᵀ · dy,
 * because wasm's matMul with the transposeA/transposeB flags (which the built-in gradient uses) is about 9× slower
 * than a transpose followed by a plain matMul (toolchain.md §7). The gradient saves only the inputs, so it stays
 * differentiable to any order.
 */
import * as tf from '@tensorflow/tfjs';

const matMulExplicitTranspose = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      matMul(dy as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D),
      matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** a: [n, k], b: [k, m] -> [n, m] */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulExplicitTranspose(a, b) as tf.Tensor2D;
}
