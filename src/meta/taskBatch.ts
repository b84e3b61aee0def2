/**
 * Task batches for meta-learning: the windows of several tasks (system instances) stacked along rows (taskWindowBatch
 * cuts them from the tasks' trajectories, ../data/windows.ts), and the batched rollout and per-task loss every inner
 * and outer loop uses.
 *
 *   L_i = (1 / (n_i T d)) Σ_{rows r of task i} Σ_t |x̂_r(t) − x_r(t)|²,
 * with x̂ the model's rollout from the window's first state, where every row carries its task's η
 * (etaRows = onehot · η, a matMul rather than a gather, whose gradient the wasm backend lacks).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import type { PendulumInstance } from '../data/imodePendulum';
import { sampleTaskWindows } from '../data/windows';
import { type OdeintOptions, type TensorVectorField, odeint } from '../nn/odeint';

/** Builds the model's vector field for given shared parameters and per-row adaptation parameters. */
export type FieldFactory = (params: readonly tf.Tensor[], etaRows: tf.Tensor2D) => TensorVectorField;

/** Windows of several tasks stacked along rows. */
export interface TaskBatch {
  /** start states: [rows, d] */
  x0: tf.Tensor2D;
  /** observed windows including t = 0: [T, rows, d] */
  targets: tf.Tensor3D;
  /** one-hot task membership: [rows, tasks] */
  membership: tf.Tensor2D;
  /** the output times (length T) */
  ts: number[];
}


/** Builds a TaskBatch from host arrays: x0[r], targets[t][r], taskOfRow[r] ∈ [0, tasks). */
export function makeTaskBatch(
  x0: readonly Float64Array[],
  targets: readonly (readonly Float64Array[])[],
  taskOfRow: readonly number[],
  tasks: number,
  dt: number,
): TaskBatch {
  const rows = x0.length;
  const d = x0[0].length;
  const T = targets.length;
  if (taskOfRow.length !== rows) throw new ConfigError(`makeTaskBatch: ${rows} rows but ${taskOfRow.length} task labels`);
  const x0Flat = new Float32Array(rows * d);
  x0.forEach((s, r) => x0Flat.set(s, r * d));
  const yFlat = new Float32Array(T * rows * d);
  targets.forEach((step, t) => step.forEach((s, r) => yFlat.set(s, (t * rows + r) * d)));
  const oneHot = new Float32Array(rows * tasks);
  taskOfRow.forEach((k, r) => {
    if (!Number.isInteger(k) || k < 0 || k >= tasks) throw new ConfigError(`makeTaskBatch: task label ${k} outside [0, ${tasks})`);
    oneHot[r * tasks + k] = 1;
  });
  return {
    x0: tf.tensor2d(x0Flat, [rows, d]),
    targets: tf.tensor3d(yFlat, [T, rows, d]),
    membership: tf.tensor2d(oneHot, [rows, tasks]),
    ts: Array.from({ length: T }, (_, i) => i * dt),
  };
}

/**
 * Windows of several tasks' trajectories as one task batch (task k = tasks[k]; ../data/windows.ts sampleTaskWindows
 * says which draws cut them), sampled `dt` apart.
 */
export function taskWindowBatch(
  tasks: readonly (readonly Float64Array[][])[],
  rng: Rng,
  count: number,
  steps: number,
  dt: number,
  opts: { drawTrajectory: boolean; scale?: readonly number[] },
): TaskBatch {
  const w = sampleTaskWindows(tasks, rng, count, steps, opts);
  return makeTaskBatch(w.x0, w.targets, w.taskOfRow, tasks.length, dt);
}

/** The authors' task batch: `count` windows of each instance's one trajectory (task k = instances[k]). */
export function windowBatch(instances: readonly Pick<PendulumInstance, 'states' | 'dt'>[], rng: Rng, count: number, steps: number): TaskBatch {
  return taskWindowBatch(instances.map((ins) => [ins.states]), rng, count, steps, instances[0].dt, { drawTrajectory: false });
}

/** The batch's rows `rows` (in that order) as a new batch; the caller disposes both. */
export function selectRows(batch: TaskBatch, rows: readonly number[]): TaskBatch {
  const n = batch.x0.shape[0];
  if (rows.length === 0) throw new ConfigError('selectRows: no rows selected');
  const bad = rows.find((r) => !Number.isInteger(r) || r < 0 || r >= n);
  if (bad !== undefined) throw new ConfigError(`selectRows: row ${bad} outside [0, ${n})`);
  return tf.tidy(() => {
    const index = tf.tensor1d(Array.from(rows), 'int32');
    return {
      x0: tf.gather(batch.x0, index) as tf.Tensor2D,
      targets: tf.gather(batch.targets, index, 1) as tf.Tensor3D,
      membership: tf.gather(batch.membership, index) as tf.Tensor2D,
      ts: batch.ts.slice(),
    };
  });
}

/** Per-row MSE over all times and state entries of a rollout already made: [rows] */
export function perRowLossOf(pred: tf.Tensor3D, batch: Pick<TaskBatch, 'targets'>): tf.Tensor1D {
  return tf.mean(tf.square(tf.sub(pred, batch.targets)), [0, 2]) as tf.Tensor1D;
}

export function disposeTaskBatch(b: TaskBatch): void {
  tf.dispose([b.x0, b.targets, b.membership]);
}

/** Rollout of every row with its task's η: [T, rows, d]. eta: [tasks, dη] */
export function batchRollout(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta: tf.Tensor2D,
  batch: Pick<TaskBatch, 'x0' | 'membership' | 'ts'>,
  solver: OdeintOptions,
): tf.Tensor3D {
  const etaRows = tf.matMul(batch.membership, eta) as tf.Tensor2D;
  return odeint(makeField(params, etaRows), batch.x0, batch.ts, solver);
}

/**
 * Where a rollout misses, per state component j, over all rows and times of `batch`:
 *   residual_j = mean_{r,t} (x̂_{r,j}(t) − x_{r,j}(t))²,   motion_j = mean_{r,t} (x_{r,j}(t) − x_{r,j}(0))²,
 * motion_j being the residual of the prediction "nothing moves", so residual_j / motion_j is the share of the observed
 * motion of component j the model misses (0: all of it predicted; 1: no better than standing still).
 */
export function componentErrors(pred: tf.Tensor3D, batch: Pick<TaskBatch, 'x0' | 'targets'>): { residual: number[]; motion: number[] } {
  if (pred.shape.join() !== batch.targets.shape.join()) {
    throw new ConfigError(`componentErrors: rollout shape [${pred.shape}] differs from the targets' [${batch.targets.shape}]`);
  }
  return tf.tidy(() => ({
    residual: Array.from(tf.mean(tf.square(tf.sub(pred, batch.targets)), [0, 1]).dataSync()),
    motion: Array.from(tf.mean(tf.square(tf.sub(batch.targets, tf.expandDims(batch.x0, 0))), [0, 1]).dataSync()),
  }));
}

/** Per-task MSE over each task's rows, all times and all state entries: [tasks] */
export function perTaskLoss(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta: tf.Tensor2D,
  batch: TaskBatch,
  solver: OdeintOptions,
): tf.Tensor1D {
  return perTaskLossOf(batchRollout(makeField, params, eta, batch, solver), batch);
}

/** The same per-task MSE of a rollout already made (batchRollout's [T, rows, d]): [tasks] */
export function perTaskLossOf(pred: tf.Tensor3D, batch: Pick<TaskBatch, 'targets' | 'membership'>): tf.Tensor1D {
  const [T, , d] = batch.targets.shape;
  // Σ over time and state of the squared error per row: [rows]; then per task through the membership matrix.
  const perRow = tf.sum(tf.sum(tf.square(tf.sub(pred, batch.targets)), 2), 0);
  const perTaskSum = tf.matMul(tf.reshape(perRow, [1, -1]), batch.membership); // [1, tasks]
  const rowsPerTask = tf.sum(batch.membership, 0); // [tasks]
  return tf.div(tf.reshape(perTaskSum, [-1]), tf.mul(rowsPerTask, T * d)) as tf.Tensor1D;
}
