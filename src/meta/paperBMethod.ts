/**
 * One Paper B method (spec §4–§5) behind one small interface: `metaTrain` on the training instances' tasks, then
 * `adapt` to a test instance's support set with the same test-time budget of `adaptSteps` gradient steps for every
 * method (spec §9.5), giving the adapted field. One family a file: ./latentMethod.ts (Shift, FW, RO, MR, SVD, MR-v1:
 * Algorithm 1, then Algorithm 2 on z from z_avg), ./gradientMethod.ts (Scratch: a random initialisation, then Adam
 * on all weights; MAML, ANIL, Reptile: meta-training, then SGD steps); ./paperBMethods.ts names the ten.
 *
 * Every method learns the same field model family (../models/fieldModel.ts: the HNN ẋ = J∇H̃ or the GENERIC
 * network ẋ = L∇Ẽ + M̃∇S̃), handed over as `FieldModels`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CheckpointStore } from '../core/checkpoint';
import type { Rng } from '../core/rng';
import type { LatentFieldModel, PlainFieldModel, TensorEnergy, TensorGenericParts } from '../models/fieldModel';
import type { ModulationSpec } from '../modulation/modulation';
import type { MlpSpec } from '../nn/mlp';
import type { TensorVectorField } from '../nn/odeint';
import type { FieldTask } from '../data/fieldTask';

/** The settings meta-training reads (the Paper B config's fields of the same names). */
export interface MethodTrainingConfig {
  latentDim: number;
  rank: number;
  metaIterations: number;
  taskBatch: number;
  latentInnerSteps: number;
  latentInnerLr: number;
  latentInnerMaxStep: number;
  latentOuterLr: number;
  /** cosine annealing of the outer Adam steps to this fraction at the last iteration (absent: constant) */
  outerLrFinalFraction?: number;
  lambdaZ: number;
  lambdaPhi: number;
  lambdaOrtho: number;
  lambdaSparsity: number;
  gradientIterations: number;
  metaBatch: number;
  gradientInnerSteps: number;
  gradientInnerLr: number;
  /** largest ℓ2 norm of one inner SGD step of MAML / ANIL / Reptile (absent: no limit) */
  gradientInnerMaxStep?: number;
  gradientOuterLr: number;
  reptileStepSize: number;
  secondOrder: boolean;
  checkpointEvery: number;
}

/** The settings test-time adaptation reads. */
export interface AdaptConfig {
  adaptSteps: number;
  /** Adam step on z */
  adaptLr: number;
  lambdaZ: number;
  /** start of z: z_avg or 0 */
  latentInit: 'mean' | 'zero';
  /** Adam step of Scratch */
  scratchLr: number;
  /** SGD step of MAML, ANIL, Reptile */
  gradientInnerLr: number;
  /** its norm limit, as in meta-training (absent: none) */
  gradientInnerMaxStep?: number;
}

/** The field model family every method learns. */
export interface FieldModels {
  latentModel(spec: ModulationSpec): LatentFieldModel<unknown>;
  plainModel(base: MlpSpec): PlainFieldModel;
}

/** What meta-training is given besides the config. */
export interface MetaTrainContext {
  cfg: MethodTrainingConfig;
  tasks: readonly FieldTask[];
  /** the energy network before modulation (no output bias: ./latentModulation.ts `hnnBaseSpec`) */
  base: MlpSpec;
  models: FieldModels;
  /** this method's random stream for its initialisation ('init') and for its batches ('train') */
  rng(purpose: 'init' | 'train'): Rng;
  /** this method's checkpoint store (resumes or reuses a run) */
  store<S>(): CheckpointStore<S>;
  /** the progress bar's label */
  label: string;
  /** stop (checkpointed) once this many outer iterations are done; the step schedule still spans the config's */
  stopAfter?: number;
}

/** One method adapted to one support set: its field and energy (H̃ or Ẽ; GENERIC: and its pieces), z, the losses. */
export interface AdaptedField {
  field: TensorVectorField;
  energy: TensorEnergy;
  parts?: (x: tf.Tensor2D) => TensorGenericParts;
  /** the adapted z [d_z] (modulation methods), else null */
  code: number[] | null;
  /** the support loss before each step and after the last */
  losses: number[];
  dispose(): void;
}

export interface MetaTrained<M> {
  model: M;
  /** per outer iteration: the mean task loss (Algorithm 1, Reptile) or the post-adaptation query loss (MAML, ANIL) */
  lossHistory: number[];
  /** outer iterations run in this session (0 when a finished checkpoint was reused) */
  iterationsRun: number;
}

/** scratch: no meta-training; optimisation: MAML, ANIL, Reptile; modulation: the latent methods */
export type MethodFamily = 'scratch' | 'optimisation' | 'modulation';

/** A method over its meta-trained model M. */
export interface PaperBMethod<M> {
  readonly family: MethodFamily;
  metaTrain(ctx: MetaTrainContext): MetaTrained<M>;
  /** `cfg.adaptSteps` steps on the support set from the meta-trained model (not consumed) */
  adapt(model: M, support: FieldTask, cfg: AdaptConfig): AdaptedField;
  /** every tensor the meta-trained model owns */
  tensors(model: M): tf.Tensor[];
  /** the training latents z_k (modulation methods), else null */
  codes(model: M): number[][] | null;
}
