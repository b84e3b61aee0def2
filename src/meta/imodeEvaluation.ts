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
 * trajectory, a family's held-out trajectories), and the stream of each scratch baseline's init.
 */
import * as tf from '@tensorflow/tfjs';
import { progress } from '../core/progress';
import type { Rng } from '../core/rng';
import type { ImodeInstance, Split } from '../data/imodeInstances';
import type { OdeintOptions } from '../nn/odeint';
import { type InnerLoopOptions, adaptEtaTrimmed } from './imode';
import type { ImodeTrained } from './imodeTraining';
import { trainScratch } from './scratch';
import { type FieldFactory, type TaskBatch, batchRollout, componentErrors, disposeTaskBatch, perTaskLossOf } from './taskBatch';

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
}

function firstRollout(t: tf.Tensor3D, scale: readonly number[]): number[][] {
  const rows = tf.tidy(() => tf.squeeze(tf.slice(t, [0, 0, 0], [-1, 1, -1]), [1]).arraySync() as number[][]);
  return rows.map((r) => r.map((v, i) => v * scale[i]));
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
      tf.tidy(() => {
        const pred = batchRollout(model.makeField, params, etaT, evalBatch, solver);
        return {
          error: perTaskLossOf(pred, evalBatch).dataSync()[0],
          rows: firstRollout(pred, scale),
          components: componentErrors(pred, evalBatch),
        };
      });
    const ours = evaluate(trained.params, adapted.eta);
    let scratch: { error: number; rows: number[][] } | null = null;
    if (settings.scratchSteps > 0 && (source.scratchOnTraining || ins.split !== 'train')) {
      const zeroEta = tf.zeros([1, settings.etaDim]) as tf.Tensor2D;
      const params = trainScratch(model.makeField, model.initialParams(source.scratchStream(index)), zeroEta, adaptBatch, solver, {
        steps: settings.scratchSteps,
        lr: settings.scratchLr,
      });
      scratch = evaluate(params, zeroEta);
      tf.dispose([...params, zeroEta]);
    }
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
    });
    adapted.eta.dispose();
    disposeTaskBatch(adaptBatch);
    disposeTaskBatch(evalBatch);
    bar.update(index + 1, ins.label);
  });
  bar.done();
  return out;
}
