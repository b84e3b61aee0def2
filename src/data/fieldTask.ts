/**
 * One vector-field regression task of the structure-preserving meta-learners (Paper B §2.0, §5.1): a system
 * instance μ observed as states x and the exact field ẋ = F(x; μ) there, float64 ground truth cast to float32.
 * The data the meta-learners (../meta/) train on and the evaluation (../analysis/) adapts to.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import type { System } from '../systems/types';

/** One instance's observations: states x and exact targets ẋ, both [points, d]. */
export interface FieldTask {
  x: tf.Tensor2D;
  xdot: tf.Tensor2D;
}

/** `points` states drawn from the system's sampler at μ, with their exact vector field. */
export function sampleFieldTask<P>(system: System<P>, mu: P, points: number, rng: Rng): FieldTask {
  if (!Number.isInteger(points) || points < 1) throw new ConfigError(`points must be a positive integer, got ${points}`);
  const d = system.stateDim;
  const x = new Float32Array(points * d);
  const xdot = new Float32Array(points * d);
  for (let r = 0; r < points; r++) {
    const s = system.sampleState(rng, mu);
    x.set(s, r * d);
    xdot.set(system.vectorField(s, mu), r * d);
  }
  return { x: tf.tensor2d(x, [points, d]), xdot: tf.tensor2d(xdot, [points, d]) };
}

export function disposeFieldTasks(tasks: readonly FieldTask[]): void {
  tf.dispose(tasks.flatMap((t) => [t.x, t.xdot]));
}
