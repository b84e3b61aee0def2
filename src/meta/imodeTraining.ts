/**
 * The iMODE outer loop with checkpoints, model selection and a non-finite guard (spec §3.1–3.2), for any system:
 * a problem supplies the model's field factory, its initial shared weights θ and a sampler of task batches.
 *
 *   for it = 1..N:  batch ← sample windows of every training task
 *                   η_i ← inner loop from η0 (see ./imode.ts), giving g_θ = Σ_i ∇_θ L_i at the last inner η
 *                   θ ← Adam(θ, g_θ);  η0 ← Adam(η0, Σ_i ∇_η L_i) when `learnEta0`
 *   with the Adam step size annealed by a cosine from `outerLr` to `outerLrFinal` (equal values: the authors'
 *   constant rate), and, when `gradClip` is set, the gradient (g_θ, g_η0) clipped to that global norm first
 *   (../nn/gradientClipping.ts says why Adam needs it).
 *   keep θ and η0 of the iteration with the lowest summed training loss (the authors' `use_best`).
 *
 * The authors' code never updates η0 (its hook never fires, spec §3.2), so `learnEta0: false` reproduces them; with
 * `true`, η0 gets the first-order meta-gradient, as the paper's description of η0 as meta-knowledge suggests. The
 * selected η0 is the one the selected θ was trained and scored with: θ of iteration k meets its tasks through inner
 * loops started at η0 of iteration k, and with η0 learned the last η0 can lie where θ_k was never adapted from.
 * Everything a resumed run needs — θ, η0, Adam moments, the RNG state, loss history, best θ — is saved every
 * `checkpointEvery` iterations, so an interrupted run restarted with the same config finishes with the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { type CheckpointStore, type TensorJson, tensorFromJson, tensorToJson } from '../core/checkpoint';
import { ConfigError, DataError } from '../core/errors';
import { assertFiniteTerms } from '../core/finite';
import type { Progress } from '../core/progress';
import { type Rng, type RngState, restoreRng } from '../core/rng';
import { type AdamState, adamInit, adamStep, cosineLearningRate, disposeAdam } from '../nn/adam';
import { clipByGlobalNorm, globalNorm } from '../nn/gradientClipping';
import type { OdeintOptions } from '../nn/odeint';
import { type InnerLoopOptions, adaptEta } from './imode';
import { type FieldFactory, type TaskBatch, disposeTaskBatch } from './taskBatch';

export interface ImodeProblem {
  makeField: FieldFactory;
  /** initial shared weights θ (owned by the trainer from now on) */
  initialParams: tf.Tensor[];
  /** initial η0: [1, dη] (owned by the trainer) */
  initialEta0: tf.Tensor2D;
  /** number of training tasks */
  tasks: number;
  /** a fresh batch of windows of every training task; the trainer disposes it */
  sampleBatch(rng: Rng): TaskBatch;
}

export interface ImodeTrainingOptions {
  outerIterations: number;
  outerLr: number;
  /** the outer learning rate at the last iteration; a cosine schedule runs from outerLr to it (equal: constant) */
  outerLrFinal: number;
  inner: InnerLoopOptions;
  solver: OdeintOptions;
  learnEta0: boolean;
  checkpointEvery: number;
  /** clip the outer gradient (θ, and η0 when it is learned) to this global ℓ2 norm; absent: no clipping (the authors') */
  gradClip?: number;
}

export interface ImodeTrained {
  /** the selected (lowest-loss) shared weights */
  params: tf.Tensor[];
  /** the inner-loop start of the same iteration */
  eta0: tf.Tensor2D;
  /** summed training loss Σ_i L_i at the last inner step, per outer iteration */
  lossHistory: number[];
  /** global ℓ2 norm of the outer gradient before clipping, per outer iteration (shorter than lossHistory when the run resumed a checkpoint written before it was recorded) */
  gradNormHistory: number[];
  bestIteration: number;
  /** wall time of meta-training, summed over resumed segments */
  seconds: number;
  /** iterations run by this call (0 when the result came entirely from a finished checkpoint) */
  iterationsRun: number;
}

interface SavedState {
  iteration: number;
  done: boolean;
  params: TensorJson[];
  eta0: TensorJson;
  adam: { step: number; m: TensorJson[]; v: TensorJson[] };
  rng: RngState;
  lossHistory: number[];
  /** absent in checkpoints written before it was recorded */
  gradNormHistory?: number[];
  best: { loss: number; iteration: number; params: TensorJson[]; eta0: TensorJson };
  seconds: number;
}

export type ImodeCheckpoint = SavedState;

function validateOptions(o: ImodeTrainingOptions): void {
  if (!Number.isInteger(o.outerIterations) || o.outerIterations < 1) {
    throw new ConfigError(`outerIterations must be a positive integer, got ${o.outerIterations}`);
  }
  if (!(o.outerLr > 0)) throw new ConfigError(`outerLr must be > 0, got ${o.outerLr}`);
  if (!(o.outerLrFinal > 0) || o.outerLrFinal > o.outerLr) {
    throw new ConfigError(`outerLrFinal must be in (0, outerLr = ${o.outerLr}], got ${o.outerLrFinal}`);
  }
  if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery < 1) {
    throw new ConfigError(`checkpointEvery must be a positive integer, got ${o.checkpointEvery}`);
  }
  if (o.gradClip !== undefined && !(o.gradClip > 0)) throw new ConfigError(`gradClip must be > 0 when given, got ${o.gradClip}`);
}

const toJson = (ts: readonly tf.Tensor[]) => ts.map(tensorToJson);
const fromJson = (js: readonly TensorJson[]) => js.map(tensorFromJson);

/**
 * Meta-train, resuming from `store` when it holds a checkpoint of this config. `rng` is used only for a fresh start;
 * a resumed run continues the saved generator. With `stopAfter`, stop (checkpointed, resumable) once that many
 * iterations have run: the learning-rate schedule stays the one of `outerIterations`, so a run screened for its first
 * iterations and resumed later ends as it would have without the stop.
 */
export function metaTrain(
  problem: ImodeProblem,
  opts: ImodeTrainingOptions,
  rng: Rng,
  hooks: { store?: CheckpointStore<SavedState>; progress?: Progress; config?: unknown; stopAfter?: number } = {},
): ImodeTrained {
  validateOptions(opts);
  if (hooks.stopAfter !== undefined && !(Number.isInteger(hooks.stopAfter) && hooks.stopAfter >= 1)) {
    throw new ConfigError(`stopAfter must be a positive integer when given, got ${hooks.stopAfter}`);
  }
  const lastIteration = Math.min(opts.outerIterations, hooks.stopAfter ?? Infinity);
  const saved = hooks.store?.load() ?? null;
  let params: tf.Tensor[];
  let eta0: tf.Tensor2D;
  let adam: AdamState;
  let state: Omit<SavedState, 'params' | 'eta0' | 'adam' | 'best' | 'gradNormHistory'> & { gradNormHistory: number[]; best: { loss: number; iteration: number } };
  let bestParams: tf.Tensor[];
  let bestEta0: tf.Tensor2D;
  if (saved) {
    tf.dispose([...problem.initialParams, problem.initialEta0]);
    if (!saved.best.eta0) {
      throw new DataError(
        'checkpoint written before the selected η0 was saved with the selected θ (its run paired θ of the best iteration with η0 of the last); delete it to train anew',
        { file: hooks.store?.file },
      );
    }
    params = fromJson(saved.params);
    eta0 = tensorFromJson(saved.eta0) as tf.Tensor2D;
    adam = { step: saved.adam.step, m: fromJson(saved.adam.m), v: fromJson(saved.adam.v) };
    bestParams = fromJson(saved.best.params);
    bestEta0 = tensorFromJson(saved.best.eta0) as tf.Tensor2D;
    state = { ...saved, gradNormHistory: saved.gradNormHistory ?? [], best: { loss: saved.best.loss, iteration: saved.best.iteration } };
    rng = restoreRng(saved.rng);
  } else {
    params = problem.initialParams;
    eta0 = problem.initialEta0;
    adam = adamInit(opts.learnEta0 ? [...params, eta0] : params);
    bestParams = params.map((p) => tf.clone(p));
    bestEta0 = tf.clone(eta0);
    state = { iteration: 0, done: false, rng: rng.state, lossHistory: [], gradNormHistory: [], best: { loss: Infinity, iteration: -1 }, seconds: 0 };
  }

  const save = () =>
    hooks.store?.save({
      ...state,
      rng: rng.state,
      params: toJson(params),
      eta0: tensorToJson(eta0),
      adam: { step: adam.step, m: toJson(adam.m), v: toJson(adam.v) },
      best: { ...state.best, params: toJson(bestParams), eta0: tensorToJson(bestEta0) },
    });

  const startIteration = state.iteration;
  let segmentStart = Date.now();
  while (state.iteration < lastIteration) {
    const batch = problem.sampleBatch(rng);
    const eta0Tasks = tf.tidy(() => tf.tile(eta0, [problem.tasks, 1]) as tf.Tensor2D);
    const inner = adaptEta(problem.makeField, params, eta0Tasks, batch, opts.solver, opts.inner, true);
    disposeTaskBatch(batch);
    eta0Tasks.dispose();
    const lastLosses = inner.losses[inner.losses.length - 1];
    const loss = lastLosses.reduce((s, v) => s + v, 0);
    const rawGrads = inner.paramGrads as tf.Tensor[];
    // First-order meta-gradient of η0: dη^{(K−1)}/dη0 ≈ I, so it is Σ_i ∇_η L_i at the last inner step.
    const etaGrad = tf.tidy(() => tf.sum(inner.etaGrad as tf.Tensor2D, 0, true));
    const outerGrads = opts.learnEta0 ? [...rawGrads, etaGrad] : rawGrads;
    const clipped = opts.gradClip === undefined ? null : clipByGlobalNorm(outerGrads, opts.gradClip);
    const gradNorm = clipped ? clipped.norm : globalNorm(outerGrads);
    try {
      assertFiniteTerms(state.iteration, { loss, gradNorm, ...Object.fromEntries(lastLosses.map((v, i) => [`task${i}`, v])) }, hooks.config ?? opts);
    } catch (e) {
      tf.dispose([...rawGrads, etaGrad, ...(clipped ? clipped.grads : []), inner.eta, inner.etaGrad as tf.Tensor]);
      throw e;
    }
    // Model selection on the loss of the weights that produced it, i.e. before this step's update.
    if (loss < state.best.loss) {
      tf.dispose([...bestParams, bestEta0]);
      bestParams = params.map((p) => tf.clone(p));
      bestEta0 = tf.clone(eta0);
      state.best = { loss, iteration: state.iteration };
    }
    const lr = cosineLearningRate(opts.outerLr, opts.outerLrFinal, state.iteration, opts.outerIterations);
    const stepGrads = clipped ? clipped.grads : outerGrads;
    const update = adamStep(opts.learnEta0 ? [...params, eta0] : params, stepGrads, adam, { lr });
    tf.dispose([...rawGrads, etaGrad, ...(clipped ? clipped.grads : []), inner.etaGrad as tf.Tensor, inner.eta, ...params]);
    disposeAdam(adam);
    if (opts.learnEta0) {
      eta0.dispose();
      eta0 = update.params[update.params.length - 1] as tf.Tensor2D;
      params = update.params.slice(0, -1);
    } else {
      params = update.params;
    }
    adam = update.state;
    state.lossHistory.push(loss);
    state.gradNormHistory.push(gradNorm);
    state.iteration += 1;
    hooks.progress?.update(state.iteration, `loss ${loss.toExponential(3)} |g| ${gradNorm.toExponential(2)}`);
    if (state.iteration % opts.checkpointEvery === 0 || state.iteration === lastIteration) {
      const now = Date.now();
      state.seconds += (now - segmentStart) / 1000;
      segmentStart = now;
      state.done = state.iteration === opts.outerIterations;
      save();
    }
  }
  hooks.progress?.done(`best iteration ${state.best.iteration}`);
  tf.dispose([...params, eta0]);
  disposeAdam(adam);
  return {
    params: bestParams,
    eta0: bestEta0,
    lossHistory: state.lossHistory.slice(),
    gradNormHistory: state.gradNormHistory.slice(),
    bestIteration: state.best.iteration,
    seconds: state.seconds,
    iterationsRun: state.iteration - startIteration,
  };
}
