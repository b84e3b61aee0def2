/**
 * iMODE's test time (spec §3.3, §4.2), the same for the authors' pendulum and every simulated family: for each
 * instance i, from the meta-trained θ and η0,
 *
 *   adapt      η_i ← the inner loop from η0 on the instance's adaptation windows, θ frozen (./imode.ts; by least
 *              trimmed squares with `trimFraction` > 0), timed;
 *   evaluate   e_i = mean over the evaluation batch of |x̂(t) − x(t)|², the adapted model's rollouts from each
 *              evaluation window's first state (model units), and its residual per state component;
 *   scratch    the baseline: the same model from a random θ with η = 0, Adam on the same adaptation windows
 *              (./scratch.ts), evaluated alike, on the instances the source names.
 *
 * A data source says where the windows come from and which draws cut them (the pendulum's windows of its one
 * trajectory, a family's held-out trajectories), and the stream of each scratch baseline's init. It may also name
 * trajectories from new initial conditions (`newConditionsBatch`, e.g. released at rest from amplitudes the training
 * orbit never reached), on which both adapted models are scored per row, e_{i,r} = mean_t |x̂_r(t) − x_r(t)|²: the
 * evaluation windows overlap the data the model was adapted on, these do not.
 */
import * as tf from '@tensorflow/tfjs';
import { SolverGaveUpError } from '../core/errors';
import { progress } from '../core/progress';
import type { Rng } from '../core/rng';
import type { ImodeInstance, Split } from '../data/imodeInstances';
import { type OdeintOptions, type TensorVectorField, odeint } from '../nn/odeint';
import { type InnerLoopOptions, adaptEtaTrimmed } from './imode';
import type { ImodeTrained } from './imodeTraining';
import { trainScratch } from './scratch';
import { type FieldFactory, type TaskBatch, batchRollout, componentErrors, disposeTaskBatch, perRowLossOf, perTaskLossOf, selectRows } from './taskBatch';

/** A model: its field for given shared weights and η rows, and fresh shared weights. */
export interface ImodeModelFactory {
  makeField: FieldFactory;
  initialParams(rng: Rng): tf.Tensor[];
}

/** Where an instance's adaptation and evaluation windows, and its scratch baseline's init, come from. */
export interface ImodeDataSource<I extends ImodeInstance> {
  /** per state component, the unit the model and the loss measure it in */
  scale: readonly number[];
  /** the windows instance `index`'s adaptation (and its scratch baseline) sees, as a one-task batch */
  adaptBatch(ins: I, index: number): TaskBatch;
  /** the windows it is evaluated on, as a one-task batch */
  evalBatch(ins: I, index: number): TaskBatch;
  /** the stream of the scratch baseline's fresh weights on instance `index` */
  scratchStream(index: number): Rng;
  /** whether the scratch baseline also runs on the training instances (the pendulum) or only on the unseen ones */
  scratchOnTraining: boolean;
  /** trajectories from new initial conditions, one row each, as a one-task batch (absent: none) */
  newConditionsBatch?(ins: I, index: number): TaskBatch;
}

/** The test-time settings a config fixes. */
export interface ImodeTestSettings {
  solver: OdeintOptions;
  inner: InnerLoopOptions;
  /** least trimmed squares: the fraction of adaptation windows dropped before adapting again (0: plain least squares) */
  trimFraction: number;
  etaDim: number;
  /** Adam steps and rate of the scratch baseline (0 steps: none) */
  scratchSteps: number;
  scratchLr: number;
}

export interface InstanceResult {
  label: string;
  split: Split;
  params: number[];
  eta: number[];
  /** per inner step, the loss on the windows the final adaptation used (the kept ones with trimFraction) */
  adaptLosses: number[];
  adaptSeconds: number;
  /** MSE of the adapted model's rollouts over the evaluation batch (model units) */
  evalError: number;
  scratchEvalError: number | null;
  /** per state component, the adapted model's residual and the motion it had to predict (./taskBatch.ts componentErrors) */
  evalComponentErrors: { residual: number[]; motion: number[] };
  /** first evaluation rollout, full states in physical units: truth, adapted model, scratch model; each [T][d] */
  rollout: { truth: number[][]; predicted: number[][]; scratch: number[][] | null };
  /** the scores on the source's new initial conditions (null when it has none) */
  newConditions: NewConditionsResult | null;
}

/** Both models on the new initial conditions, per row r of the source's batch. */
export interface NewConditionsResult {
  /** MSE over all times and state entries (model units); null where the rollout diverged (the solver gave up) */
  errors: (number | null)[];
  scratchErrors: (number | null)[] | null;
  /** every row's rollout in physical units, [row][T][d]; a diverged row's prediction is [] */
  truth: number[][][];
  predicted: number[][][];
  scratch: number[][][] | null;
}

/** Every row of a [T, rows, d] rollout in physical units: [row][T][d]. */
function allRollouts(t: tf.Tensor3D, scale: readonly number[]): number[][][] {
  const rows = tf.tidy(() => tf.transpose(t, [1, 0, 2]).arraySync() as number[][][]);
  return rows.map((row) => row.map((s) => s.map((v, i) => v * scale[i])));
}

/** The first row of a [T, rows, d] rollout in physical units: [T][d]. */
function firstRollout(t: tf.Tensor3D, scale: readonly number[]): number[][] {
  return allRollouts(t, scale)[0];
}

/** A field's evaluation: its rollouts' MSE, its first rollout (physical units) and its residual per component. */
export type RolloutScore = {
  /** mean over the batch's rows, times and state entries of |x̂(t) − x(t)|² (model units): the evaluation MSE */
  error: number;
  rows: number[][];
  components: { residual: number[]; motion: number[] };
};

/**
 * The evaluation of the header on a one-task batch: `field`'s rollouts from every row's first state, scored against
 * the rows. Exported so that a field learned otherwise (Paper B's, ../experiments/crossPaper/paperBOnImodePendulum.ts)
 * is scored exactly as iMODE's adapted model is.
 */
export function scoreRollouts(field: TensorVectorField, batch: TaskBatch, solver: OdeintOptions, scale: readonly number[]): RolloutScore {
  return tf.tidy(() => {
    const pred = odeint(field, batch.x0, batch.ts, solver);
    return { error: perTaskLossOf(pred, batch).dataSync()[0], rows: firstRollout(pred, scale), components: componentErrors(pred, batch) };
  });
}

/**
 * One model on the new initial conditions: the whole batch in one rollout, and, when the adaptive solver gives up on
 * it (a row the model sends to infinity), each row alone, so that only the rows that diverge are lost (error null).
 */
function scoreNewConditions(
  model: ImodeModelFactory,
  params: readonly tf.Tensor[],
  eta: tf.Tensor2D,
  batch: TaskBatch,
  solver: OdeintOptions,
  scale: readonly number[],
): { errors: (number | null)[]; rows: number[][][] } {
  const score = (b: TaskBatch) => {
    const raw = tf.tidy(() => {
      const pred = batchRollout(model.makeField, params, eta, b, solver);
      return { errors: Array.from(perRowLossOf(pred, b).dataSync()), rows: allRollouts(pred, scale) };
    });
    // a fixed-step solver does not give up: a row it sent to NaN or Inf is diverged all the same
    const errors = raw.errors.map((v) => (Number.isFinite(v) ? v : null));
    return { errors, rows: raw.rows.map((row, r) => (errors[r] === null ? [] : row)) };
  };
  try {
    return score(batch);
  } catch (e) {
    if (!(e instanceof SolverGaveUpError)) throw e;
    const rows = Array.from({ length: batch.x0.shape[0] }, (_, r) => {
      const one = selectRows(batch, [r]);
      try {
        const s = score(one);
        return { error: s.errors[0], rows: s.rows[0] };
      } catch (e) {
        if (!(e instanceof SolverGaveUpError)) throw e;
        return { error: null, rows: [] };
      } finally {
        disposeTaskBatch(one);
      }
    });
    return { errors: rows.map((r) => r.error), rows: rows.map((r) => r.rows) };
  }
}

/** Adapt η on every instance, evaluate its rollouts, and train the scratch baseline where the source says (header). */
export function adaptAndEvaluateInstances<I extends ImodeInstance>(
  instances: readonly I[],
  source: ImodeDataSource<I>,
  model: ImodeModelFactory,
  trained: ImodeTrained,
  settings: ImodeTestSettings,
): InstanceResult[] {
  const { scale } = source;
  const { solver } = settings;
  const bar = progress(instances.length, 'adapt + evaluate + scratch');
  const out: InstanceResult[] = [];
  instances.forEach((ins, index) => {
    const adaptBatch = source.adaptBatch(ins, index);
    const evalBatch = source.evalBatch(ins, index);
    const t0 = performance.now();
    const adapted = adaptEtaTrimmed(model.makeField, trained.params, trained.eta0, adaptBatch, solver, settings.inner, settings.trimFraction);
    const eta = Array.from(adapted.eta.dataSync());
    const adaptSeconds = (performance.now() - t0) / 1000;
    const evaluate = (params: readonly tf.Tensor[], etaT: tf.Tensor2D) =>
      tf.tidy(() => scoreRollouts(model.makeField(params, tf.matMul(evalBatch.membership, etaT) as tf.Tensor2D), evalBatch, solver, scale));
    const conditions = source.newConditionsBatch ? source.newConditionsBatch(ins, index) : null;
    const ours = evaluate(trained.params, adapted.eta);
    const oursOnConditions = conditions ? scoreNewConditions(model, trained.params, adapted.eta, conditions, solver, scale) : null;
    let scratch: { error: number; rows: number[][] } | null = null;
    let scratchOnConditions: ReturnType<typeof scoreNewConditions> | null = null;
    if (settings.scratchSteps > 0 && (source.scratchOnTraining || ins.split !== 'train')) {
      const zeroEta = tf.zeros([1, settings.etaDim]) as tf.Tensor2D;
      const params = trainScratch(model.makeField, model.initialParams(source.scratchStream(index)), zeroEta, adaptBatch, solver, {
        steps: settings.scratchSteps,
        lr: settings.scratchLr,
      });
      scratch = evaluate(params, zeroEta);
      if (conditions) scratchOnConditions = scoreNewConditions(model, params, zeroEta, conditions, solver, scale);
      tf.dispose([...params, zeroEta]);
    }
    const newConditions: NewConditionsResult | null =
      conditions && oursOnConditions
        ? {
            errors: oursOnConditions.errors,
            scratchErrors: scratchOnConditions ? scratchOnConditions.errors : null,
            truth: allRollouts(conditions.targets, scale),
            predicted: oursOnConditions.rows,
            scratch: scratchOnConditions ? scratchOnConditions.rows : null,
          }
        : null;
    if (conditions) disposeTaskBatch(conditions);
    out.push({
      label: ins.label,
      split: ins.split,
      params: ins.params,
      eta,
      adaptLosses: adapted.losses.map((l) => l[0]),
      adaptSeconds,
      evalError: ours.error,
      scratchEvalError: scratch ? scratch.error : null,
      evalComponentErrors: ours.components,
      rollout: { truth: firstRollout(evalBatch.targets, scale), predicted: ours.rows, scratch: scratch ? scratch.rows : null },
      newConditions,
    });
    adapted.eta.dispose();
    disposeTaskBatch(adaptBatch);
    disposeTaskBatch(evalBatch);
    bar.update(index + 1, ins.label);
  });
  bar.done();
  return out;
}
