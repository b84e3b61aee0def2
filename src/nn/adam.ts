/**
 * Adam (Kingma & Ba 2015) as a pure function over explicit state, so that the optimiser state is plain data that a
 * checkpoint can save and restore exactly (tf.train.adam hides its moments in variables).
 *
 *   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,
 *   θ ← θ − lr · m̂ / (√v̂ + ε),   m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
 * with PyTorch's defaults β1 = 0.9, β2 = 0.999, ε = 1e-8 (the reference codes are PyTorch).
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamHyper {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface AdamState {
  step: number;
  m: tf.Tensor[];
  v: tf.Tensor[];
}

export function adamInit(params: readonly tf.Tensor[]): AdamState {
  return { step: 0, m: params.map((p) => tf.zerosLike(p)), v: params.map((p) => tf.zerosLike(p)) };
}

/**
 * One Adam step. Returns new parameters and a new state; the caller owns (and disposes) the old ones.
 * Inputs are not disposed here so that a caller can keep, e.g., the best parameters seen so far.
 */
export function adamStep(
  params: readonly tf.Tensor[],
  grads: readonly tf.Tensor[],
  state: AdamState,
  hyper: AdamHyper,
): { params: tf.Tensor[]; state: AdamState } {
  if (grads.length !== params.length) throw new Error(`adamStep: ${params.length} params but ${grads.length} grads`);
  const beta1 = hyper.beta1 ?? 0.9;
  const beta2 = hyper.beta2 ?? 0.999;
  const eps = hyper.eps ?? 1e-8;
  const step = state.step + 1;
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  const out = tf.tidy(() => {
    const m = grads.map((g, i) => tf.add(tf.mul(state.m[i], beta1), tf.mul(g, 1 - beta1)));
    const v = grads.map((g, i) => tf.add(tf.mul(state.v[i], beta2), tf.mul(tf.square(g), 1 - beta2)));
    const next = params.map((p, i) =>
      tf.sub(p, tf.div(tf.mul(m[i], hyper.lr / c1), tf.add(tf.sqrt(tf.div(v[i], c2)), eps))),
    );
    return { next, m, v };
  });
  return { params: out.next, state: { step, m: out.m, v: out.v } };
}

/** Cosine annealing: lr(i) = lrEnd + (lr0 − lrEnd)·(1 + cos(π i/(N − 1)))/2, so lr(0) = lr0 and lr(N − 1) = lrEnd. */
export function cosineLearningRate(lr0: number, lrEnd: number, iteration: number, iterations: number): number {
  if (iterations <= 1) return lr0;
  return lrEnd + ((lr0 - lrEnd) * (1 + Math.cos((Math.PI * iteration) / (iterations - 1)))) / 2;
}

export function disposeAdam(state: AdamState): void {
  tf.dispose([...state.m, ...state.v]);
}
