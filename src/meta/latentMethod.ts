/**
 * The modulation methods of Paper B (Shift, FW, RO, MR(r), SVD(r), MR-v1(r); spec §3.2, §5.2–5.3) as a method
 * (./paperBMethod.ts): Algorithm 1 on the training instances (./latentModulation.ts `latentMetaTrain`: persistent
 * latents z_k, N_in SGD steps on z, one Adam step on the shared Θ), then Algorithm 2 at test time
 * (`autoDecode`: Θ frozen, `adaptSteps` Adam steps on z from z_avg or 0). The adapted z stays the [1, d_z] tensor
 * that auto-decoding leaves, tiled over the rows of every evaluation of the adapted field.
 */
import * as tf from '@tensorflow/tfjs';
import type { LatentFieldModel } from '../models/fieldModel';
import { type ModulationKind, modulationSpec } from '../modulation/modulation';
import { disposeAdam } from '../nn/adam';
import type { TensorVectorField } from '../nn/odeint';
import { progress } from '../core/progress';
import { type OuterLoopOptions, stopIteration } from './fieldTasks';
import { type SavedLatentMeta, autoDecode, initLatentMetaState, latentMetaTrain, restoreLatentMetaState } from './latentModulation';
import type { AdaptedField, MethodTrainingConfig, PaperBMethod } from './paperBMethod';

/** A meta-trained modulation method: the model, its shared parameters Θ and the training latents z_k. */
export interface LatentTrained {
  latent: LatentFieldModel<unknown>;
  params: unknown;
  codes: number[][];
}

/** The field of a latent model at the adapted code z [1, d_z] (owned by the result: `dispose` frees it), tiled over the rows of every evaluation. */
export function adaptedLatentField<P>(latent: LatentFieldModel<P>, params: P, z: tf.Tensor2D, losses: number[]): AdaptedField {
  const rowCodes = (rows: number) => ({ codes: tf.tile(z, [rows, 1]) as tf.Tensor2D });
  const field: TensorVectorField = (t, x) => latent.field(params, rowCodes(x.shape[0]))(t, x);
  const energy = (x: tf.Tensor2D) => latent.energy(params, rowCodes(x.shape[0]))(x);
  const parts = latent.parts && ((x: tf.Tensor2D) => latent.parts!(params, rowCodes(x.shape[0]))(x));
  return { field, energy, parts, code: Array.from(z.dataSync()), losses, dispose: () => z.dispose() };
}

/** The outer and inner loop budget of the modulation methods (the config's meta* and latent* fields), also iMODE's on Paper B (./imodeFieldMethod.ts). */
export function latentLoopBudget(cfg: MethodTrainingConfig): OuterLoopOptions & { taskBatch: number; innerMaxStep: number } {
  return {
    outerIterations: cfg.metaIterations,
    taskBatch: cfg.taskBatch,
    innerSteps: cfg.latentInnerSteps,
    innerLr: cfg.latentInnerLr,
    innerMaxStep: cfg.latentInnerMaxStep,
    outerLr: cfg.latentOuterLr,
    outerLrFinal: cfg.outerLrFinalFraction === undefined ? undefined : cfg.latentOuterLr * cfg.outerLrFinalFraction,
  };
}

export function latentMethod(kind: ModulationKind): PaperBMethod<LatentTrained> {
  return {
    family: 'modulation',
    metaTrain({ cfg, tasks, base, models, rng, store: storeOf, label, stopAfter }) {
      const spec = modulationSpec(base, kind, kind === 'ro' ? { latentDim: cfg.latentDim } : { latentDim: cfg.latentDim, rank: cfg.rank });
      const latent = models.latentModel(spec);
      const store = storeOf<SavedLatentMeta>();
      const saved = store.load();
      const start = saved ? restoreLatentMetaState(latent, saved) : { state: initLatentMetaState(latent, latent.init(rng('init')), tasks.length), rng: rng('train') };
      const before = start.state.iteration;
      const options = {
        ...latentLoopBudget(cfg),
        lambdaZ: cfg.lambdaZ,
        lambdaPhi: cfg.lambdaPhi,
        lambdaOrtho: cfg.lambdaOrtho,
        lambdaSparsity: cfg.lambdaSparsity,
        squaredNorms: false,
      };
      const s = latentMetaTrain(latent, start.state, tasks, options, start.rng, {
        progress: progress(stopIteration(cfg.metaIterations, stopAfter), label),
        store,
        checkpointEvery: cfg.checkpointEvery,
        stopAfter,
      });
      disposeAdam(s.adam);
      return { model: { latent, params: s.params, codes: s.codes }, lossHistory: s.lossHistory, iterationsRun: s.iteration - before };
    },
    adapt({ latent, params, codes }, support, cfg) {
      const { z, losses } = autoDecode(latent, params, codes, support, { adaptSteps: cfg.adaptSteps, lr: cfg.adaptLr, lambdaZ: cfg.lambdaZ, squaredNorms: false, init: cfg.latentInit });
      return adaptedLatentField(latent, params, z, losses);
    },
    tensors: ({ latent, params }) => latent.tensors(params),
    codes: ({ codes }) => codes,
  };
}
