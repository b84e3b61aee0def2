/**
 * Vector-field regression for the structure-preserving meta-learners (Paper B §2.0, §5.1): one task
 * (../data/fieldTask.ts) is one system instance μ_k, observed as states x and the exact vector field ẋ = F(x; μ_k)
 * there (HNN-style velocity matching). The loss of a model field f̂ on a task is
 *   L_k = (1/n_k) Σ_{rows r of k} ‖f̂(x_r) − ẋ_r‖²,
 * i.e. ‖q̇ − ∂_pH̃‖² + ‖ṗ + ∂_qH̃‖² for an HNN field f̂ = J∇H̃, averaged over the points (spec §5.1).
 *
 * Also what the latent (latentModulation.ts) and gradient-based (gradientBaselines.ts) meta-learners share: task
 * batches, option checks, and the outer loop with its checkpoints (parameters, Adam moments, loss history and the
 * RNG state, so that a resumed run draws the same batches and ends with the same numbers as an uninterrupted one).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { type TensorJson, tensorFromJson, tensorToJson } from '../core/checkpoint';
import type { Progress } from '../core/progress';
import { type Rng, type RngState, restoreRng } from '../core/rng';
import { type AdamState, cosineLearningRate } from '../nn/adam';
import { matMul } from '../nn/ops';
import type { FieldTask } from '../data/fieldTask';

/** Several tasks' rows stacked, with the one-hot membership [rows, tasks] that maps rows to tasks. */
export interface StackedFieldTasks extends FieldTask {
  membership: tf.Tensor2D;
}

export function stackFieldTasks(tasks: readonly FieldTask[]): StackedFieldTasks {
  return tf.tidy(() => {
    const counts = tasks.map((t) => t.x.shape[0]);
    const rows = counts.reduce((s, n) => s + n, 0);
    const oneHot = new Float32Array(rows * tasks.length);
    let r = 0;
    counts.forEach((n, k) => {
      for (let i = 0; i < n; i++, r++) oneHot[r * tasks.length + k] = 1;
    });
    return {
      x: tf.concat(tasks.map((t) => t.x)) as tf.Tensor2D,
      xdot: tf.concat(tasks.map((t) => t.xdot)) as tf.Tensor2D,
      membership: tf.tensor2d(oneHot, [rows, tasks.length]),
    };
  });
}

export function disposeStackedFieldTasks(s: StackedFieldTasks): void {
  tf.dispose([s.x, s.xdot, s.membership]);
}

/** L_k for every task of a stack: pred, xdot [rows, d] -> [tasks] (per-row squared error averaged per task). */
export function perTaskFieldLoss(pred: tf.Tensor2D, stack: StackedFieldTasks): tf.Tensor1D {
  const perRow = tf.reshape(tf.sum(tf.square(tf.sub(pred, stack.xdot)), 1), [1, -1]) as tf.Tensor2D;
  return tf.div(tf.reshape(matMul(perRow, stack.membership), [-1]), tf.sum(stack.membership, 0)) as tf.Tensor1D;
}

/** L of a single task: mean over rows of ‖pred − ẋ‖². */
export function fieldLoss(pred: tf.Tensor2D, xdot: tf.Tensor2D): tf.Scalar {
  return tf.mul(tf.mean(tf.square(tf.sub(pred, xdot))), xdot.shape[1]) as tf.Scalar;
}

/** Draws `size` distinct indices of [0, n) (all of them, shuffled, when size ≥ n): a partial Fisher–Yates shuffle. */
export function sampleIndices(rng: Rng, n: number, size: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(size, n);
  for (let i = 0; i < m; i++) {
    const j = rng.int(i, n);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, m);
}

/** Throws a ConfigError naming `name` unless value > 0 and finite. */
export function requirePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new ConfigError(`${name} must be a finite number > 0, got ${value}`);
}

/** Throws a ConfigError naming `name` unless value ≥ 0 and finite. */
export function requireNonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new ConfigError(`${name} must be a finite number ≥ 0, got ${value}`);
}

/** Throws a ConfigError naming `name` unless value is an integer ≥ 0. */
export function requireNonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got ${value}`);
}

/** The options every meta-learner's outer loop has. */
export interface OuterLoopOptions {
  outerIterations: number;
  /** gradient steps of the inner (per-task) loop */
  innerSteps: number;
  /** inner SGD step size */
  innerLr: number;
  /** outer Adam step size */
  outerLr: number;
  /**
   * the outer step at the last iteration, reached by a cosine from outerLr (absent: constant, the spec). A long run at
   * a constant step either learns slowly or, with the quartic losses of the rank-one modulations, blows up late.
   */
  outerLrFinal?: number;
}

export function validateOuterLoopOptions(o: OuterLoopOptions): void {
  requireNonNegativeInteger('outerIterations', o.outerIterations);
  requireNonNegativeInteger('innerSteps', o.innerSteps);
  requirePositive('innerLr', o.innerLr);
  requirePositive('outerLr', o.outerLr);
  if (o.outerLrFinal !== undefined && !(o.outerLrFinal > 0 && o.outerLrFinal <= o.outerLr)) {
    throw new ConfigError(`outerLrFinal must be in (0, outerLr = ${o.outerLr}] when given, got ${o.outerLrFinal}`);
  }
}

/** The iteration a loop of `outerIterations` stops at when asked to stop after `stopAfter` (absent: its own end). */
export function stopIteration(outerIterations: number, stopAfter?: number): number {
  return Math.min(outerIterations, stopAfter ?? Infinity);
}

/** The outer Adam step at `iteration` (0-based): outerLr, or its cosine annealing to outerLrFinal over outerIterations. */
export function outerStepSize(o: OuterLoopOptions, iteration: number): number {
  return o.outerLrFinal === undefined ? o.outerLr : cosineLearningRate(o.outerLr, o.outerLrFinal, iteration, o.outerIterations);
}

/** An outer loop's state: the iterations done and the loss recorded at each. */
export interface OuterLoopState {
  iteration: number;
  lossHistory: number[];
}

/** Optional progress display and periodic checkpoints (every `checkpointEvery` iterations and at the end). */
export interface OuterLoopHooks<S> {
  progress?: Progress;
  checkpointEvery?: number;
  save?(state: S): void;
}

/** Applies `step` (which consumes its argument) until `iterations` are done, reporting the last loss. */
export function runOuterIterations<S extends OuterLoopState>(state: S, iterations: number, step: (s: S) => S, hooks: OuterLoopHooks<S> = {}): S {
  const every = hooks.checkpointEvery ?? iterations;
  requireNonNegativeInteger('checkpointEvery', every);
  let s = state;
  while (s.iteration < iterations) {
    s = step(s);
    hooks.progress?.update(s.iteration, `loss ${s.lossHistory[s.lossHistory.length - 1].toExponential(3)}`);
    if ((every > 0 && s.iteration % every === 0) || s.iteration === iterations) hooks.save?.(s);
  }
  hooks.progress?.done();
  return s;
}

/** An outer loop's parameters, Adam state, history and RNG as JSON: what a resumed run needs to continue exactly. */
export interface SavedOuterLoop extends OuterLoopState {
  params: TensorJson[];
  adam: { step: number; m: TensorJson[]; v: TensorJson[] };
  rng: RngState;
}

export function saveOuterLoop(params: readonly tf.Tensor[], adam: AdamState, loop: OuterLoopState, rng: Rng): SavedOuterLoop {
  return {
    iteration: loop.iteration,
    lossHistory: loop.lossHistory.slice(),
    params: params.map(tensorToJson),
    adam: { step: adam.step, m: adam.m.map(tensorToJson), v: adam.v.map(tensorToJson) },
    rng: rng.state,
  };
}

/** Inverse of `saveOuterLoop` (the tensors are new and owned by the caller). */
export function restoreOuterLoop(saved: SavedOuterLoop): OuterLoopState & { params: tf.Tensor[]; adam: AdamState; rng: Rng } {
  return {
    iteration: saved.iteration,
    lossHistory: saved.lossHistory.slice(),
    params: saved.params.map(tensorFromJson),
    adam: { step: saved.adam.step, m: saved.adam.m.map(tensorFromJson), v: saved.adam.v.map(tensorFromJson) },
    rng: restoreRng(saved.rng),
  };
}
