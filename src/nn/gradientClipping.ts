/**
 * Gradient clipping by global norm (Pascanu, Mikolov & Bengio 2013):
 *
 *   ‖g‖ = √(Σ_k Σ_j g_kj²)  over every tensor k of the gradient,   g ← g · min(1, c / ‖g‖).
 *
 * Why the outer loop wants it: one oversized gradient g* dominates both of Adam's moments, m ≈ 0.1·0.9^k g* and
 * v ≈ 1e-3·0.999^k g*², so for tens of iterations the step m̂/√v̂ still points along g* whatever the later gradients
 * say, and for about a thousand (longer than a whole meta-training) √v̂ scales those gradients down. Clipping bounds
 * g* before it enters either moment; scaling the gradient as a whole keeps its direction.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';

/** ‖g‖₂ over all tensors of `grads` taken as one vector. */
export function globalNorm(grads: readonly tf.Tensor[]): number {
  if (grads.length === 0) return 0;
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
}

/**
 * `grads` scaled by min(1, maxNorm/‖g‖), with ‖g‖ before clipping. The result is new tensors in every case (the
 * caller owns and disposes both lists), so that callers need not track which were copied.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: number } {
  if (!(maxNorm > 0)) throw new ConfigError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  return { grads: grads.map((g) => tf.tidy(() => tf.mul(g, scale))), norm };
}
