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

/**
 * Whether a gradient tape is recording ops now. When none is (forward-only rollouts, the Levenberg–Marquardt
 * Jacobian, evaluation, or inside a custom gradient's own forward pass), a custom-gradient node computes the same
 * value as its plain ops, so the nodes below skip their wrapper: a fifth of the launches of a forward rollout.
 */
export function recording(): boolean {
  return tf.engine().isTapeOn();
}

/** a: [n, k], b: [k, m] -> [n, m] */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return recording() ? (matMulExplicitTranspose(a, b) as tf.Tensor2D) : tf.matMul(a, b);
}

/**
 * An elementwise function f as one custom-gradient node that saves its INPUT: dx = dy·f'(x), with f' built from the
 * public (recording-aware) functions below, so the tape sees it as a function of x and every order is correct. tfjs'
 * own Sigmoid and Tanh gradients use the saved output, whose clone the tape sees as disconnected from x: a second
 * derivative through it silently misses a term (toolchain.md §7), which second-order meta-learning through an
 * analytic force (σ' of Softplus) needs.
 */
function savingInput(value: (x: tf.Tensor) => tf.Tensor, derivative: (x: tf.Tensor) => tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return { value: value(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, derivative(saved[0]))] };
  }) as (x: tf.Tensor) => tf.Tensor;
}

/** σ(x) = 1/(1 + e^{−x}), σ' = σ(1 − σ): the first-order gradient is tfjs' expression, value for value. */
const sigmoidSavingInput = savingInput(
  (x) => tf.sigmoid(x),
  (x) => {
    const s = sigmoid(x);
    return tf.mul(s, tf.sub(tf.scalar(1), s));
  },
);

export function sigmoid<T extends tf.Tensor>(x: T): T {
  return (recording() ? sigmoidSavingInput(x) : tf.sigmoid(x)) as T;
}

/**
 * Entries from which tanh is computed as 2σ(2z) − 1: wasm's Tanh kernel is a scalar loop (≈ 16 ns an entry, 0.41 ms on
 * [256, 100]) while its Sigmoid is vectorised (the whole expression 0.065 ms there), but the expression is four
 * launches, which cost more than they save on small tensors (17 µs for tf.tanh against 20 µs on [40, 32], and more
 * inside a recorded step). The two values agree to float32 round-off (|difference| ≲ 1e-7).
 */
export const TANH_VIA_SIGMOID_MIN_SIZE = 4096;

function tanhValue(x: tf.Tensor): tf.Tensor {
  return x.size >= TANH_VIA_SIGMOID_MIN_SIZE ? tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) : tf.tanh(x);
}

/** tanh' = 1 − tanh²; one tape node, whichever way the value is computed. */
const tanhSavingInput = savingInput(tanhValue, (x) => tf.sub(tf.scalar(1), tf.square(tanh(x))));

export function tanh<T extends tf.Tensor>(x: T): T {
  return (recording() ? tanhSavingInput(x) : tanhValue(x)) as T;
}
