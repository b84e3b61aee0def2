/**
 * iMODE's meta-learning (Li et al. 2023, arXiv 2301.00957; ./imode.ts, ./imodeTraining.ts) as a method on Paper B's
 * systems (./paperBMethod.ts; design: docs/decisions/cross-paper.md, "iMODE as a method on Paper B's systems").
 *
 * Model: the system's own field model family (the HNN ẋ = J∇H̃ or the GENERIC network) with iMODE's conditioning, the
 * adaptation code η ∈ ℝ^{d_z} concatenated to the energy network's input (modulation kind 'input',
 * ../modulation/inputConcatenation.ts). Loss of task k: Paper B's field loss L_k (./fieldTasks.ts), which replaces
 * iMODE's rollout loss because Paper B's data are (x, ẋ) samples.
 *
 * One outer iteration on a batch B of `taskBatch` training tasks (the sampling of Algorithm 1, ./latentModulation.ts):
 *   η_k ← η0 for every k ∈ B (iMODE restarts every task from η0; no persistent per-task code)
 *   K inner SGD steps, all tasks at once (the losses separate in the η_k):  η_k ← η_k − clip(α ∇_η L_k(θ, η_k))
 *   (θ, η0) ← Adam((θ, η0), (Σ_k ∇_θ L_k, Σ_k ∇_η L_k))   at the η of the last inner step
 * with K = IMODE_INNER_STEPS = 5 (iMODE's spec), α = `latentInnerLr`, clip the per-task step-norm limit
 * `latentInnerMaxStep` (as Algorithm 1 has it), the Adam step `latentOuterLr` with the cosine to
 * `outerLrFinalFraction` of Paper B's modulations. First order, exactly ./imodeTraining.ts's rule with `learnEta0`:
 * the meta-gradient comes from the forward pass of the K-th inner step, i.e. at η^{(K−1)}, the η that step is taken
 * at (dη^{(K−1)}/dη0 ≈ I gives η0's gradient Σ_k ∇_η L_k there); the K-th update itself only matters at test time.
 * [INF] No penalties: iMODE has none (no λ_z on η, no λ_φ on the η weights), unlike Algorithm 1.
 * [INF] η0 starts at 0, as Paper B's latents do.
 *
 * Test time, two protocols (the factory's argument), both with θ frozen and from η0:
 *   'imode'        K inner SGD steps of the training loop (same α and limit): iMODE's test-time protocol; `adaptSteps` unused
 *   'auto-decode'  Paper B's Algorithm 2 (`autoDecode`): `adaptSteps` Adam steps at `adaptLr`, started at η0 (the
 *                  mean of the single code η0) instead of z_avg. [INF] λ_z = 0 there too: η was trained without it,
 *                  and a pull towards 0 rather than η0 would be a prior iMODE never had.
 * `codes` is null: iMODE keeps no training latents (each iteration's η_k are discarded).
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointStore } from '../core/checkpoint';
import { requirePositiveInteger } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import { type Progress, progress } from '../core/progress';
import type { Rng } from '../core/rng';
import type { FieldTask } from '../data/fieldTask';
import type { LatentFieldModel } from '../models/fieldModel';
import { modulationSpec } from '../modulation/modulation';
import { type AdamState, adamInit, adamStep, disposeAdam } from '../nn/adam';
import {
  type OuterLoopOptions,
  type OuterLoopState,
  type SavedOuterLoop,
  type StackedFieldTasks,
  disposeStackedFieldTasks,
  outerStepSize,
  requireNonNegative,
  restoreOuterLoop,
  runOuterIterations,
  sampleIndices,
  saveOuterLoop,
  stackFieldTasks,
  stopIteration,
  validateOuterLoopOptions,
} from './fieldTasks';
import { adaptedLatentField, latentLoopBudget } from './latentMethod';
import { type InnerLatentOptions, autoDecode, innerLatentSteps, perTaskModulatedLoss, requireHnnBase } from './latentModulation';
import type { PaperBMethod } from './paperBMethod';

/** K, iMODE's inner steps on η (spec: 5), in meta-training and in the 'imode' test-time protocol. */
export const IMODE_INNER_STEPS = 5;

/** The loop's settings: `innerSteps` is K (the method fixes it to IMODE_INNER_STEPS). */
export interface ImodeFieldOptions extends OuterLoopOptions {
  taskBatch: number;
  /** the largest ℓ2 norm of one task's inner step on η (0: no limit) */
  innerMaxStep: number;
}

export function validateImodeFieldOptions(o: ImodeFieldOptions): void {
  validateOuterLoopOptions(o);
  requirePositiveInteger('innerSteps', o.innerSteps);
  requirePositiveInteger('taskBatch', o.taskBatch);
  requireNonNegative('innerMaxStep', o.innerMaxStep);
}

/** The inner loop's step rule: SGD at innerLr with the step-norm limit, no penalty. */
export interface ImodeInnerStep {
  innerLr: number;
  innerMaxStep: number;
}

const innerOptions = (o: ImodeInnerStep, steps: number): InnerLatentOptions => ({ innerSteps: steps, innerLr: o.innerLr, innerMaxStep: o.innerMaxStep, lambdaZ: 0, squaredNorms: false });

/** What the loop carries between iterations. */
export interface ImodeFieldState<P> extends OuterLoopState {
  params: P;
  /** η0: [1, d_z] */
  eta0: tf.Tensor2D;
  /** Adam over [...model.tensors(params), eta0] */
  adam: AdamState;
}

/** Fresh state: takes ownership of `params`; η0 = 0 (see the header). */
export function initImodeFieldState<P>(model: LatentFieldModel<P>, params: P): ImodeFieldState<P> {
  requireHnnBase(model.spec.base);
  const eta0 = tf.zeros([1, model.spec.latentDim]) as tf.Tensor2D;
  return { params, eta0, adam: adamInit([...model.tensors(params), eta0]), iteration: 0, lossHistory: [] };
}

export function disposeImodeFieldState<P>(s: ImodeFieldState<P>, model: LatentFieldModel<P>): void {
  tf.dispose([...model.tensors(s.params), s.eta0]);
  disposeAdam(s.adam);
}

/**
 * Σ_k L_k of the stacked tasks at η [tasks, d_z] and its gradients w.r.t. η and the model's tensors, from one
 * forward pass (caller owns them).
 */
export function imodeLossAndGradients<P>(model: LatentFieldModel<P>, shared: readonly tf.Tensor[], stack: StackedFieldTasks, eta: tf.Tensor2D): { loss: tf.Scalar; etaGrad: tf.Tensor2D; paramGrads: tf.Tensor[] } {
  return tf.tidy(() => {
    const total = (e: tf.Tensor, ...ps: tf.Tensor[]) => tf.sum(perTaskModulatedLoss(model, model.fromTensors(ps), stack, e as tf.Tensor2D)) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(total)([eta, ...shared]);
    return { loss: value, etaGrad: grads[0] as tf.Tensor2D, paramGrads: grads.slice(1) };
  });
}

/** One outer iteration (see the header). Consumes `state` and returns the next one; the recorded loss is the batch's mean L_k at the meta-gradient's η. */
export function imodeFieldStep<P>(model: LatentFieldModel<P>, state: ImodeFieldState<P>, tasks: readonly FieldTask[], o: ImodeFieldOptions, rng: Rng): ImodeFieldState<P> {
  validateImodeFieldOptions(o);
  const batch = sampleIndices(rng, tasks.length, o.taskBatch);
  const stack = stackFieldTasks(batch.map((k) => tasks[k]));
  const start = tf.tile(state.eta0, [batch.length, 1]) as tf.Tensor2D;
  // the first K − 1 steps; the K-th step's forward pass is the meta-gradient's
  const eta = innerLatentSteps(model, state.params, stack, start, innerOptions(o, o.innerSteps - 1));
  const shared = model.tensors(state.params);
  const { loss, etaGrad, paramGrads } = imodeLossAndGradients(model, shared, stack, eta);
  const eta0Grad = tf.tidy(() => tf.sum(etaGrad, 0, true) as tf.Tensor2D);
  const meanTaskLoss = loss.dataSync()[0] / batch.length;
  tf.dispose([loss, etaGrad, eta, start]);
  disposeStackedFieldTasks(stack);
  try {
    assertFiniteTerms(state.iteration, { meanTaskLoss }, o);
  } catch (e) {
    tf.dispose([...paramGrads, eta0Grad]);
    throw e;
  }
  const update = adamStep([...shared, state.eta0], [...paramGrads, eta0Grad], state.adam, { lr: outerStepSize(o, state.iteration) });
  tf.dispose([...paramGrads, eta0Grad]);
  disposeImodeFieldState(state, model);
  return {
    params: model.fromTensors(update.params.slice(0, -1)),
    eta0: update.params[update.params.length - 1] as tf.Tensor2D,
    adam: update.state,
    iteration: state.iteration + 1,
    lossHistory: [...state.lossHistory, meanTaskLoss],
  };
}

export function saveImodeFieldState<P>(s: ImodeFieldState<P>, rng: Rng, model: LatentFieldModel<P>): SavedOuterLoop {
  return saveOuterLoop([...model.tensors(s.params), s.eta0], s.adam, s, rng);
}

export function restoreImodeFieldState<P>(model: LatentFieldModel<P>, saved: SavedOuterLoop): { state: ImodeFieldState<P>; rng: Rng } {
  const { params, adam, rng, iteration, lossHistory } = restoreOuterLoop(saved);
  return { state: { params: model.fromTensors(params.slice(0, -1)), eta0: params[params.length - 1] as tf.Tensor2D, adam, iteration, lossHistory }, rng };
}

/**
 * Runs the loop until `o.outerIterations` are done, or `stopAfter` (the step schedule still spans outerIterations)
 * (consumes `state`); with `store`, checkpointed every `checkpointEvery` iterations and at the end.
 */
export function imodeFieldTrain<P>(
  model: LatentFieldModel<P>,
  state: ImodeFieldState<P>,
  tasks: readonly FieldTask[],
  o: ImodeFieldOptions,
  rng: Rng,
  hooks: { progress?: Progress; store?: CheckpointStore<SavedOuterLoop>; checkpointEvery?: number; stopAfter?: number } = {},
): ImodeFieldState<P> {
  validateImodeFieldOptions(o);
  const { store } = hooks;
  return runOuterIterations(state, stopIteration(o.outerIterations, hooks.stopAfter), (s) => imodeFieldStep(model, s, tasks, o, rng), {
    progress: hooks.progress,
    checkpointEvery: hooks.checkpointEvery,
    save: store && ((s) => store.save(saveImodeFieldState(s, rng, model))),
  });
}

/** iMODE's test-time protocol: `steps` inner steps on one support set from η0. Returns η [1, d_z] (caller owns) and the support loss before each step and after the last. */
export function imodeAdapt<P>(model: LatentFieldModel<P>, params: P, eta0: tf.Tensor2D, support: FieldTask, steps: number, step: ImodeInnerStep): { z: tf.Tensor2D; losses: number[] } {
  const stack = stackFieldTasks([support]);
  const lossAt = (z: tf.Tensor2D) => tf.tidy(() => perTaskModulatedLoss(model, params, stack, z).dataSync()[0]);
  let z = tf.clone(eta0);
  const losses = [lossAt(z)];
  for (let i = 0; i < steps; i++) {
    const next = innerLatentSteps(model, params, stack, z, innerOptions(step, 1));
    z.dispose();
    z = next;
    losses.push(lossAt(z));
  }
  disposeStackedFieldTasks(stack);
  return { z, losses };
}

/** iMODE meta-trained on Paper B's tasks: the model, its θ, η0, and the inner step rule it was trained with. */
export interface ImodeFieldTrained {
  latent: LatentFieldModel<unknown>;
  params: unknown;
  eta0: tf.Tensor2D;
  inner: ImodeInnerStep;
}

export type ImodeTestProtocol = 'imode' | 'auto-decode';

/** iMODE as a Paper B method, adapting at test time by `protocol` (see the header). */
export function imodeFieldMethod(protocol: ImodeTestProtocol): PaperBMethod<ImodeFieldTrained> {
  return {
    family: 'modulation',
    metaTrain({ cfg, tasks, base, models, rng, store: storeOf, label, stopAfter }) {
      const latent = models.latentModel(modulationSpec(base, 'input', { latentDim: cfg.latentDim }));
      const store = storeOf<SavedOuterLoop>();
      const saved = store.load();
      const start = saved ? restoreImodeFieldState(latent, saved) : { state: initImodeFieldState(latent, latent.init(rng('init'))), rng: rng('train') };
      const before = start.state.iteration;
      const options: ImodeFieldOptions = { ...latentLoopBudget(cfg), innerSteps: IMODE_INNER_STEPS };
      const s = imodeFieldTrain(latent, start.state, tasks, options, start.rng, {
        progress: progress(stopIteration(cfg.metaIterations, stopAfter), label),
        store,
        checkpointEvery: cfg.checkpointEvery,
        stopAfter,
      });
      disposeAdam(s.adam);
      const inner = { innerLr: options.innerLr, innerMaxStep: options.innerMaxStep };
      return { model: { latent, params: s.params, eta0: s.eta0, inner }, lossHistory: s.lossHistory, iterationsRun: s.iteration - before };
    },
    adapt({ latent, params, eta0, inner }, support, cfg) {
      const { z, losses } =
        protocol === 'imode'
          ? imodeAdapt(latent, params, eta0, support, IMODE_INNER_STEPS, inner)
          : autoDecode(latent, params, [Array.from(eta0.dataSync())], support, { adaptSteps: cfg.adaptSteps, lr: cfg.adaptLr, lambdaZ: 0, squaredNorms: false, init: 'mean' });
      return adaptedLatentField(latent, params, z, losses);
    },
    tensors: ({ latent, params, eta0 }) => [...latent.tensors(params), eta0],
    codes: () => null,
  };
}
