/**
 * The check that an explorer model's recorded η belong to its exported weights: the held-out MSE of an instance is
 * recomputed from the weights and its η, exactly as the experiment's evaluation computes it (../meta/imodeEvaluation.ts
 * scoreRollouts on the instance's evaluation batch), and must match the MSE metrics.json records. A metrics.json of
 * another run (another config, or another engine: the engine moves a meta-trained model as a seed does,
 * docs/decisions/performance.md) fails it.
 */
import * as tf from '@tensorflow/tfjs';
import { type TensorJson, tensorFromJson } from '../core/checkpoint';
import { DataError } from '../core/errors';
import { scoreRollouts } from '../meta/imodeEvaluation';
import { type FieldFactory, type TaskBatch, disposeTaskBatch } from '../meta/taskBatch';
import type { OdeintOptions } from '../nn/odeint';

/**
 * Largest |MSE_recomputed − MSE_recorded| / MSE_recorded for the recorded η to be this model's: the recomputation
 * may run on another backend than the experiment (float32 summation order), which moves a rollout's MSE by far less.
 */
const SAME_EVALUATION_TOLERANCE = 1e-2;

export interface RecordedEvaluation {
  makeField: FieldFactory;
  weights: readonly TensorJson[];
  eta: readonly number[];
  /** the instance's evaluation batch (disposed here) */
  batch: TaskBatch;
  solver: OdeintOptions;
  /** per state component, the unit of the MSE */
  scale: readonly number[];
  /** the MSE metrics.json records */
  recorded: number;
  /** the instance, for the message */
  label: string;
  /** the command that writes a metrics.json of these weights */
  rerun: string;
  file: string;
}

/** DataError unless the weights at the instance's η give the held-out MSE metrics.json records (module comment). */
export function checkRecordedEvaluation(o: RecordedEvaluation): void {
  let recomputed: number;
  try {
    recomputed = tf.tidy(() => {
      const etaRows = tf.matMul(o.batch.membership, tf.tensor2d([Array.from(o.eta)])) as tf.Tensor2D;
      return scoreRollouts(o.makeField(o.weights.map(tensorFromJson), etaRows), o.batch, o.solver, o.scale).error;
    });
  } finally {
    disposeTaskBatch(o.batch);
  }
  if (!(Math.abs(recomputed - o.recorded) <= SAME_EVALUATION_TOLERANCE * o.recorded)) {
    throw new DataError(`${o.label}: these weights and its recorded η give held-out MSE ${recomputed}, metrics.json records ${o.recorded}; metrics.json was written by another run: re-run ${o.rerun}`, { file: o.file });
  }
}

/** Whether instance `i` of `instances` is the first of its split: the ones the check runs on, a rollout each. */
export function isFirstOfSplit(instances: readonly { split: string }[], i: number): boolean {
  return instances.findIndex((q) => q.split === instances[i].split) === i;
}
