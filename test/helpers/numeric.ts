/** Numerical test helpers: random matrices, central finite differences, and the RK4 rollout-gradient check. */
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/core/rng';
import { type TensorVectorField, odeint } from '../../src/nn/odeint';

/** A rows × cols matrix of independent N(0, scale²) draws from rng, row by row. */
export function randomMatrix(rng: Rng, rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * rng.normal()));
}

/** ∂loss/∂params[k][i] by central differences with step h (float32: the shifted entry is stored in the tensor). */
export function centralDifference(loss: (ps: readonly tf.Tensor[]) => tf.Tensor, params: readonly tf.Tensor[], k: number, i: number, h: number): number {
  const at = (delta: number) =>
    tf.tidy(() => {
      const data = params[k].dataSync().slice();
      data[i] += delta;
      const ps = params.slice();
      ps[k] = tf.tensor(data, params[k].shape);
      return loss(ps).dataSync()[0];
    });
  return (at(h) - at(-h)) / (2 * h);
}

/**
 * MSE of an RK4 rollout (t = 0, 0.2, 0.4, 0.6; 2 substeps) of `field` from 4 random start states (with 4 random η rows)
 * to random targets, all N(0, 1) drawn from rng in that order, as a function of the field's parameters.
 */
export function randomRolloutLoss(
  rng: Rng,
  stateDim: number,
  etaDim: number,
  field: (ps: readonly tf.Tensor[], eta: tf.Tensor2D) => TensorVectorField,
): { loss: (ps: readonly tf.Tensor[]) => tf.Scalar; dispose: () => void } {
  const x0 = tf.tensor2d(randomMatrix(rng, 4, stateDim, 1));
  const eta = tf.tensor2d(randomMatrix(rng, 4, etaDim, 1));
  const target = tf.tensor3d([randomMatrix(rng, 4, stateDim, 1), randomMatrix(rng, 4, stateDim, 1), randomMatrix(rng, 4, stateDim, 1), randomMatrix(rng, 4, stateDim, 1)]);
  const loss = (ps: readonly tf.Tensor[]) => tf.mean(tf.square(tf.sub(odeint(field(ps, eta), x0, [0, 0.2, 0.4, 0.6], { method: 'rk4', substeps: 2 }), target))) as tf.Scalar;
  return { loss, dispose: () => tf.dispose([x0, eta, target]) };
}

/**
 * Asserts |fd − g| ≤ relative·|fd| + absolute between the autodiff gradient g and the central difference fd (step h) at the
 * largest-|g| entry of each tensor in `tensors`; returns the worst relative error |fd − g| / |fd|.
 */
export function assertGradientMatchesCentralDifferences(
  loss: (ps: readonly tf.Tensor[]) => tf.Scalar,
  params: readonly tf.Tensor[],
  tensors: readonly number[],
  h: number,
  tolerance: { relative: number; absolute: number },
): number {
  const grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => loss(ps))(params.slice()).map((g) => Array.from(g.dataSync())));
  let worst = 0;
  for (const k of tensors) {
    const i = grads[k].reduce((best, g, j, all) => (Math.abs(g) > Math.abs(all[best]) ? j : best), 0);
    const fd = centralDifference(loss, params, k, i, h);
    const error = Math.abs(fd - grads[k][i]) / Math.abs(fd);
    worst = Math.max(worst, error);
    assert.ok(Math.abs(fd - grads[k][i]) <= tolerance.relative * Math.abs(fd) + tolerance.absolute, `tensor ${k}[${i}]: finite difference ${fd} vs gradient ${grads[k][i]}`);
  }
  return worst;
}
