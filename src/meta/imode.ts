/**
 * iMODE bi-level meta-learning (Li et al. 2023; the authors' `iMODE_pendulum.py`, spec §3.2), batched over tasks.
 *
 * Shared weights θ hold the form of the force field; each system instance (task) i has adaptation parameters η_i.
 *   inner (per task, θ fixed):  η ← η − α ∇_η L_i(θ, η), K steps from η0,
 *   outer (first order):        θ ← Adam(θ, Σ_i ∇_θ L_i(θ, η_i^{(K−1)})),
 * where L_i is the MSE of a rollout of the model from the start states of task i's windows against the observed
 * windows (all T points, t = 0 included). As in the authors' code the inner gradients are treated as constants
 * (no second-order terms), the meta-gradient is taken at the η of the last inner step, the task gradients are summed,
 * and the returned adapted η is the one after all K updates.
 *
 * All tasks run as ONE batched rollout: row r of the batch belongs to task task(r) and carries η_{task(r)}
 * (etaRows = onehot · η, a matMul rather than a gather, whose gradient the wasm backend lacks). Tasks are independent,
 * so ∇_η Σ_i L_i has the task gradients in its rows.
 *
 * Safeguarded inner step (our addition, `safeguard: 'backtracking'`): a fixed step α can overshoot where the loss is
 * steep in η (the authors' lr 0.1 overshoots at L = 2). Each step tries η − α g and halves α for a task, up to
 * `maxHalvings` times, while its loss does not decrease; the trial losses come from forward-only rollouts.
 * `optimizer: 'levenberg-marquardt'` replaces the gradient step by a damped Gauss–Newton step (./levenbergMarquardt.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { OdeintOptions } from '../nn/odeint';
import { INITIAL_DAMPING, levenbergMarquardtStep } from './levenbergMarquardt';
import { type FieldFactory, type TaskBatch, batchRollout, disposeTaskBatch, perRowLossOf, perTaskLoss, selectRows } from './taskBatch';

export interface InnerLoopOptions {
  steps: number;
  /** 'sgd': the authors' η ← η − α∇L (with `safeguard`); 'levenberg-marquardt': damped Gauss–Newton steps */
  optimizer: 'sgd' | 'levenberg-marquardt';
  /** SGD step size α */
  lr: number;
  safeguard: 'none' | 'backtracking';
  /** SGD backtracking: halvings tried; Levenberg–Marquardt: damping increases tried */
  maxHalvings: number;
  /**
   * Levenberg–Marquardt trust radius: the largest |Δη| of one step (default: unbounded). η is a code the network
   * was trained on near η0; a Gauss–Newton step along a direction the loss barely constrains can leave that region
   * in one step, where the network's response is arbitrary.
   */
  maxStepNorm?: number;
  /** Levenberg–Marquardt proximal weight γ: the inner loss gets γ|η − η_start|² (default 0; ./levenbergMarquardt.ts) */
  proximal?: number;
}

/** An iMODE model as training and adaptation run it: its spec, its field for shared weights and η rows, the solver, the inner loop. */
export interface ImodeModel<S> {
  spec: S;
  makeField: FieldFactory;
  solver: OdeintOptions;
  inner: InnerLoopOptions;
}

function validateInner(o: InnerLoopOptions): void {
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new ConfigError(`inner steps must be a positive integer, got ${o.steps}`);
  if (!(o.lr > 0)) throw new ConfigError(`inner lr must be > 0, got ${o.lr}`);
  if (o.optimizer !== 'sgd' && o.optimizer !== 'levenberg-marquardt') {
    throw new ConfigError(`inner optimizer must be one of sgd, levenberg-marquardt, got '${String(o.optimizer)}'`);
  }
  if (!Number.isInteger(o.maxHalvings) || o.maxHalvings < 0) throw new ConfigError(`maxHalvings must be a non-negative integer, got ${o.maxHalvings}`);
  if (o.maxStepNorm !== undefined && !(o.maxStepNorm > 0)) throw new ConfigError(`maxStepNorm must be > 0, got ${o.maxStepNorm}`);
  if (o.proximal !== undefined && !(o.proximal >= 0)) throw new ConfigError(`proximal must be >= 0, got ${o.proximal}`);
  if ((o.proximal ?? 0) > 0 && o.optimizer !== 'levenberg-marquardt') {
    throw new ConfigError(`proximal > 0 needs optimizer 'levenberg-marquardt', got '${o.optimizer}'`);
  }
}

/**
 * One inner update for all tasks from η with gradient g (both [tasks, dη]) and current per-task losses.
 * Returns the new η (caller owns it).
 */
function innerUpdate(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta: tf.Tensor2D,
  grad: tf.Tensor2D,
  losses: Float32Array,
  batch: TaskBatch,
  solver: OdeintOptions,
  inner: InnerLoopOptions,
): tf.Tensor2D {
  if (inner.safeguard === 'none') return tf.tidy(() => tf.sub(eta, tf.mul(grad, inner.lr)) as tf.Tensor2D);
  const tasks = eta.shape[0];
  const stepSize = new Float32Array(tasks).fill(inner.lr);
  const accepted = new Array<boolean>(tasks).fill(false);
  for (let h = 0; h <= inner.maxHalvings; h++) {
    const trial = tf.tidy(() => tf.sub(eta, tf.mul(grad, tf.reshape(tf.tensor1d(stepSize), [tasks, 1]))) as tf.Tensor2D);
    const trialLoss = tf.tidy(() => perTaskLoss(makeField, params, trial, batch, solver)).dataSync();
    tf.dispose(trial);
    let all = true;
    for (let k = 0; k < tasks; k++) {
      if (accepted[k]) continue;
      if (trialLoss[k] < losses[k]) accepted[k] = true;
      else if (h < inner.maxHalvings) {
        stepSize[k] /= 2;
        all = false;
      }
    }
    if (all) break;
  }
  // A task whose every trial failed keeps the smallest step tried: the step direction is still a descent direction,
  // and a zero step would freeze η for the rest of the loop.
  return tf.tidy(() => tf.sub(eta, tf.mul(grad, tf.reshape(tf.tensor1d(stepSize), [tasks, 1]))) as tf.Tensor2D);
}

export interface AdaptResult {
  /** η after all inner steps: [tasks, dη] */
  eta: tf.Tensor2D;
  /** per inner step, the per-task losses at the η of that step */
  losses: number[][];
  /** ∇_θ Σ_i L_i at the η of the last inner step (only when requested) */
  paramGrads?: tf.Tensor[];
  /** ∇_η Σ_i L_i at the η of the last inner step, per task: [tasks, dη] (only with paramGrads) */
  etaGrad?: tf.Tensor2D;
}

/**
 * The inner loop for all tasks at once. With `withParamGrads`, the last step also returns the first-order
 * meta-gradient ∇_θ Σ_i L_i(θ, η^{(K−1)}) computed in the same backward pass as its η gradient.
 */
export function adaptEta(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta0: tf.Tensor2D,
  batch: TaskBatch,
  solver: OdeintOptions,
  inner: InnerLoopOptions,
  withParamGrads: boolean,
): AdaptResult {
  validateInner(inner);
  let eta = tf.clone(eta0) as tf.Tensor2D;
  const losses: number[][] = [];
  let paramGrads: tf.Tensor[] | undefined;
  let etaGrad: tf.Tensor2D | undefined;
  const damping = new Float64Array(eta0.shape[0]).fill(INITIAL_DAMPING);
  const proximal = (inner.proximal ?? 0) > 0 ? { anchor: eta0.arraySync() as number[][], weight: inner.proximal as number } : null;
  for (let s = 0; s < inner.steps; s++) {
    const wantParams = withParamGrads && s === inner.steps - 1;
    let gradEta: tf.Tensor2D | null = null;
    let taskLosses: number[] | null = null;
    if (wantParams || inner.optimizer === 'sgd') {
      let perTask: tf.Tensor1D | null = null;
      // Σ_i L_i as a function of η (and of θ when the meta-gradient is wanted); the per-task losses are kept from
      // the same forward pass for the safeguard and the loss history.
      const total = (e: tf.Tensor, ...ps: tf.Tensor[]) => {
        perTask = tf.keep(perTaskLoss(makeField, wantParams ? ps : params, e as tf.Tensor2D, batch, solver));
        return tf.sum(perTask);
      };
      const grads = tf.tidy(() => tf.grads(total)(wantParams ? [eta, ...params] : [eta]));
      const kept = perTask as unknown as tf.Tensor1D;
      taskLosses = Array.from(kept.dataSync());
      kept.dispose();
      gradEta = grads[0] as tf.Tensor2D;
      if (wantParams) paramGrads = grads.slice(1);
    }
    let next: tf.Tensor2D;
    if (inner.optimizer === 'levenberg-marquardt') {
      const step = levenbergMarquardtStep(makeField, params, eta, batch, solver, damping, inner.maxHalvings, inner.maxStepNorm ?? Infinity, proximal);
      next = step.eta;
      taskLosses = taskLosses ?? step.losses;
    } else {
      next = innerUpdate(makeField, params, eta, gradEta as tf.Tensor2D, Float32Array.from(taskLosses as number[]), batch, solver, inner);
    }
    losses.push(taskLosses as number[]);
    tf.dispose(eta);
    eta = next;
    if (wantParams) etaGrad = gradEta as tf.Tensor2D;
    else if (gradEta) gradEta.dispose();
  }
  return { eta, losses, paramGrads, etaGrad };
}

export interface TrimmedAdaptResult extends AdaptResult {
  /** the rows of the batch the final adaptation used (all of them when nothing was trimmed), ascending */
  keptRows: number[];
}

/**
 * Test-time adaptation of ONE task by least trimmed squares over its windows (Rousseeuw's LTS, one concentration
 * step): adapt on every window; rank the windows by the adapted model's MSE; keep the n − ⌊trim · n⌋ it fits best
 * and adapt again from η0 on those alone. trim = 0 is adaptEta.
 * Why: the MSE lets a few windows that no η fits pull η away from where every other window puts it — a double
 * pendulum released from a high-energy configuration reaches states outside those the shared model was trained on,
 * and a quarter of one instance's windows then decide its η. The second adaptation is the same K steps from η0, so
 * the trimmed η is the ordinary estimate on cleaner data, not a longer optimisation.
 */
export function adaptEtaTrimmed(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  eta0: tf.Tensor2D,
  batch: TaskBatch,
  solver: OdeintOptions,
  inner: InnerLoopOptions,
  trim: number,
): TrimmedAdaptResult {
  const tasks = batch.membership.shape[1];
  if (tasks !== 1) throw new ConfigError(`adaptEtaTrimmed adapts one task at a time, the batch has ${tasks}`);
  if (!(trim >= 0 && trim < 1)) throw new ConfigError(`trim must be in [0, 1), got ${trim}`);
  const rows = batch.x0.shape[0];
  const dropped = Math.floor(trim * rows);
  const first = adaptEta(makeField, params, eta0, batch, solver, inner, false);
  if (dropped === 0) return { ...first, keptRows: Array.from({ length: rows }, (_, r) => r) };
  const rowLoss = tf.tidy(() => Array.from(perRowLossOf(batchRollout(makeField, params, first.eta, batch, solver), batch).dataSync()));
  first.eta.dispose();
  const keptRows = rowLoss
    .map((loss, row) => ({ loss, row }))
    .sort((a, b) => a.loss - b.loss || a.row - b.row)
    .slice(0, rows - dropped)
    .map((w) => w.row)
    .sort((a, b) => a - b);
  const kept = selectRows(batch, keptRows);
  const second = adaptEta(makeField, params, eta0, kept, solver, inner, false);
  disposeTaskBatch(kept);
  return { ...second, keptRows };
}

/** Where test-time adaptation from one start ends: η after all inner steps and the task's loss there. */
export interface StartFit {
  eta: number[];
  loss: number;
}

/**
 * The inner loop for ONE task from each of several starts (rows of `starts`, [starts][dη]), θ fixed: the adapted η
 * and the loss at it, evaluated after the last step (AdaptResult.losses stop one step earlier). The inner loop is
 * local, so a loss with several basins in η sends different starts to different η; two starts that end at distant η
 * with about the same loss mean that the model explains the task's data by two latent codes, which no gauge can tell
 * apart.
 */
export function adaptFromStarts(
  makeField: FieldFactory,
  params: readonly tf.Tensor[],
  starts: readonly (readonly number[])[],
  batch: TaskBatch,
  solver: OdeintOptions,
  inner: InnerLoopOptions,
): StartFit[] {
  const tasks = batch.membership.shape[1];
  if (tasks !== 1) throw new ConfigError(`adaptFromStarts adapts one task at a time, the batch has ${tasks}`);
  if (starts.length === 0) throw new ConfigError('adaptFromStarts needs at least one start');
  return starts.map((start) => {
    const eta0 = tf.tensor2d([Array.from(start)]);
    const adapted = adaptEta(makeField, params, eta0, batch, solver, inner, false);
    const loss = tf.tidy(() => perTaskLoss(makeField, params, adapted.eta, batch, solver).dataSync()[0]);
    const fit = { eta: Array.from(adapted.eta.dataSync()), loss };
    tf.dispose([eta0, adapted.eta]);
    return fit;
  });
}
