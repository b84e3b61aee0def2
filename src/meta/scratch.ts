/**
 * The "from scratch" baseline: the same model, randomly initialised, fitted by Adam on one instance's data alone,
 *   θ ← Adam(θ, ∇_θ L(θ; η fixed)),
 * where L is the same rollout MSE the meta-learner adapts on. It answers what the meta-learned prior buys with the
 * same observations of an unseen system.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import { adamInit, adamStep, disposeAdam } from '../nn/adam';
import type { OdeintOptions } from '../nn/odeint';
import { type FieldFactory, type TaskBatch, perTaskLoss } from './taskBatch';

/** Trains `initialParams` (consumed) and returns the final parameters (owned by the caller). */
export function trainScratch(
  makeField: FieldFactory,
  initialParams: tf.Tensor[],
  eta: tf.Tensor2D,
  batch: TaskBatch,
  solver: OdeintOptions,
  opts: { steps: number; lr: number },
): tf.Tensor[] {
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw new ConfigError(`scratch steps must be a non-negative integer, got ${opts.steps}`);
  let params = initialParams;
  let adam = adamInit(params);
  for (let step = 0; step < opts.steps; step++) {
    const { value, grads } = tf.tidy(() =>
      tf.valueAndGrads((...ps: tf.Tensor[]) => tf.sum(perTaskLoss(makeField, ps, eta, batch, solver)))(params),
    );
    const loss = value.dataSync()[0];
    value.dispose();
    try {
      assertFiniteTerms(step, { scratchLoss: loss }, opts);
    } catch (e) {
      tf.dispose([...grads, ...params]);
      disposeAdam(adam);
      throw e;
    }
    const next = adamStep(params, grads, adam, { lr: opts.lr });
    tf.dispose([...grads, ...params]);
    disposeAdam(adam);
    params = next.params;
    adam = next.state;
  }
  disposeAdam(adam);
  return params;
}
