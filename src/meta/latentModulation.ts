/**
 * Meta-learning of a latent-modulated HNN (Paper B §5.2–5.3): Algorithm 1 (meta-training by first-order alternating
 * auto-decoding with persistent latents) and Algorithm 2 (test-time auto-decoding of a new instance's latent).
 *
 * Model: ẋ = J∇H̃(x; z_k), H̃ the modulated MLP of modulatedMlp.ts, z_k ∈ ℝ^{d_z} the code of instance k.
 * Shared Θ = (base W, b; hypernetwork Φ, φ₀; svd/mr-v1 bases U, V). Data loss L_k (fieldTasks.ts, spec §5.1).
 *
 * Algorithm 1, one outer iteration on a batch B of training instances (spec §5.2, [INF] first order):
 *   repeat N_in times, for all k ∈ B at once (the losses are separable in the z_k, so one gradient serves all):
 *     z_k ← z_k − α ∇_{z_k} [L_k(z_k; Θ) + λ_z‖z_k‖]
 *   Θ ← Adam(Θ, ∇_Θ [Σ_{k∈B} L_k(z_k; Θ) + λ_φ‖(Φ, φ₀)‖ + λ_o·ortho(U, V) + λ_sp·sparsity(c)])
 * The updated z_k are stored ("evolving latents", never reset, spec §5.2): the Θ-gradient is taken at the new z_k
 * without differentiating through the inner steps (first order), as the v2 protocol reads.
 * Norms are unsquared as the spec writes them (`squaredNorms: false`); ‖v‖ is evaluated as √(‖v‖² + 1e-12), whose
 * gradient v/‖v‖ is 0 at v = 0 instead of tfjs' 0·∞ = NaN (the latents start at 0).
 *
 * Algorithm 2 (spec §5.3): Θ frozen, z ← z_avg = mean of the training latents (or 0, the ablation), then
 * `steps` Adam steps on z on the support loss L(z) + λ_z‖z‖.
 *
 * The output-layer bias of H̃ moves H̃ by a constant and gets no gradient from a loss on ∇H̃ (tf.grads rejects
 * it), so the base must be built without it (`hnnBaseSpec`).
 *
 * The model is any latent field model (../models/fieldModel.ts) with its parameter type P: the HNN of
 * ../models/hnn.ts (`hnnLatentModel(spec)`) or the GENERIC network of ../models/generic.ts, whose parameters add the
 * friction head. The codes z stay tensors from the inner loop and auto-decoding to the adapted field.
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointStore } from '../core/checkpoint';
import { ConfigError, requirePositiveInteger } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import type { Progress } from '../core/progress';
import type { Rng } from '../core/rng';
import type { LatentFieldModel } from '../models/fieldModel';
import { orthogonalityPenalty, sparsityPenalty } from '../modulation/modulatedMlp';
import { type AdamState, adamInit, adamStep, disposeAdam } from '../nn/adam';
import { type HiddenLayers, hiddenLayersMlpSpec } from '../nn/accelerationField';
import type { MlpSpec } from '../nn/mlp';
import { type OuterLoopOptions, type SavedOuterLoop, type StackedFieldTasks, disposeStackedFieldTasks, perTaskFieldLoss, requireNonNegative, requireNonNegativeInteger, requirePositive, outerStepSize, stopIteration, restoreOuterLoop, runOuterIterations, sampleIndices, saveOuterLoop, stackFieldTasks, validateOuterLoopOptions } from './fieldTasks';
import { type FieldTask } from '../data/fieldTask';


/** hidden layers as given, scalar output without bias (see the header): the HNN energy network H̃(x). */
export function hnnBaseSpec(hidden: HiddenLayers, stateDim: number): MlpSpec {
  const s = hiddenLayersMlpSpec(hidden, stateDim, 1);
  return { ...s, biases: [...s.biases.slice(0, -1), false] };
}

/** Outer loop: outerIterations (spec 20,000), innerSteps N_in (spec 3), innerLr α_in (spec 1e-2), outerLr (Adam, spec 1e-3). */
export interface LatentMetaOptions extends OuterLoopOptions {
  /** instances per outer batch (spec 10) */
  taskBatch: number;
  /** λ_z (spec 1e-2) */
  lambdaZ: number;
  /** λ_φ on the hypernetwork (spec 1e-3) */
  lambdaPhi: number;
  /** orthogonality of svd / mr-v1 bases (spec 1e-3) */
  lambdaOrtho: number;
  /** L1 on mr-v1 coefficients (spec 1e-4) */
  lambdaSparsity: number;
  /** λ‖·‖² instead of the spec's unsquared λ‖·‖ */
  squaredNorms: boolean;
  /**
   * the largest ℓ2 norm of one task's inner step on z (0: no limit, the spec). With the rank-one and multi-rank
   * modulations ΔW is quadratic in z, so the loss is quartic in z and a fixed SGD step can throw z far out, where the
   * network saturates and the step grows further; the limit keeps each step a trust region.
   */
  innerMaxStep: number;
}

export const DEFAULT_LATENT_META_OPTIONS: LatentMetaOptions = {
  outerIterations: 20000,
  taskBatch: 10,
  innerSteps: 3,
  innerLr: 1e-2,
  outerLr: 1e-3,
  lambdaZ: 1e-2,
  lambdaPhi: 1e-3,
  lambdaOrtho: 1e-3,
  lambdaSparsity: 1e-4,
  squaredNorms: false,
  innerMaxStep: 0,
};

export function validateLatentMetaOptions(o: LatentMetaOptions): void {
  validateOuterLoopOptions(o);
  requirePositiveInteger('taskBatch', o.taskBatch);
  requireNonNegative('lambdaZ', o.lambdaZ);
  requireNonNegative('lambdaPhi', o.lambdaPhi);
  requireNonNegative('lambdaOrtho', o.lambdaOrtho);
  requireNonNegative('lambdaSparsity', o.lambdaSparsity);
  requireNonNegative('innerMaxStep', o.innerMaxStep);
}

/** The HNN energy network must have no output bias (see the header). */
export function requireHnnBase(base: MlpSpec): void {
  const b = base.biases;
  if (b[b.length - 1]) {
    throw new ConfigError('base.biases: the output layer must have no bias (it gets no gradient from an HNN loss); build the base with hnnBaseSpec');
  }
}

/** Everything Algorithm 1 carries between iterations, as plain data plus owned tensors. */
export interface LatentMetaState<P> {
  params: P;
  adam: AdamState;
  /** z_k of every training instance (persistent) */
  codes: number[][];
  iteration: number;
  /** mean over the batch of L_k at the updated z_k, before the Θ step, per iteration */
  lossHistory: number[];
}

/** Fresh state: takes ownership of `params`; all latents 0 (spec §5.2). */
export function initLatentMetaState<P>(model: LatentFieldModel<P>, params: P, tasks: number): LatentMetaState<P> {
  const m = model;
  requireHnnBase(m.spec.base);
  requirePositiveInteger('tasks', tasks);
  return {
    params,
    adam: adamInit(m.tensors(params)),
    codes: Array.from({ length: tasks }, () => Array<number>(m.spec.latentDim).fill(0)),
    iteration: 0,
    lossHistory: [],
  };
}


export function disposeLatentMetaState<P>(s: LatentMetaState<P>, model: LatentFieldModel<P>): void {
  tf.dispose(model.tensors(s.params));
  disposeAdam(s.adam);
}

/** ‖v‖ (safe at 0, see header) or ‖v‖² of each row of v: [rows, n] -> [rows]. */
function rowNorms(v: tf.Tensor2D, squared: boolean): tf.Tensor1D {
  const s = tf.sum(tf.square(v), 1) as tf.Tensor1D;
  return squared ? s : (tf.sqrt(tf.add(s, 1e-12)) as tf.Tensor1D);
}

/** L_k of every task of the stack at codes [tasks, d_z]. */
export function perTaskModulatedLoss<P>(model: LatentFieldModel<P>, params: P, stack: StackedFieldTasks, codes: tf.Tensor2D): tf.Tensor1D {
  const field = model.field(params, { codes, membership: stack.membership });
  return perTaskFieldLoss(field(0, stack.x), stack);
}

/** What the inner steps on the codes read of the options (iMODE's loop, ./imodeFieldMethod.ts, runs them with λ_z = 0). */
export type InnerLatentOptions = Pick<LatentMetaOptions, 'innerSteps' | 'innerLr' | 'innerMaxStep' | 'lambdaZ' | 'squaredNorms'>;

/** Σ_k [L_k(z_k) + λ_z‖z_k‖]: the inner objective, whose gradient in row k involves z_k only. */
function innerObjective<P>(spec: LatentFieldModel<P>, params: P, stack: StackedFieldTasks, codes: tf.Tensor2D, o: InnerLatentOptions): tf.Scalar {
  return tf.add(tf.sum(perTaskModulatedLoss(spec, params, stack, codes)), tf.mul(o.lambdaZ, tf.sum(rowNorms(codes, o.squaredNorms)))) as tf.Scalar;
}

/** Each row of `steps` scaled down to ℓ2 norm `maxNorm` when it is longer (maxNorm 0: unchanged); the tensor, per-row form of levenbergMarquardt.ts `clipStep`. */
export function limitRowNorms(steps: tf.Tensor2D, maxNorm: number): tf.Tensor2D {
  if (maxNorm === 0) return steps;
  return tf.tidy(() => {
    const norms = tf.norm(steps, 'euclidean', 1, true);
    return tf.mul(steps, tf.minimum(1, tf.div(maxNorm, tf.maximum(norms, 1e-30)))) as tf.Tensor2D;
  });
}

/** N_in SGD steps on the codes [tasks, d_z] of the stacked tasks, Θ fixed. Returns new codes (caller owns). */
export function innerLatentSteps<P>(
  spec: LatentFieldModel<P>,
  params: P,
  stack: StackedFieldTasks,
  codes: tf.Tensor2D,
  o: InnerLatentOptions,
): tf.Tensor2D {
  let z = tf.clone(codes);
  for (let i = 0; i < o.innerSteps; i++) {
    const next = tf.tidy(() => {
      const g = tf.grad((c: tf.Tensor) => innerObjective(spec, params, stack, c as tf.Tensor2D, o))(z);
      return tf.sub(z, limitRowNorms(tf.mul(g, o.innerLr) as tf.Tensor2D, o.innerMaxStep)) as tf.Tensor2D;
    });
    z.dispose();
    z = next;
  }
  return z;
}

/**
 * The outer objective as a function of the shared tensors (modulatedMlpTensors order) at fixed codes:
 * Σ_k L_k + λ_φ‖(Φ, φ₀)‖ + λ_o·ortho + λ_sp·sparsity. Returns the total and the data term Σ_k L_k.
 */
export function latentOuterObjective<P>(
  model: LatentFieldModel<P>,
  shared: readonly tf.Tensor[],
  stack: StackedFieldTasks,
  codes: tf.Tensor2D,
  o: LatentMetaOptions,
): { total: tf.Scalar; data: tf.Scalar } {
  const m = model;
  const p = m.fromTensors(shared);
  const data = tf.sum(perTaskModulatedLoss(m, p, stack, codes)) as tf.Scalar;
  const hyper = tf.concat(m.hyperTensors(p).map((t) => tf.reshape(t, [1, -1])), 1) as tf.Tensor2D;
  const net = m.energyNet(p);
  const total = tf.addN([
    data,
    tf.mul(o.lambdaPhi, tf.sum(rowNorms(hyper, o.squaredNorms))),
    tf.mul(o.lambdaOrtho, orthogonalityPenalty(m.spec, net)),
    tf.mul(o.lambdaSparsity, sparsityPenalty(m.spec, net, codes)),
  ]) as tf.Scalar;
  return { total, data };
}

/** One outer iteration of Algorithm 1. Consumes `state` (its tensors are disposed) and returns the next one. */
export function latentMetaStep<P>(
  model: LatentFieldModel<P>,
  state: LatentMetaState<P>,
  tasks: readonly FieldTask[],
  o: LatentMetaOptions,
  rng: Rng,
): LatentMetaState<P> {
  validateLatentMetaOptions(o);
  const spec = model;
  if (tasks.length !== state.codes.length) throw new ConfigError(`tasks: the state holds ${state.codes.length} latents but ${tasks.length} tasks were given`);
  const batch = sampleIndices(rng, tasks.length, o.taskBatch);
  const stack = stackFieldTasks(batch.map((k) => tasks[k]));
  const start = tf.tensor2d(batch.map((k) => state.codes[k]), [batch.length, spec.spec.latentDim]);
  const z = innerLatentSteps(spec, state.params, stack, start, o);
  const shared = spec.tensors(state.params);
  const { value, grads, data } = tf.tidy(() => {
    let dataTerm: tf.Scalar | null = null;
    const r = tf.valueAndGrads((...ps: tf.Tensor[]) => {
      const { total, data: d } = latentOuterObjective(spec, ps, stack, z, o);
      dataTerm = tf.keep(d);
      return total;
    })(shared);
    return { value: r.value, grads: r.grads, data: dataTerm as unknown as tf.Scalar };
  });
  const total = value.dataSync()[0];
  const dataLoss = data.dataSync()[0] / batch.length;
  const zValues = z.arraySync();
  tf.dispose([value, data, z, start]);
  disposeStackedFieldTasks(stack);
  try {
    assertFiniteTerms(state.iteration, { total, meanTaskLoss: dataLoss }, o);
  } catch (e) {
    tf.dispose(grads);
    throw e;
  }
  const update = adamStep(shared, grads, state.adam, { lr: outerStepSize(o, state.iteration) });
  tf.dispose(grads);
  disposeLatentMetaState(state, spec);
  const codes = state.codes.slice();
  batch.forEach((k, i) => {
    codes[k] = zValues[i];
  });
  return {
    params: spec.fromTensors(update.params),
    adam: update.state,
    codes,
    iteration: state.iteration + 1,
    lossHistory: [...state.lossHistory, dataLoss],
  };
}

/**
 * Runs Algorithm 1 until `o.outerIterations` iterations are done, or `stopAfter` (the schedule still spans
 * outerIterations, so a stopped run continues exactly as the uninterrupted one) (consumes `state`). With `store`, the state and
 * `rng` are saved every `checkpointEvery` iterations; resume with `restoreLatentMetaState(store.load())`.
 */
export function latentMetaTrain<P>(
  spec: LatentFieldModel<P>,
  state: LatentMetaState<P>,
  tasks: readonly FieldTask[],
  o: LatentMetaOptions,
  rng: Rng,
  hooks: { progress?: Progress; store?: CheckpointStore<SavedLatentMeta>; checkpointEvery?: number; stopAfter?: number } = {},
): LatentMetaState<P> {
  validateLatentMetaOptions(o);
  const { store } = hooks;
  return runOuterIterations(state, stopIteration(o.outerIterations, hooks.stopAfter), (s) => latentMetaStep(spec, s, tasks, o, rng), {
    progress: hooks.progress,
    checkpointEvery: hooks.checkpointEvery,
    save: store && ((s) => store.save(saveLatentMetaState(s, rng, spec))),
  });
}

export interface SavedLatentMeta extends SavedOuterLoop {
  codes: number[][];
}

/** The state and the RNG as JSON (tensors bit-exact, see core/checkpoint.ts). */
export function saveLatentMetaState<P>(s: LatentMetaState<P>, rng: Rng, model: LatentFieldModel<P>): SavedLatentMeta {
  return { ...saveOuterLoop(model.tensors(s.params), s.adam, s, rng), codes: s.codes.map((z) => z.slice()) };
}

export function restoreLatentMetaState<P>(model: LatentFieldModel<P>, saved: SavedLatentMeta): { state: LatentMetaState<P>; rng: Rng } {
  const { params, adam, rng, iteration, lossHistory } = restoreOuterLoop(saved);
  return { state: { params: model.fromTensors(params), adam, codes: saved.codes.map((z) => z.slice()), iteration, lossHistory }, rng };
}

/** z_avg = (1/K) Σ_k z_k over the training latents. */
export function meanLatent(codes: readonly (readonly number[])[]): number[] {
  if (codes.length === 0) throw new ConfigError('codes: need at least one training latent to average');
  return codes[0].map((_, j) => codes.reduce((s, z) => s + z[j], 0) / codes.length);
}

export interface AutoDecodeOptions {
  /** gradient steps on z (spec 100) */
  adaptSteps: number;
  /** Adam step size on z (spec 1e-2) */
  lr: number;
  lambdaZ: number;
  squaredNorms: boolean;
  /** start from the mean training latent (spec) or from 0 (the v2 ablation) */
  init: 'mean' | 'zero';
}

export const DEFAULT_AUTO_DECODE_OPTIONS: AutoDecodeOptions = { adaptSteps: 100, lr: 1e-2, lambdaZ: 1e-2, squaredNorms: false, init: 'mean' };

/** L(z) of one task at one code (no penalty). */
export function taskLossAt<P>(spec: LatentFieldModel<P>, params: P, task: FieldTask, code: readonly number[]): number {
  return tf.tidy(() => {
    const stack = stackFieldTasks([task]);
    return perTaskModulatedLoss(spec, params, stack, tf.tensor2d([code.slice()])).dataSync()[0];
  });
}

/**
 * Algorithm 2: auto-decode the latent of a new instance from its support data, Θ frozen. Returns z [1, d_z] (caller
 * owns) and the support loss L(z) (without penalty) before each step and after the last (length adaptSteps + 1).
 */
export function autoDecode<P>(
  model: LatentFieldModel<P>,
  params: P,
  trainCodes: readonly (readonly number[])[],
  support: FieldTask,
  o: AutoDecodeOptions,
): { z: tf.Tensor2D; losses: number[] } {
  requireNonNegativeInteger('adaptSteps', o.adaptSteps);
  requirePositive('lr', o.lr);
  requireNonNegative('lambdaZ', o.lambdaZ);
  if (o.init !== 'mean' && o.init !== 'zero') throw new ConfigError(`init must be 'mean' or 'zero', got '${String(o.init)}'`);
  const spec = model;
  const stack = stackFieldTasks([support]);
  let z = tf.tensor2d([o.init === 'mean' ? meanLatent(trainCodes) : Array<number>(spec.spec.latentDim).fill(0)]);
  let adam = adamInit([z]);
  const losses: number[] = [];
  for (let i = 0; i < o.adaptSteps; i++) {
    const { loss, grad } = tf.tidy(() => {
      let data: tf.Scalar | null = null;
      const g = tf.grad((t: tf.Tensor) => {
        const c = t as tf.Tensor2D;
        const d = tf.sum(perTaskModulatedLoss(spec, params, stack, c)) as tf.Scalar;
        data = tf.keep(d);
        return tf.add(d, tf.mul(o.lambdaZ, tf.sum(rowNorms(c, o.squaredNorms)))) as tf.Scalar;
      })(z);
      return { loss: data as unknown as tf.Scalar, grad: g };
    });
    losses.push(loss.dataSync()[0]);
    const next = adamStep([z], [grad], adam, { lr: o.lr });
    tf.dispose([loss, grad, z]);
    disposeAdam(adam);
    z = next.params[0] as tf.Tensor2D;
    adam = next.state;
  }
  losses.push(tf.tidy(() => perTaskModulatedLoss(spec, params, stack, z).dataSync()[0]));
  disposeAdam(adam);
  disposeStackedFieldTasks(stack);
  return { z, losses };
}
