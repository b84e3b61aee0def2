/**
 * Optimisation-based baselines of Paper B (spec §4) for an HNN ẋ = J∇H̃_θ(x) with loss L (fieldTasks.ts, §5.1),
 * behind one interface: meta-train(tasks) → θ_meta, then adapt(θ_meta, support, adaptSteps) → θ_task, with the
 * same test-time budget of `adaptSteps` gradient steps for every method (spec §9.7).
 *
 *   scratch  no meta-training: θ_meta is the random initialisation; adapt = Adam(lr) on all of θ (spec: Adam 1e-3).
 *   maml     θ'_k = U_k(θ), U_k = innerSteps SGD steps θ ← θ − α∇L_support,k(θ);
 *            θ ← Adam(θ, ∇_θ Σ_{k∈B} L_query,k(U_k(θ))).   adapt = SGD(α) on all of θ.
 *   anil     maml with U_k acting on the last layer only (body shared, not adapted); adapt = SGD(α) on the last layer.
 *   reptile  θ̃_k = U_k(θ) on the task's data; θ ← θ + ε (mean_{k∈B} θ̃_k − θ) (Nichol et al. 2018, first order).
 *
 * Order: `secondOrder: true` (default, spec §4) differentiates through the inner SGD steps, i.e. the outer
 * gradient carries the Hessian-vector terms −α ∇²L_support · ∇L_query. That is affordable because ∇H̃ is the
 * analytic backward pass (mlp.ts), so L is first order in θ and the meta-gradient needs only nested first/second
 * order autodiff through matMul/mul/tanh-forward, which tfjs does correctly (toolchain.md §6); nested tf.grad
 * through tanh would fail. No gradient is ever taken w.r.t. x, so the shared-tape "perturbation confusion" of
 * toolchain §6 cannot arise from x; the inner loop starts from clones of θ so that its tf.grads differentiates
 * w.r.t. tensors of its own and the outer tape sees θ → clone → θ' as one path. `secondOrder: false` is FO-MAML/
 * FO-ANIL: θ' is computed off the tape and ∇_θ' L_query(θ') is applied to θ.
 * Inner step limit: with `innerMaxStep` c > 0 every SGD step (inner loops and test-time adaptation) is
 * Δ = α g · min(1, c / ‖α g‖) with ‖·‖ the ℓ2 norm over all adapted tensors together, so that a meta-learner
 * cannot place θ where the support loss is huge and one giant first step lands well (TGC, paperBTgc.ts); the scaling is
 * a tensor op, so the second-order gradient differentiates through it. c = 0 is plain SGD (the spec).
 * Tasks are split once into support (first half of the rows) and query (second half) for maml and anil.
 *
 * The model is any plain field model (../models/fieldModel.ts: θ and how it becomes a field, and which entries ANIL
 * adapts), or a bare MlpSpec, which stands for the HNN J∇H̃_θ (`hnnPlainModel`).
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointStore } from '../core/checkpoint';
import { ConfigError, requirePositiveInteger } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import type { Progress } from '../core/progress';
import type { Rng } from '../core/rng';
import type { PlainFieldModel } from '../models/fieldModel';
import { hnnPlainModel } from '../models/hnn';
import { type AdamState, adamInit, adamStep, disposeAdam } from '../nn/adam';
import type { MlpSpec } from '../nn/mlp';
import { type OuterLoopOptions, type SavedOuterLoop, fieldLoss, requireNonNegative, requireNonNegativeInteger, requirePositive, outerStepSize, stopIteration, restoreOuterLoop, runOuterIterations, sampleIndices, saveOuterLoop, validateOuterLoopOptions } from './fieldTasks';
import { type FieldTask } from '../data/fieldTask';
import { requireHnnBase } from './latentModulation';

export type GradientMethod = 'scratch' | 'maml' | 'anil' | 'reptile';
export const GRADIENT_METHODS: readonly GradientMethod[] = ['scratch', 'maml', 'anil', 'reptile'];

/** Outer loop: outerIterations, innerSteps (spec 5), innerLr α (SGD, spec 1e-3), outerLr (Adam on θ for maml and anil, spec 1e-3). */
export interface GradientMetaOptions extends OuterLoopOptions {
  method: GradientMethod;
  /** instances per outer iteration (spec 10) */
  metaBatch: number;
  /** ε, reptile's interpolation step (spec 0.1) */
  reptileStepSize: number;
  /** maml / anil: differentiate through the inner steps (see header) */
  secondOrder: boolean;
  /** c, the largest ℓ2 norm of one inner SGD step over the adapted tensors (absent or 0: no limit, the spec) */
  innerMaxStep?: number;
}

export const DEFAULT_GRADIENT_META_OPTIONS: Omit<GradientMetaOptions, 'method'> = {
  outerIterations: 20000,
  metaBatch: 10,
  innerSteps: 5,
  innerLr: 1e-3,
  outerLr: 1e-3,
  reptileStepSize: 0.1,
  secondOrder: true,
};

export function validateGradientMetaOptions(o: GradientMetaOptions): void {
  if (!GRADIENT_METHODS.includes(o.method)) throw new ConfigError(`method must be one of ${GRADIENT_METHODS.join(', ')}, got '${String(o.method)}'`);
  validateOuterLoopOptions(o);
  requirePositiveInteger('metaBatch', o.metaBatch);
  requirePositive('reptileStepSize', o.reptileStepSize);
  if (o.reptileStepSize > 1) throw new ConfigError(`reptileStepSize must be in (0, 1], got ${o.reptileStepSize}`);
  if (o.innerMaxStep !== undefined) requireNonNegative('innerMaxStep', o.innerMaxStep);
}

/** A plain field model, or an MlpSpec standing for the HNN (`hnnPlainModel`). */
export type PlainModelLike = PlainFieldModel | MlpSpec;

export function asPlainModel(m: PlainModelLike): PlainFieldModel {
  return 'field' in m ? m : hnnPlainModel(m);
}

/** L(θ) of the model (default the HNN) with parameters θ on one task. */
export function hnnTaskLoss(model: PlainModelLike, theta: readonly tf.Tensor[], task: FieldTask): tf.Scalar {
  return fieldLoss(asPlainModel(model).field(theta)(0, task.x), task.xdot);
}

/** Indices of θ that a method adapts: anil the model's head (the HNN: the last weight matrix), every other method all of θ. */
export function adaptedIndices(model: PlainModelLike, method: GradientMethod): number[] {
  const m = asPlainModel(model);
  return method === 'anil' ? m.headIndices() : Array.from({ length: m.tensorCount }, (_, i) => i);
}

/**
 * The SGD steps α g_i of the adapted tensors, scaled together by min(1, c / ‖α g‖) when c = maxStep > 0 (see header).
 */
export function limitedSgdSteps(grads: readonly tf.Tensor[], lr: number, maxStep = 0): tf.Tensor[] {
  const steps = grads.map((g) => tf.mul(g, lr));
  if (maxStep === 0) return steps;
  const norm = tf.sqrt(tf.addN(steps.map((d) => tf.sum(tf.square(d)))));
  const scale = tf.minimum(1, tf.div(maxStep, tf.maximum(norm, 1e-30)));
  return steps.map((d) => tf.mul(d, scale));
}

/**
 * `steps` SGD steps θ_i ← θ_i − Δ_i (limitedSgdSteps) on the adapted indices, as tensor ops: recorded by an enclosing
 * tf.grads (second order) when one is active. Returns the full parameter list (non-adapted entries are θ's own).
 */
function sgdSteps(spec: PlainModelLike, theta: readonly tf.Tensor[], task: FieldTask, indices: readonly number[], steps: number, lr: number, maxStep = 0): tf.Tensor[] {
  let current = theta.map((t, i) => (indices.includes(i) ? tf.clone(t) : t));
  for (let s = 0; s < steps; s++) {
    const base = current;
    const grads = tf.grads((...adapted: tf.Tensor[]) => {
      const ps = base.slice();
      indices.forEach((idx, j) => {
        ps[idx] = adapted[j];
      });
      return hnnTaskLoss(spec, ps, task);
    })(indices.map((i) => base[i]));
    const deltas = limitedSgdSteps(grads, lr, maxStep);
    current = base.slice();
    indices.forEach((idx, j) => {
      current[idx] = tf.sub(base[idx], deltas[j]);
    });
  }
  return current;
}

/** One task split for maml / anil. */
interface SplitTask {
  support: FieldTask;
  query: FieldTask;
}

function splitTask(t: FieldTask): SplitTask {
  const n = t.x.shape[0];
  if (n < 2) throw new ConfigError(`tasks: maml and anil split each task into support and query and need ≥ 2 points, got ${n}`);
  const h = Math.floor(n / 2);
  const part = (start: number, size: number): FieldTask => ({ x: tf.slice(t.x, [start, 0], [size, -1]), xdot: tf.slice(t.xdot, [start, 0], [size, -1]) });
  return { support: part(0, h), query: part(h, n - h) };
}

/** Σ_{k} L_query,k(U_k(θ)): the maml / anil meta-objective, differentiable to second order in θ. */
export function mamlObjective(spec: PlainModelLike, theta: readonly tf.Tensor[], tasks: readonly FieldTask[], o: GradientMetaOptions): tf.Scalar {
  const indices = adaptedIndices(spec, o.method);
  const losses = tasks.map((t) => {
    const { support, query } = splitTask(t);
    return hnnTaskLoss(spec, sgdSteps(spec, theta, support, indices, o.innerSteps, o.innerLr, o.innerMaxStep), query);
  });
  return tf.addN(losses) as tf.Scalar;
}

export interface GradientMetaState {
  /** θ, mlpTensors order */
  params: tf.Tensor[];
  /** Adam on θ (maml, anil) */
  adam: AdamState;
  iteration: number;
  /** per iteration: maml/anil the mean post-adaptation query loss, reptile the mean pre-adaptation task loss */
  lossHistory: number[];
}

/** Fresh state; takes ownership of `params`. */
export function initGradientMetaState(model: PlainModelLike, params: tf.Tensor[]): GradientMetaState {
  requireHnnBase(asPlainModel(model).spec);
  return { params, adam: adamInit(params), iteration: 0, lossHistory: [] };
}

export function disposeGradientMetaState(s: GradientMetaState): void {
  tf.dispose(s.params);
  disposeAdam(s.adam);
}

/** ∇_θ of the maml / anil meta-objective and its value, first or second order (see header); caller owns grads. */
export function mamlMetaGradient(spec: PlainModelLike, theta: tf.Tensor[], tasks: readonly FieldTask[], o: GradientMetaOptions): { value: number; grads: tf.Tensor[] } {
  if (o.secondOrder) {
    const r = tf.tidy(() => tf.valueAndGrads((...ps: tf.Tensor[]) => mamlObjective(spec, ps, tasks, o))(theta));
    const value = r.value.dataSync()[0];
    r.value.dispose();
    return { value, grads: r.grads };
  }
  const indices = adaptedIndices(spec, o.method);
  return tf.tidy(() => {
    let value = 0;
    const sums = theta.map((t) => tf.zerosLike(t));
    for (const t of tasks) {
      const { support, query } = splitTask(t);
      const adapted = sgdSteps(spec, theta, support, indices, o.innerSteps, o.innerLr, o.innerMaxStep);
      const r = tf.valueAndGrads((...ps: tf.Tensor[]) => hnnTaskLoss(spec, ps, query))(adapted);
      value += r.value.dataSync()[0];
      r.grads.forEach((g, i) => {
        sums[i] = tf.add(sums[i], g);
      });
    }
    return { value, grads: sums };
  });
}

/** One outer iteration. Consumes `state`; returns the next one. */
export function gradientMetaStep(spec: PlainModelLike, state: GradientMetaState, tasks: readonly FieldTask[], o: GradientMetaOptions, rng: Rng): GradientMetaState {
  validateGradientMetaOptions(o);
  if (o.method === 'scratch') throw new ConfigError("method 'scratch' has no meta-training step (its meta-parameters are the initialisation)");
  const batch = sampleIndices(rng, tasks.length, o.metaBatch).map((k) => tasks[k]);
  let value: number;
  let params: tf.Tensor[];
  let adam = state.adam;
  if (o.method === 'reptile') {
    const r = tf.tidy(() => {
      let loss = 0;
      const adapted = batch.map((t) => {
        loss += hnnTaskLoss(spec, state.params, t).dataSync()[0];
        return sgdSteps(spec, state.params, t, adaptedIndices(spec, 'reptile'), o.innerSteps, o.innerLr, o.innerMaxStep);
      });
      const next = state.params.map((p, i) => tf.add(p, tf.mul(tf.sub(tf.div(tf.addN(adapted.map((a) => a[i])), batch.length), p), o.reptileStepSize)));
      return { loss, next };
    });
    value = r.loss;
    params = r.next;
  } else {
    const g = mamlMetaGradient(spec, state.params, batch, o);
    value = g.value;
    const update = adamStep(state.params, g.grads, state.adam, { lr: outerStepSize(o, state.iteration) });
    tf.dispose(g.grads);
    params = update.params;
    adam = update.state;
  }
  try {
    assertFiniteTerms(state.iteration, { metaLoss: value }, o);
  } catch (e) {
    tf.dispose(params);
    if (adam !== state.adam) disposeAdam(adam);
    throw e;
  }
  tf.dispose(state.params);
  if (adam !== state.adam) disposeAdam(state.adam);
  return { params, adam, iteration: state.iteration + 1, lossHistory: [...state.lossHistory, value / batch.length] };
}

/**
 * Meta-trains until `o.outerIterations`, or `stopAfter` (the step schedule still spans outerIterations) (consumes
 * `state`); scratch returns the state as it is. With `store`, the
 * state and `rng` are saved every `checkpointEvery` iterations; resume with `restoreGradientMetaState(store.load())`.
 */
export function gradientMetaTrain(
  spec: PlainModelLike,
  state: GradientMetaState,
  tasks: readonly FieldTask[],
  o: GradientMetaOptions,
  rng: Rng,
  hooks: { progress?: Progress; store?: CheckpointStore<SavedOuterLoop>; checkpointEvery?: number; stopAfter?: number } = {},
): GradientMetaState {
  validateGradientMetaOptions(o);
  if (o.method === 'scratch') return state;
  const { store } = hooks;
  return runOuterIterations(state, stopIteration(o.outerIterations, hooks.stopAfter), (s) => gradientMetaStep(spec, s, tasks, o, rng), {
    progress: hooks.progress,
    checkpointEvery: hooks.checkpointEvery,
    save: store && ((s) => store.save(saveOuterLoop(s.params, s.adam, s, rng))),
  });
}

/** Inverse of the checkpoints `gradientMetaTrain` saves. */
export function restoreGradientMetaState(saved: SavedOuterLoop): { state: GradientMetaState; rng: Rng } {
  const { params, adam, rng, iteration, lossHistory } = restoreOuterLoop(saved);
  return { state: { params, adam, iteration, lossHistory }, rng };
}

export interface GradientAdaptOptions {
  method: GradientMethod;
  /** the common test-time budget (spec 100) */
  adaptSteps: number;
  /** SGD step size (maml, anil, reptile: the inner α) or Adam step size (scratch) */
  lr: number;
  /** maml, anil, reptile: the meta-training's inner step limit c (absent or 0: none) */
  maxStep?: number;
}

/**
 * Test-time adaptation of θ_meta (not consumed) to one instance's support data. Returns the task parameters
 * (caller owns) and the support loss before each step and after the last (length adaptSteps + 1).
 */
export function gradientAdapt(spec: PlainModelLike, metaParams: readonly tf.Tensor[], support: FieldTask, o: GradientAdaptOptions): { params: tf.Tensor[]; losses: number[] } {
  if (!GRADIENT_METHODS.includes(o.method)) throw new ConfigError(`method must be one of ${GRADIENT_METHODS.join(', ')}, got '${String(o.method)}'`);
  requireNonNegativeInteger('adaptSteps', o.adaptSteps);
  requirePositive('lr', o.lr);
  if (o.maxStep !== undefined) requireNonNegative('maxStep', o.maxStep);
  requireHnnBase(asPlainModel(spec).spec);
  const indices = adaptedIndices(spec, o.method);
  let params = metaParams.map((t) => tf.clone(t));
  let adam = o.method === 'scratch' ? adamInit(params) : null;
  const losses: number[] = [];
  for (let s = 0; s < o.adaptSteps; s++) {
    const { value, grads } = tf.tidy(() => tf.valueAndGrads((...ps: tf.Tensor[]) => hnnTaskLoss(spec, ps, support))(params));
    losses.push(value.dataSync()[0]);
    value.dispose();
    let next: tf.Tensor[];
    if (adam) {
      const update = adamStep(params, grads, adam, { lr: o.lr });
      disposeAdam(adam);
      adam = update.state;
      next = update.params;
    } else {
      next = tf.tidy(() => {
        const deltas = limitedSgdSteps(indices.map((i) => grads[i]), o.lr, o.maxStep);
        return params.map((p, i) => (indices.includes(i) ? tf.sub(p, deltas[indices.indexOf(i)]) : tf.clone(p)));
      });
    }
    tf.dispose([...grads, ...params]);
    params = next;
  }
  losses.push(tf.tidy(() => hnnTaskLoss(spec, params, support).dataSync()[0]));
  if (adam) disposeAdam(adam);
  return { params, losses };
}
