/**
 * What an iMODE system family is to the protocol (../imodeFamilyExperiment.ts): its config fields, the settings every family
 * starts from, the options the meta-training, the inner loop and the rollouts read from a config, the key a
 * meta-training checkpoint is stored under, and the interface a family supplies (simulator, model, figures).
 */
import * as tf from '@tensorflow/tfjs';
import { type ConfigOf, type ScaleTable, type Schema } from '../../core/config';
import { ConfigError } from '../../core/errors';
import type { Rng } from '../../core/rng';
import type { VectorField } from '../../core/state';
import type { NeuralGaugeOptions } from '../../analysis/neuralGauge';
import type { InnerLoopOptions } from '../../meta/imode';
import type { ImodeModelFactory, InstanceResult } from '../../meta/imodeEvaluation';
import type { ImodeTrainingOptions } from '../../meta/imodeTraining';
import type { OdeintOptions } from '../../nn/odeint';
import type { PlotlyFigure } from '../../viz/plotly';
import type { ExperimentInfo } from '../experiment';
import type { CoordinateGroup } from '../residualByCoordinate';

/**
 * The config fields of iMODE's meta-training, adaptation, evaluation and latent analysis, shared by the pendulum on
 * the authors' data (../imodePendulum.ts) and every simulated family.
 */
export const imodeTrainingSchema = {
  seed: { kind: 'integer', min: 0, max: 4294967295, doc: 'seed of every random draw (instances, initial states, init, windows)' },
  etaDim: { kind: 'integer', min: 1, max: 16, doc: 'dimension of the adaptation parameters η (more than the physical parameters, for the PCA)' },
  learnEta0: { kind: 'boolean', doc: 'meta-learn the inner-loop start η0' },
  outerIterations: { kind: 'integer', min: 1, doc: 'outer (meta) iterations' },
  outerLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam learning rate of the outer loop' },
  outerLrFinal: { kind: 'number', exclusiveMin: 0, doc: 'outer learning rate at the last iteration (cosine schedule)' },
  outerGradClip: {
    kind: 'number',
    exclusiveMin: 0,
    optional: true,
    doc: 'clip the outer gradient (θ, and η0 when learnEta0) to this global ℓ2 norm before Adam (absent: no clipping, as the authors)',
  },
  innerSteps: { kind: 'integer', min: 1, doc: 'inner steps on η per task' },
  innerOptimizer: { kind: 'enum', values: ['sgd', 'levenberg-marquardt'], doc: 'inner step on η' },
  innerLr: { kind: 'number', exclusiveMin: 0, doc: 'SGD learning rate on η' },
  safeguard: { kind: 'enum', values: ['none', 'backtracking'], doc: 'SGD inner step safeguard' },
  maxHalvings: { kind: 'integer', min: 0, max: 20, doc: 'backtracking halvings / Levenberg–Marquardt damping increases' },
  innerMaxStep: { kind: 'number', exclusiveMin: 0, doc: 'Levenberg–Marquardt trust radius: the largest |Δη| of one inner step' },
  windowsPerTask: { kind: 'integer', min: 1, doc: 'random windows per task per meta-training iteration' },
  windowSteps: { kind: 'integer', min: 2, doc: 'points per training/adaptation window (t = 0 included)' },
  evalSteps: { kind: 'integer', min: 2, doc: 'points per evaluation rollout' },
  solver: { kind: 'enum', values: ['dopri5', 'rk4'], doc: 'rollout integrator' },
  substeps: { kind: 'integer', min: 1, doc: 'rk4 steps per sampling interval' },
  rtol: { kind: 'number', exclusiveMin: 0, doc: 'dopri5 relative tolerance' },
  atol: { kind: 'number', exclusiveMin: 0, doc: 'dopri5 absolute tolerance' },
  scratchSteps: { kind: 'integer', min: 0, doc: 'Adam steps of the scratch baseline per unseen instance (0 skips it)' },
  scratchLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam learning rate of the scratch baseline' },
  checkpointEvery: { kind: 'integer', min: 1, doc: 'outer iterations between checkpoints' },
  pcaThreshold: { kind: 'number', exclusiveMin: 0, max: 1, doc: 'cumulative explained variance that fixes the intrinsic dimension' },
  gaugeIterations: { kind: 'integer', min: 1, doc: 'Adam iterations fitting the Neural Gauge' },
  gaugeWidth: { kind: 'integer', min: 1, doc: 'hidden width of the gauge flow field' },
  gaugeFlowSteps: { kind: 'integer', min: 1, doc: 'RK4 steps of the gauge flow' },
  gaugeLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam learning rate of the gauge' },
  gaugeLogParameters: { kind: 'boolean', doc: 'fit the gauge to log φ (its MSE is then the relative error the gauge is judged by) instead of φ' },
} as const;

/** The config fields every simulated family shares; a family's schema spreads these and adds its model's. */
export const imodeFamilySchema = {
  ...imodeTrainingSchema,
  paramLow: { kind: 'numberArray', exclusiveMin: 0, doc: 'lower corner of the training box, one value per physical parameter' },
  paramHigh: { kind: 'numberArray', exclusiveMin: 0, doc: 'upper corner of the training box' },
  trainPerAxis: { kind: 'integer', min: 2, max: 12, doc: 'training grid points per parameter (train instances = this^p)' },
  interpolateInstances: { kind: 'integer', min: 0, doc: 'unseen instances drawn inside the box' },
  extrapolateInstances: { kind: 'integer', min: 0, doc: 'unseen instances drawn outside the box' },
  extrapolateMargin: { kind: 'number', exclusiveMin: 0, doc: 'extrapolation draws lie within this fraction of the range outside the box' },
  trajectories: { kind: 'integer', min: 1, doc: 'adaptation (few-shot) trajectories per instance' },
  evalTrajectories: { kind: 'integer', min: 1, doc: 'held-out evaluation trajectories per instance' },
  trajectorySteps: { kind: 'integer', min: 4, doc: 'samples per trajectory (t = 0 included)' },
  dt: { kind: 'number', exclusiveMin: 0, doc: 'sampling interval of the data' },
  innerProximal: { kind: 'number', min: 0, doc: 'γ of the proximal term γ|η − η0|² in the Levenberg–Marquardt inner loss (0: none)' },
  gaugeRetrain: { kind: 'boolean', doc: 'also meta-train a second model with d_η = the number of physical parameters and fit a second Neural Gauge on its η (spec §4.3 step 3, "retrain"), beside the gauge on the leading principal components ("project")' },
  gaugeRetrainInit: {
    kind: 'enum',
    values: ['projection', 'scratch'],
    doc: 'start of the gauge model: "projection" fine-tunes the first model’s θ with η confined to the affine span of its leading principal directions (gaugeRetrainIterations at gaugeRetrainLr); "scratch" meta-trains a fresh model as the first, for gaugeRetrainIterations at outerLr → outerLrFinal',
  },
  gaugeRetrainIterations: { kind: 'integer', min: 1, doc: 'outer iterations of the gauge model: its fine-tune ("projection") or its fresh meta-training ("scratch")' },
  gaugeRetrainLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam step of the fine-tune ("projection"), cosine-annealed to a tenth of it' },
  gaugeRetrainRestarts: {
    kind: 'integer',
    min: 1,
    max: 8,
    optional: true,
    doc: 'fresh starts of a "scratch" gauge model: each is meta-trained for gaugeRetrainScreenIterations, and the one with the lowest median training loss over the last 100 of them is trained on (absent or 1: one start, no screening)',
  },
  gaugeRetrainScreenIterations: {
    kind: 'integer',
    min: 1,
    optional: true,
    doc: 'outer iterations every start of a "scratch" gauge model runs before the screening picks one (fewer than gaugeRetrainIterations; required with gaugeRetrainRestarts > 1)',
  },
  adaptWindows: { kind: 'integer', min: 1, doc: 'windows of an instance’s trajectories its test-time adaptation (and the scratch baseline) sees' },
  adaptWindowSteps: {
    kind: 'integer',
    min: 2,
    optional: true,
    doc: 'points per adaptation window (t = 0 included; absent: windowSteps). Longer windows than meta-training’s make slow parameter effects, such as a time scale, observable to the adaptation',
  },
  adaptTrimFraction: {
    kind: 'number',
    min: 0,
    max: 0.5,
    optional: true,
    doc: 'test-time adaptation by least trimmed squares: the fraction of an instance’s adaptation windows the adapted model fits worst that is dropped before adapting again from η0 (absent: 0, plain least squares)',
  },
} as const;

export type ImodeTrainingConfig = ConfigOf<typeof imodeTrainingSchema>;
export type ImodeFamilyConfig = ConfigOf<typeof imodeFamilySchema>;

/** The settings every family starts from (spec §3.3: the pendulum's solver, inner loop and windows, our default inner step). */
export const IMODE_FAMILY_BASE = {
  seed: 2301,
  interpolateInstances: 6,
  extrapolateInstances: 3,
  extrapolateMargin: 0.25,
  trajectories: 4,
  evalTrajectories: 2,
  etaDim: 4,
  learnEta0: true,
  outerLr: 1e-2,
  outerLrFinal: 1e-3,
  innerSteps: 5,
  innerOptimizer: 'levenberg-marquardt',
  innerLr: 0.1,
  safeguard: 'none',
  maxHalvings: 4,
  innerMaxStep: 1,
  windowsPerTask: 8,
  adaptWindows: 32,
  innerProximal: 0,
  gaugeRetrain: true,
  gaugeRetrainInit: 'projection',
  gaugeRetrainIterations: 100,
  gaugeRetrainLr: 1e-3,
  solver: 'dopri5',
  substeps: 1,
  rtol: 1e-4,
  atol: 1e-4,
  scratchLr: 1e-2,
  checkpointEvery: 10,
  pcaThreshold: 0.99,
  gaugeIterations: 1500,
  gaugeWidth: 16,
  gaugeFlowSteps: 8,
  gaugeLr: 1e-2,
  gaugeLogParameters: true,
} as const;

/** The Neural Gauge's options as a config sets them. */
export function gaugeOptionsOf(cfg: ImodeTrainingConfig): Partial<NeuralGaugeOptions> {
  return { iterations: cfg.gaugeIterations, width: cfg.gaugeWidth, flowSteps: cfg.gaugeFlowSteps, lr: cfg.gaugeLr, logParameters: cfg.gaugeLogParameters };
}

/**
 * Fields that only the steps after meta-training read (test-time adaptation, PCA, Neural Gauge, scratch baseline).
 * `adaptWindows` and `adaptWindowSteps` are: meta-training samples its own `windowsPerTask` windows of `windowSteps`.
 */
const ANALYSIS_ONLY_FIELDS = ['newConditionAmplitudes', 'newConditionSteps', 'mseTarget', 'adaptWindows', 'adaptWindowSteps', 'adaptTrimFraction', 'pcaThreshold', 'gaugeIterations', 'gaugeWidth', 'gaugeFlowSteps', 'gaugeLr', 'gaugeLogParameters', 'scratchSteps', 'scratchLr'];

/**
 * Fields that only a second model reads: the families' gauge model (retrainForGauge), and the pendulum's
 * over-provisioned model for the PCA (../imodePendulum.ts, pcaModelConfig). They enter that model's key as its own
 * `outerIterations`, `outerLr`, `etaDim`, ..., never the first model's.
 */
const SECOND_MODEL_FIELDS = [
  'gaugeRetrain',
  'gaugeRetrainInit',
  'gaugeRetrainIterations',
  'gaugeRetrainLr',
  'gaugeRetrainRestarts',
  'gaugeRetrainScreenIterations',
  'pcaEtaDim',
  'pcaOuterLr',
  'pcaOuterLrFinal',
  'pcaInnerMaxStep',
];

/**
 * What a meta-training checkpoint is keyed by: the config without its analysis-only and second-model fields, so that
 * refitting the gauge, the scratch baseline, the adaptation or a second model with other settings reuses the trained
 * model instead of training it again. (The gauge model's fine-tune adds the subspace it starts from, which the first
 * model's adaptation fixes.)
 */
export function trainingCheckpointKey(cfg: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cfg).filter(([key]) => !ANALYSIS_ONLY_FIELDS.includes(key) && !SECOND_MODEL_FIELDS.includes(key)));
}


/** The rollout solver and inner loop a config names. */
export function solverOf(cfg: ImodeTrainingConfig): OdeintOptions {
  return cfg.solver === 'dopri5' ? { method: 'dopri5', rtol: cfg.rtol, atol: cfg.atol } : { method: 'rk4', substeps: cfg.substeps };
}

export function innerOf(cfg: ImodeTrainingConfig & { innerProximal?: number }): InnerLoopOptions {
  return {
    steps: cfg.innerSteps,
    optimizer: cfg.innerOptimizer,
    lr: cfg.innerLr,
    safeguard: cfg.safeguard,
    maxHalvings: cfg.maxHalvings,
    maxStepNorm: cfg.innerMaxStep,
    proximal: cfg.innerProximal ?? 0,
  };
}

/** The outer loop's options, which the pendulum and every family read from the same fields. */
export function outerLoopOptionsOf(cfg: ImodeTrainingConfig): Omit<ImodeTrainingOptions, 'inner' | 'solver'> {
  return {
    outerIterations: cfg.outerIterations,
    outerLr: cfg.outerLr,
    outerLrFinal: cfg.outerLrFinal,
    learnEta0: cfg.learnEta0,
    checkpointEvery: cfg.checkpointEvery,
    gradClip: cfg.outerGradClip,
  };
}

export function familyTrainingOptions(cfg: ImodeFamilyConfig): ImodeTrainingOptions {
  return { ...outerLoopOptionsOf(cfg), inner: innerOf(cfg), solver: solverOf(cfg) };
}


/** What a system family supplies. */
export interface ImodeFamily<C extends ImodeFamilyConfig> {
  info: ExperimentInfo;
  schema: Schema;
  scales: ScaleTable<Readonly<Record<string, unknown>>>;
  /** the physical parameters varied, in config order, with axis labels */
  params: readonly { name: string; label: string }[];
  /** the float64 ground truth of the instance with parameters φ */
  simulator(cfg: C, phi: readonly number[]): { field: VectorField; sampleState(rng: Rng): Float64Array };
  /** per state component, the unit the model and the loss measure it in */
  stateScale(cfg: C): readonly number[];
  /** the model's field and fresh shared weights */
  model(cfg: C): ImodeModelFactory;
  /** the state components a phase portrait plots */
  portrait(cfg: C): { x: number; y: number; xTitle: string; yTitle: string };
  /** family-specific figures (field snapshots, chain frames), from the unseen instances' first evaluation rollouts */
  extraFigures?(cfg: C, results: readonly InstanceResult[]): Record<string, PlotlyFigure>;
  /** named groups of state components whose held-out residual is summarised apart (../residualByCoordinate.ts) */
  coordinateGroups?(cfg: C): CoordinateGroup[];
}

/** The checks a family's config must pass beyond its schema (box, windows, schedules, the gauge model's starts). */
export function validateFamilyConfig<C extends ImodeFamilyConfig>(family: Pick<ImodeFamily<C>, 'params'>, cfg: C): C {
  const p = family.params.length;
  if (cfg.paramLow.length !== p || cfg.paramHigh.length !== p) {
    throw new ConfigError(`paramLow and paramHigh must have ${p} entries (${family.params.map((q) => q.name).join(', ')}), got ${cfg.paramLow.length} and ${cfg.paramHigh.length}`);
  }
  cfg.paramLow.forEach((lo, j) => {
    const hi = cfg.paramHigh[j];
    if (!(hi > lo)) throw new ConfigError(`paramHigh[${j}] (${family.params[j].name}) must exceed paramLow[${j}] = ${lo}, got ${hi}`);
    if (cfg.extrapolateInstances > 0 && !(lo - cfg.extrapolateMargin * (hi - lo) > 0)) {
      throw new ConfigError(`extrapolateMargin ${cfg.extrapolateMargin} would draw ${family.params[j].name} ≤ 0 below paramLow ${lo}`);
    }
  });
  const restarts = cfg.gaugeRetrainRestarts ?? 1;
  if (restarts > 1 && cfg.gaugeRetrainInit !== 'scratch') {
    throw new ConfigError(`gaugeRetrainRestarts ${restarts} needs gaugeRetrainInit 'scratch': a fine-tune has one start, the first model`);
  }
  if (restarts > 1 && !(cfg.gaugeRetrainScreenIterations !== undefined && cfg.gaugeRetrainScreenIterations < cfg.gaugeRetrainIterations)) {
    throw new ConfigError(`gaugeRetrainRestarts ${restarts} needs gaugeRetrainScreenIterations fewer than gaugeRetrainIterations = ${cfg.gaugeRetrainIterations}, got ${cfg.gaugeRetrainScreenIterations ?? '(absent)'}`);
  }
  if (cfg.windowSteps > cfg.trajectorySteps - 2) throw new ConfigError(`windowSteps must be at most trajectorySteps − 2 = ${cfg.trajectorySteps - 2}, got ${cfg.windowSteps}`);
  if (cfg.adaptWindowSteps !== undefined && cfg.adaptWindowSteps > cfg.trajectorySteps - 2) {
    throw new ConfigError(`adaptWindowSteps must be at most trajectorySteps − 2 = ${cfg.trajectorySteps - 2}, got ${cfg.adaptWindowSteps}`);
  }
  if (cfg.evalSteps > cfg.trajectorySteps) throw new ConfigError(`evalSteps must be at most trajectorySteps = ${cfg.trajectorySteps}, got ${cfg.evalSteps}`);
  if (cfg.outerLrFinal > cfg.outerLr) throw new ConfigError(`outerLrFinal must be at most outerLr = ${cfg.outerLr}, got ${cfg.outerLrFinal}`);
  if (cfg.etaDim < p) throw new ConfigError(`etaDim must be at least the number of physical parameters (${p}), got ${cfg.etaDim}`);
  return cfg;
}

/**
 * The family's model in the units the loss sees: with x̃ = x ⊘ s, dx̃/dt = f(x̃ ⊙ s) ⊘ s. Families whose scale is all
 * ones get their field unchanged.
 */
export function scaledModel<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C): ImodeModelFactory {
  const model = family.model(cfg);
  const scale = family.stateScale(cfg);
  if (scale.every((v) => v === 1)) return model;
  return {
    initialParams: model.initialParams,
    makeField: (params, etaRows) => {
      const field = model.makeField(params, etaRows);
      const s = tf.tensor2d([Array.from(scale)]);
      return (t, x) => tf.div(field(t, tf.mul(x, s) as tf.Tensor2D), s) as tf.Tensor2D;
    },
  };
}
