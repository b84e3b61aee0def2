/**
 * Paper B's ten methods by name (spec §4, §7.1): the registry of ./paperBMethod.ts methods, in the benchmark's
 * order, and `trainMethod`, which meta-trains one of them and binds its model to its `adapt`.
 */
import type * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { FieldTask } from '../data/fieldTask';
import { gradientMethod } from './gradientMethod';
import { latentMethod } from './latentMethod';
import type { AdaptConfig, AdaptedField, MetaTrainContext, MethodFamily, PaperBMethod } from './paperBMethod';

export const PAPER_B_METHOD_NAMES = ['Scratch', 'MAML', 'ANIL', 'Reptile', 'Shift', 'FW', 'RO', 'MR', 'SVD', 'MR-v1'] as const;
export type PaperBMethodName = (typeof PAPER_B_METHOD_NAMES)[number];

export const PAPER_B_METHODS: Readonly<Record<PaperBMethodName, PaperBMethod<unknown>>> = {
  Scratch: gradientMethod('scratch'),
  MAML: gradientMethod('maml'),
  ANIL: gradientMethod('anil'),
  Reptile: gradientMethod('reptile'),
  Shift: latentMethod('shift'),
  FW: latentMethod('fw'),
  RO: latentMethod('ro'),
  MR: latentMethod('mr'),
  SVD: latentMethod('svd'),
  'MR-v1': latentMethod('mr-v1'),
};

/** The methods of one family, in PAPER_B_METHOD_NAMES order. */
export function methodsOf(family: MethodFamily): PaperBMethodName[] {
  return PAPER_B_METHOD_NAMES.filter((m) => PAPER_B_METHODS[m].family === family);
}

/** A meta-trained method, its model bound to the method's adaptation. */
export interface TrainedMethod {
  method: PaperBMethodName;
  family: MethodFamily;
  lossHistory: number[];
  /** outer iterations run in this session (0 when a finished checkpoint was reused) */
  iterationsRun: number;
  seconds: number;
  /** the training latents z_k (modulation methods), else null */
  codes: number[][] | null;
  adapt(support: FieldTask, cfg: AdaptConfig): AdaptedField;
  /** every tensor the meta-trained model owns (dispose them when done) */
  tensors(): tf.Tensor[];
}

/** Meta-trains `method` (resumes or reuses its checkpoint; with `ctx.stopAfter`, stops there, checkpointed). */
export function trainMethod(method: PaperBMethodName, ctx: MetaTrainContext): TrainedMethod {
  const { stopAfter } = ctx;
  if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter >= 1)) throw new ConfigError(`stopAfter must be a positive integer when given, got ${stopAfter}`);
  const m = PAPER_B_METHODS[method];
  const t0 = performance.now();
  const { model, lossHistory, iterationsRun } = m.metaTrain(ctx);
  return {
    method,
    family: m.family,
    lossHistory,
    iterationsRun,
    seconds: (performance.now() - t0) / 1000,
    codes: m.codes(model),
    adapt: (support, cfg) => m.adapt(model, support, cfg),
    tensors: () => m.tensors(model),
  };
}
