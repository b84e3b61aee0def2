/**
 * iMODE on a simulated system family (Paper A's bistable, double pendulum, Van der Pol, Slinky and reaction–diffusion
 * systems; spec §1.2, §3.3, §4.3). A family supplies its float64 simulator, its model and its figures; this module
 * runs the rest of the protocol the same way for all of them:
 *
 *   instances   train: a grid of `trainPerAxis` values per physical parameter over [paramLow, paramHigh];
 *               interpolate: uniform draws inside the box; extrapolate: uniform draws in the box widened by
 *               `extrapolateMargin` × its range on every side, outside the box.
 *   data        per instance `trajectories` adaptation trajectories (the few-shot data) and `evalTrajectories`
 *               held-out ones from new initial states, `trajectorySteps` samples at `dt`, float64 dopri5.
 *   1 meta-train   θ and η0 on windows of the training instances (../meta/imodeTraining.ts), checkpointed.
 *   2 adapt        η of every instance from η0 on `adaptWindows` windows of its trajectories (θ frozen), timed;
 *                  evaluate rollouts of `evalSteps` from the start of each held-out trajectory; the scratch
 *                  baseline (same model, random init, Adam on the same windows) on every unseen instance.
 *   3 analyse      PCA of the training η and the Neural Gauge on the leading p principal components of η (spec §4.3
 *                  step 3, "project"; ./imodeLatent.ts); with `gaugeRetrain`, beside it, a second model with
 *                  d_η = p ("retrain": by default the first fine-tuned with η confined to its leading p principal
 *                  directions), adapted on every instance, and a second gauge fitted on its η.
 *   4 write        metrics (the results contract of the issue), tables, figures, README section, provenance.
 *
 * The model and the loss see the state divided by the family's `stateScale` (one number per component), so that
 * coordinates of different units (cm and rad on the Slinky) weigh alike in the MSE; evaluation errors are MSEs in
 * those units.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend';
import { checkpointStore } from '../core/checkpoint';
import { type ConfigOf, type Scale, type ScaleTable, type Schema, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { median } from '../analysis/metrics';
import type { NeuralGaugeOptions } from '../analysis/neuralGauge';
import { pca, projectOnComponents } from '../analysis/pca';
import { progress } from '../core/progress';
import { type Provenance, type ProvenanceRecorder, provenanceLine, startProvenance, writeResults } from '../core/results';
import { type PaperReference, paperReference, reportedNumbers } from '../core/reference';
import { type Rng, createRng } from '../core/rng';
import type { VectorField } from '../core/state';
import { extractWindows, sampleWindowStarts } from '../data/windows';
import { dopri5 } from '../integrators/dopri5';
import { type InnerLoopOptions, adaptEtaTrimmed } from '../meta/imode';
import { type ImodeCheckpoint, type ImodeProblem, type ImodeTrained, type ImodeTrainingOptions, metaTrain } from '../meta/imodeTraining';
import { trainScratch } from '../meta/scratch';
import { type FieldFactory, type TaskBatch, batchRollout, componentErrors, disposeTaskBatch, makeTaskBatch, perTaskLossOf } from '../meta/taskBatch';
import type { OdeintOptions } from '../nn/odeint';
import { lineFigure, phasePortraitGrid } from '../viz/figures';
import type { PlotlyFigure } from '../viz/plotly';
import { type Table, formatNumber, formatPercent, tableToCsv, tableToMarkdown } from '../viz/table';
import { type ExperimentInfo, experimentCheckpointDir, experimentResultsDir, resolveConfig } from './experiment';
import {
  type LatentAnalysis,
  type LatentGauge,
  type GaugeEntry,
  type LatentPoint,
  type Split,
  analyseLatents,
  describeLeaveOneOut,
  gaugeLatents,
  gaugeParityFigure,
  latentFigures,
  leaveOneOutGauge,
  medianGaugeError,
  paramFigureKey,
  worstGaugeError,
} from './imodeLatent';
import { type CoordinateGroup, residualByCoordinate, residualByCoordinateFigure } from './residualByCoordinate';

/**
 * The config fields of iMODE's meta-training, adaptation, evaluation and latent analysis, shared by the pendulum on
 * the authors' data (./imodePendulum.ts) and every simulated family.
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
const ANALYSIS_ONLY_FIELDS = ['adaptWindows', 'adaptWindowSteps', 'adaptTrimFraction', 'pcaThreshold', 'gaugeIterations', 'gaugeWidth', 'gaugeFlowSteps', 'gaugeLr', 'gaugeLogParameters', 'scratchSteps', 'scratchLr'];

/**
 * Fields that only a second model reads: the families' gauge model (retrainForGauge), and the pendulum's
 * over-provisioned model for the PCA (./imodePendulum.ts, pcaModelConfig). They enter that model's key as its own
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

/** A model: its field for given shared weights and η rows, and fresh shared weights. */
export interface FamilyModel {
  makeField: FieldFactory;
  initialParams(rng: Rng): tf.Tensor[];
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
  model(cfg: C): FamilyModel;
  /** the state components a phase portrait plots */
  portrait(cfg: C): { x: number; y: number; xTitle: string; yTitle: string };
  /** family-specific figures (field snapshots, chain frames), from the unseen instances' first evaluation rollouts */
  extraFigures?(cfg: C, results: readonly InstanceResult[]): Record<string, PlotlyFigure>;
  /** named groups of state components whose held-out residual is summarised apart (./residualByCoordinate.ts) */
  coordinateGroups?(cfg: C): CoordinateGroup[];
}

export interface FamilyInstance {
  label: string;
  params: number[];
  split: Split;
  /** [trajectory][sample] full states, physical units */
  trajectories: Float64Array[][];
  evalTrajectories: Float64Array[][];
}

export function resolveFamilyConfig<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): C {
  const cfg = resolveConfig<C>(family.schema, family.scales, scale, overrides, family.info.id);
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

/** Independent, order-free random streams per purpose and index (an instance, a task). */
export function streamFor(seed: number, purpose: number, index: number): Rng {
  return createRng((seed + 1000003 * (purpose + 1) + 7919 * (index + 1)) >>> 0);
}
const STREAM = { instances: 0, data: 1, adapt: 2, eval: 3, scratch: 4, gauge: 5, model: 6 } as const;

/** The box extrapolating instances are drawn from: the parameter box widened by `extrapolateMargin` × its range on every side. */
export function extrapolationBox(cfg: Pick<ImodeFamilyConfig, 'paramLow' | 'paramHigh' | 'extrapolateMargin'>): { low: number[]; high: number[] } {
  const margin = (j: number) => cfg.extrapolateMargin * (cfg.paramHigh[j] - cfg.paramLow[j]);
  return { low: cfg.paramLow.map((lo, j) => lo - margin(j)), high: cfg.paramHigh.map((hi, j) => hi + margin(j)) };
}

/** Training grid, interpolating and extrapolating draws: [φ, split] per instance, deterministic in the seed. */
export function familyParameters(cfg: ImodeFamilyConfig): { params: number[]; split: Split }[] {
  const p = cfg.paramLow.length;
  const axis = (j: number) => Array.from({ length: cfg.trainPerAxis }, (_, i) => cfg.paramLow[j] + ((cfg.paramHigh[j] - cfg.paramLow[j]) * i) / (cfg.trainPerAxis - 1));
  let grid: number[][] = [[]];
  for (let j = 0; j < p; j++) grid = grid.flatMap((g) => axis(j).map((v) => [...g, v]));
  const rng = streamFor(cfg.seed, STREAM.instances, 0);
  const inside = (phi: readonly number[]) => phi.every((v, j) => v >= cfg.paramLow[j] && v <= cfg.paramHigh[j]);
  const interpolate = Array.from({ length: cfg.interpolateInstances }, () => cfg.paramLow.map((lo, j) => rng.uniformIn(lo, cfg.paramHigh[j])));
  const widened = extrapolationBox(cfg);
  const extrapolate = Array.from({ length: cfg.extrapolateInstances }, () => {
    for (;;) {
      const phi = widened.low.map((lo, j) => rng.uniformIn(lo, widened.high[j]));
      if (!inside(phi)) return phi;
    }
  });
  return [
    ...grid.map((params) => ({ params, split: 'train' as const })),
    ...interpolate.map((params) => ({ params, split: 'interpolate' as const })),
    ...extrapolate.map((params) => ({ params, split: 'extrapolate' as const })),
  ];
}

function instanceLabel(paramNames: readonly { name: string }[], params: readonly number[]): string {
  return paramNames.map((q, j) => `${q.name}=${formatNumber(params[j], 3)}`).join(', ');
}

/** Float64 trajectories of every instance (tight-tolerance dopri5 at the sampling times). */
export function simulateFamily<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C): FamilyInstance[] {
  const draws = familyParameters(cfg);
  const ts = Array.from({ length: cfg.trajectorySteps }, (_, i) => i * cfg.dt);
  const bar = progress(draws.length, 'simulating instances');
  const out = draws.map(({ params, split }, index) => {
    const sim = family.simulator(cfg, params);
    const rng = streamFor(cfg.seed, STREAM.data, index);
    const run = () => dopri5.solve(sim.field, sim.sampleState(rng), ts, { rtol: 1e-9, atol: 1e-10 });
    const trajectories = Array.from({ length: cfg.trajectories }, run);
    const evalTrajectories = Array.from({ length: cfg.evalTrajectories }, run);
    bar.update(index + 1);
    return { label: instanceLabel(family.params, params), params, split, trajectories, evalTrajectories };
  });
  bar.done();
  return out;
}

function scaled(state: Float64Array, scale: readonly number[]): Float64Array {
  return state.map((v, i) => v / scale[i]);
}

/** Random windows of each instance's adaptation trajectories, stacked as one task batch (task k = instances[k]). */
export function familyWindowBatch(instances: readonly FamilyInstance[], scale: readonly number[], rng: Rng, count: number, steps: number, dt: number): TaskBatch {
  const x0: Float64Array[] = [];
  const targets: Float64Array[][] = Array.from({ length: steps }, () => []);
  const taskOfRow: number[] = [];
  instances.forEach((ins, k) => {
    for (let w = 0; w < count; w++) {
      const traj = ins.trajectories[rng.int(0, ins.trajectories.length)];
      const [start] = sampleWindowStarts(rng, traj.length, steps, 1);
      const win = extractWindows(traj, [start], steps);
      x0.push(scaled(win.x0[0], scale));
      win.targets.forEach((row, t) => targets[t].push(scaled(row[0], scale)));
      taskOfRow.push(k);
    }
  });
  return makeTaskBatch(x0, targets, taskOfRow, instances.length, dt);
}

/** The first `steps` samples of each held-out trajectory of one instance, as a one-task batch. */
export function familyEvalBatch(ins: FamilyInstance, scale: readonly number[], steps: number, dt: number): TaskBatch {
  const x0 = ins.evalTrajectories.map((tr) => scaled(tr[0], scale));
  const targets = Array.from({ length: steps }, (_, t) => ins.evalTrajectories.map((tr) => scaled(tr[t], scale)));
  return makeTaskBatch(x0, targets, x0.map(() => 0), 1, dt);
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

/**
 * The family's model in the units the loss sees: with x̃ = x ⊘ s, dx̃/dt = f(x̃ ⊙ s) ⊘ s. Families whose scale is all
 * ones get their field unchanged.
 */
export function scaledModel<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C): FamilyModel {
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

/**
 * The meta-training problem on the training instances: the family's model from a random init (the `restart`-th draw
 * of the seed's model stream; 0 for every model but the gauge model's further starts), or, with `start`, another
 * model from given weights and η0 (the gauge model's fine-tune; the trainer owns them from then on).
 */
export function familyProblem<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  instances: readonly FamilyInstance[],
  start?: { model: FamilyModel; params: tf.Tensor[]; eta0: tf.Tensor2D },
  restart = 0,
): ImodeProblem {
  const train = instances.filter((i) => i.split === 'train');
  const scale = family.stateScale(cfg);
  const sampleBatch = (r: Rng) => familyWindowBatch(train, scale, r, cfg.windowsPerTask, cfg.windowSteps, cfg.dt);
  if (start) return { makeField: start.model.makeField, initialParams: start.params, initialEta0: start.eta0, tasks: train.length, sampleBatch };
  const model = scaledModel(family, cfg);
  const init = streamFor(cfg.seed, STREAM.model, restart);
  return {
    makeField: model.makeField,
    initialParams: model.initialParams(init),
    initialEta0: tf.tensor2d([Array.from({ length: cfg.etaDim }, () => 0.1 * init.normal())]),
    tasks: train.length,
    sampleBatch,
  };
}

/**
 * Step 1: meta-training on the training instances (resumes or reuses a checkpoint of the same config). The problem
 * and the checkpoint key default to the family's model and the config; the gauge model's fine-tune passes its own.
 */
export function metaTrainFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  scale: Scale,
  instances: readonly FamilyInstance[],
  problem: ImodeProblem = familyProblem(family, cfg, instances),
  checkpointKey: unknown = trainingCheckpointKey(cfg),
  stopAfter?: number,
): ImodeTrained {
  const store = checkpointStore<ImodeCheckpoint>(experimentCheckpointDir(family.info.id, scale, checkpointKey), configHash(checkpointKey));
  return metaTrain(problem, familyTrainingOptions(cfg), streamFor(cfg.seed, STREAM.adapt, 999999), {
    store,
    progress: progress(stopAfter ?? cfg.outerIterations, stopAfter === undefined ? 'meta-training' : 'meta-training (screening)'),
    config: cfg,
    stopAfter,
  });
}

export interface InstanceResult {
  label: string;
  split: Split;
  params: number[];
  eta: number[];
  /** per inner step, the loss on the windows the final adaptation used (the kept ones with adaptTrimFraction) */
  adaptLosses: number[];
  adaptSeconds: number;
  /** MSE of the adapted model's rollouts from the held-out initial states (model units) */
  evalError: number;
  scratchEvalError: number | null;
  /** per state component, the adapted model's held-out residual and the motion it had to predict (../meta/taskBatch.ts componentErrors) */
  evalComponentErrors: { residual: number[]; motion: number[] };
  /** first held-out rollout, full states in physical units: truth, adapted model, scratch model; each [T][d] */
  rollout: { truth: number[][]; predicted: number[][]; scratch: number[][] | null };
}

function firstRollout(t: tf.Tensor3D, scale: readonly number[]): number[][] {
  const rows = tf.tidy(() => tf.squeeze(tf.slice(t, [0, 0, 0], [-1, 1, -1]), [1]).arraySync() as number[][]);
  return rows.map((r) => r.map((v, i) => v * scale[i]));
}

/**
 * The windows instance `index`'s test-time adaptation (and its scratch baseline) sees: `adaptWindows` windows of
 * `adaptWindowSteps` (default `windowSteps`) points of its trajectories.
 */
export function familyAdaptBatch<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C, ins: FamilyInstance, index: number): TaskBatch {
  return familyWindowBatch([ins], family.stateScale(cfg), streamFor(cfg.seed, STREAM.adapt, index), cfg.adaptWindows, cfg.adaptWindowSteps ?? cfg.windowSteps, cfg.dt);
}

/** Step 2: adapt η on every instance, evaluate held-out rollouts, and train the scratch baseline on the unseen ones. */
export function adaptAndEvaluateFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  instances: readonly FamilyInstance[],
  trained: ImodeTrained,
  model: FamilyModel = scaledModel(family, cfg),
): InstanceResult[] {
  const scale = family.stateScale(cfg);
  const solver = solverOf(cfg);
  const inner = innerOf(cfg);
  const bar = progress(instances.length, 'adapt + evaluate + scratch');
  const out: InstanceResult[] = [];
  instances.forEach((ins, index) => {
    const adaptBatch = familyAdaptBatch(family, cfg, ins, index);
    const evalBatch = familyEvalBatch(ins, scale, cfg.evalSteps, cfg.dt);
    const t0 = performance.now();
    const adapted = adaptEtaTrimmed(model.makeField, trained.params, trained.eta0, adaptBatch, solver, inner, cfg.adaptTrimFraction ?? 0);
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
    if (cfg.scratchSteps > 0 && ins.split !== 'train') {
      const zeroEta = tf.zeros([1, cfg.etaDim]) as tf.Tensor2D;
      const params = trainScratch(model.makeField, model.initialParams(streamFor(cfg.seed, STREAM.scratch, index)), zeroEta, adaptBatch, solver, {
        steps: cfg.scratchSteps,
        lr: cfg.scratchLr,
      });
      scratch = evaluate(params, zeroEta);
      tf.dispose([...params, zeroEta]);
    }
    const result: InstanceResult = {
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
    };
    adapted.eta.dispose();
    disposeTaskBatch(adaptBatch);
    disposeTaskBatch(evalBatch);
    bar.update(index + 1, ins.label);
    out.push(result);
  });
  bar.done();
  return out;
}

/** The model the Neural Gauge reads: d_η = the number of physical parameters, adapted on every instance. */
export interface GaugeModel {
  etaDim: number;
  init: 'projection' | 'scratch';
  trained: ImodeTrained;
  /** its field: the first model's confined to the subspace ('projection'), or the family's ('scratch') */
  model: FamilyModel;
  /** adaptation and held-out evaluation of every instance (no scratch baseline: the first model's stands) */
  results: InstanceResult[];
  /** the screened starts of a 'scratch' model with gaugeRetrainRestarts > 1, the one trained on marked (else empty) */
  screening: ScreenedStart[];
}

/** One start of a screened gauge model: its init draw and its median training loss over the screen's last iterations. */
export interface ScreenedStart {
  restart: number;
  screeningLoss: number;
  selected: boolean;
}

/** How many of the screen's last iterations the screening loss is the median of: its noise is the batch's, not the model's. */
const SCREENING_WINDOW = 100;

/**
 * The screening loss of a start: the median summed training loss over the last `SCREENING_WINDOW` of its first
 * `iterations` outer iterations (all of them when fewer). A checkpoint trained further still scores on its prefix.
 */
export function screeningLoss(lossHistory: readonly number[], iterations: number): number {
  if (lossHistory.length < iterations) throw new DataError(`the screen needs ${iterations} iterations of training loss, got ${lossHistory.length}`);
  return median(lossHistory.slice(Math.max(0, iterations - SCREENING_WINDOW), iterations));
}

/** The screened starts as a table: init draw, screening loss, which one was trained on. */
export function screeningTable(screening: readonly ScreenedStart[]): Table {
  return { columns: ['start (init draw)', 'screening loss', 'trained on'], rows: screening.map((s) => [s.restart, s.screeningLoss, s.selected ? 'yes' : '']) };
}

/**
 * The checkpoint key of the r-th start of the gauge model: start 0 keeps the key it had before restarts existed, so a
 * model trained then is start 0 now.
 */
function restartCheckpointKey(cfg: object, restart: number): Record<string, unknown> {
  const key = trainingCheckpointKey(cfg);
  return restart === 0 ? key : { ...key, gaugeRestart: restart };
}

/**
 * Meta-train a fresh model from `restarts` init draws for `screenIterations` each, then train the one with the lowest
 * screening loss to the end of its schedule (every start is checkpointed, so a rerun trains nothing anew). Why: a fresh
 * d_η = p model can fall into a regime of large outer gradients early on and never recover (the double pendulum at seed
 * 2302, environment.md), and which draw does so is visible in its training loss long before the end.
 */
function screenedMetaTraining<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  scale: Scale,
  instances: readonly FamilyInstance[],
  restarts: number,
  screenIterations: number,
): { trained: ImodeTrained; screening: ScreenedStart[] } {
  const train = (restart: number, stopAfter?: number) =>
    metaTrainFamily(family, cfg, scale, instances, familyProblem(family, cfg, instances, undefined, restart), restartCheckpointKey(cfg, restart), stopAfter);
  const losses = Array.from({ length: restarts }, (_, restart) => {
    const screened = train(restart, screenIterations);
    tf.dispose([...screened.params, screened.eta0]);
    return screeningLoss(screened.lossHistory, screenIterations);
  });
  const chosen = losses.indexOf(Math.min(...losses));
  return { trained: train(chosen), screening: losses.map((loss, restart) => ({ restart, screeningLoss: loss, selected: restart === chosen })) };
}

/** An affine subspace of the first model's η: η = mean + z · components, components [p][d_η] orthonormal rows. */
export interface EtaSubspace {
  mean: readonly number[];
  components: readonly (readonly number[])[];
}

/** The leading p principal directions of the training instances' adapted η, through their mean. */
export function leadingEtaSubspace(results: readonly InstanceResult[], p: number): EtaSubspace {
  const decomposition = pca(results.filter((r) => r.split === 'train').map((r) => r.eta));
  if (decomposition.components.length < p) throw new DataError(`η spans ${decomposition.components.length} principal direction(s); the gauge model needs ${p}`);
  return { mean: decomposition.mean, components: decomposition.components.slice(0, p) };
}

/** The model with η confined to a subspace: field(θ, z) = field(θ, mean + z · components), so z has p entries. */
export function subspaceModel(model: FamilyModel, subspace: EtaSubspace): FamilyModel {
  return {
    initialParams: model.initialParams,
    makeField: (params, zRows) => {
      const eta = tf.add(tf.tensor2d([Array.from(subspace.mean)]), tf.matMul(zRows, tf.tensor2d(subspace.components.map((c) => Array.from(c))))) as tf.Tensor2D;
      return model.makeField(params, eta);
    },
  };
}

/**
 * Step 3a (spec §4.3 step 3, "retrain"): a second model whose η has as many dimensions as there are physical
 * parameters, so that the gauge maps p numbers to p numbers without dropping the components a PCA projection would.
 *
 * `gaugeRetrainInit: 'projection'` starts it from the first model: θ as trained, η = μ + z C with C the leading p
 * principal directions of the training η and z0 = (η0 − μ) Cᵀ, then fine-tunes θ and z0 by the same meta-training
 * for `gaugeRetrainIterations` at `gaugeRetrainLr`. It starts where the projected gauge stands and only has to make
 * up what the dropped directions carried. 'scratch' meta-trains a fresh model with d_η = p for
 * `gaugeRetrainIterations` at the first model's rates (its own count: a model whose η must carry the gauge may need
 * a longer schedule than the over-provisioned one the PCA reads); a fresh start with one or two η inputs can settle
 * in a model that ignores η (Van der Pol's d_η = 1 model fitted the family's mean field,
 * η spread over 0.15 for μ across [0.5, 2], worst interpolating gauge error 58–82 %).
 *
 * Null when `gaugeRetrain` is off or η is not over-provisioned (then the first model's η serve). Checkpointed under
 * its own config hash as step 1; the fine-tune's key adds the first model's and the subspace's hashes, so that the
 * first model adapted on other windows (another subspace) fine-tunes anew.
 */
export function retrainForGauge<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  scale: Scale,
  instances: readonly FamilyInstance[],
  first: { trained: ImodeTrained; results: readonly InstanceResult[] },
): GaugeModel | null {
  const etaDim = family.params.length;
  if (!cfg.gaugeRetrain || cfg.etaDim <= etaDim) return null;
  if (cfg.gaugeRetrainInit === 'scratch') {
    const retrained: C = { ...cfg, etaDim, scratchSteps: 0, outerIterations: cfg.gaugeRetrainIterations };
    const restarts = cfg.gaugeRetrainRestarts ?? 1;
    const { trained, screening } =
      restarts > 1 && cfg.gaugeRetrainScreenIterations !== undefined
        ? screenedMetaTraining(family, retrained, scale, instances, restarts, cfg.gaugeRetrainScreenIterations)
        : { trained: metaTrainFamily(family, retrained, scale, instances), screening: [] };
    const model = scaledModel(family, retrained);
    return { etaDim, init: 'scratch', trained, model, results: adaptAndEvaluateFamily(family, retrained, instances, trained, model), screening };
  }
  const subspace = leadingEtaSubspace(first.results, etaDim);
  const model = subspaceModel(scaledModel(family, cfg), subspace);
  const fineTune: C = {
    ...cfg,
    etaDim,
    scratchSteps: 0,
    outerIterations: cfg.gaugeRetrainIterations,
    outerLr: cfg.gaugeRetrainLr,
    outerLrFinal: cfg.gaugeRetrainLr / 10,
  };
  const eta0 = Array.from(first.trained.eta0.dataSync());
  const problem = familyProblem(family, fineTune, instances, {
    model,
    params: first.trained.params.map((p) => tf.clone(p)),
    eta0: tf.tensor2d([projectOnComponents(eta0, subspace.mean, subspace.components)]),
  });
  const trained = metaTrainFamily(family, fineTune, scale, instances, problem, {
    fineTune: trainingCheckpointKey(fineTune),
    from: configHash(trainingCheckpointKey(cfg)),
    subspace: configHash(subspace),
  });
  return { etaDim, init: 'projection', trained, model, results: adaptAndEvaluateFamily(family, fineTune, instances, trained, model), screening: [] };
}

export function disposeGaugeModel(g: GaugeModel | null): void {
  if (g) tf.dispose([...g.trained.params, g.trained.eta0]);
}

const latentPoints = (results: readonly InstanceResult[]): LatentPoint[] => results.map((r) => ({ label: r.label, split: r.split, params: r.params, eta: r.eta }));

export interface FamilyLatents {
  points: LatentPoint[];
  /** PCA of the training η and the gauge on their leading p principal components ("project") */
  analysis: LatentAnalysis;
  /** the gauge fitted on the η of the gauge model with d_η = p ("retrain"), when there is one */
  retrained: LatentGauge | null;
  /** each gauge's leave-one-out errors on the training instances (null: too few of them, or no gauge model) */
  leaveOneOut: { project: GaugeEntry[] | null; retrained: GaugeEntry[] | null };
}

/**
 * Step 3b: PCA of the training η and the Neural Gauge on the unseen instances, projected and (with a gauge model)
 * retrained, and each gauge left one out on the training instances.
 */
export function analyseFamily(cfg: ImodeFamilyConfig, results: readonly InstanceResult[], gaugeModel: GaugeModel | null = null): FamilyLatents {
  const points = latentPoints(results);
  const gauge = gaugeOptionsOf(cfg);
  // both gauges start from the same stream, so they differ only by the η they read
  const rng = () => streamFor(cfg.seed, STREAM.gauge, 0);
  const gaugeModelPoints = gaugeModel ? latentPoints(gaugeModel.results) : null;
  return {
    points,
    analysis: analyseLatents(points, rng(), { threshold: cfg.pcaThreshold, gauge }),
    retrained: gaugeModelPoints ? gaugeLatents(gaugeModelPoints, rng(), gauge) : null,
    leaveOneOut: {
      project: leaveOneOutGauge(points, rng, gauge),
      retrained: gaugeModelPoints ? leaveOneOutGauge(gaugeModelPoints, rng, gauge) : null,
    },
  };
}

/** Each gauge's leave-one-out error over the training instances (median and worst) in one line, for the notebooks. */
export function leaveOneOutSummary(latent: FamilyLatents): string {
  const parts = [`on the leading principal components: ${describeLeaveOneOut(latent.leaveOneOut.project)}`];
  if (latent.retrained) parts.push(`model with d_η = p: ${describeLeaveOneOut(latent.leaveOneOut.retrained)}`);
  return `gauge error on the training instances, each left out of its gauge's fit — ${parts.join('; ')}`;
}

/** Held-out error of each unseen instance (metrics.json's evalError). */
const evalErrorRecords = (unseen: readonly InstanceResult[]) => unseen.map((r) => ({ instance: r.label, split: r.split, params: r.params, value: r.evalError }));

/** What metrics.json keeps of every instance's adaptation. */
const instanceRecords = (results: readonly InstanceResult[]) =>
  results.map((r) => ({ instance: r.label, split: r.split, params: r.params, eta: r.eta, adaptLosses: r.adaptLosses, evalError: r.evalError }));

export function lossCurveFigure(trained: ImodeTrained): PlotlyFigure {
  return lineFigure({
    title: 'Meta-training loss (Σ over the training instances)',
    xTitle: 'outer iteration',
    yTitle: 'MSE',
    logY: true,
    series: [{ name: 'iMODE', x: trained.lossHistory.map((_, i) => i + 1), y: trained.lossHistory }],
  });
}

/**
 * The outer gradient's global norm before clipping, per iteration: a jump of the loss that follows a spike here is
 * one `outerGradClip` can address. Absent (null) for a run resumed from a checkpoint that did not record it.
 */
export function gradientNormFigure(trained: ImodeTrained): PlotlyFigure | null {
  const norms = trained.gradNormHistory;
  if (norms.length !== trained.lossHistory.length) return null;
  return lineFigure({
    title: 'Outer gradient norm (θ, and η0 when learned; before clipping)',
    xTitle: 'outer iteration',
    yTitle: '‖g‖₂',
    logY: true,
    series: [{ name: 'iMODE', x: norms.map((_, i) => i + 1), y: norms }],
  });
}

/** The loss curve, and the gradient norm's when the run recorded it. */
export function trainingFigures(trained: ImodeTrained): Record<string, PlotlyFigure> {
  const gradientNorm = gradientNormFigure(trained);
  return { 'loss-curve': lossCurveFigure(trained), ...(gradientNorm ? { 'gradient-norm': gradientNorm } : {}) };
}

function phasePortraits<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C, results: readonly InstanceResult[]): PlotlyFigure {
  const portrait = family.portrait(cfg);
  const { x, y } = portrait;
  const xy = (rows: number[][]) => ({ x: rows.map((s) => s[x]), y: rows.map((s) => s[y]) });
  return phasePortraitGrid({
    title: `Held-out rollouts of ${cfg.evalSteps} steps on the unseen instances after adaptation`,
    xTitle: portrait.xTitle,
    yTitle: portrait.yTitle,
    columns: 3,
    panels: results
      .filter((r) => r.split !== 'train')
      .map((r) => ({
        title: `${r.label} (${r.split})`,
        truth: xy(r.rollout.truth),
        predicted: [{ name: 'iMODE', ...xy(r.rollout.predicted) }, ...(r.rollout.scratch ? [{ name: 'Scratch', ...xy(r.rollout.scratch) }] : [])],
      })),
  });
}

function evalErrorFigure(results: readonly InstanceResult[]): PlotlyFigure {
  const unseen = results.filter((r) => r.split !== 'train');
  const index = unseen.map((_, i) => i + 1);
  return lineFigure({
    title: 'Held-out rollout MSE per unseen instance (model units)',
    xTitle: 'unseen instance (table order)',
    yTitle: 'MSE',
    logY: true,
    series: [
      { name: 'iMODE', x: index, y: unseen.map((r) => r.evalError) },
      ...(unseen.every((r) => r.scratchEvalError !== null) ? [{ name: 'Scratch', x: index, y: unseen.map((r) => r.scratchEvalError as number) }] : []),
    ],
  });
}

export interface FamilySummary {
  metrics: Record<string, unknown>;
  table: Table;
  figures: Record<string, PlotlyFigure>;
}

/** Step 4a: the results contract (metrics.json), the per-instance table and every figure. */
export function summariseFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  trained: ImodeTrained,
  results: readonly InstanceResult[],
  latent: FamilyLatents,
  gaugeModel: GaugeModel | null = null,
): FamilySummary {
  const { analysis, retrained, leaveOneOut } = latent;
  const gaugeUnseen = gaugeModel ? gaugeModel.results.filter((r) => r.split !== 'train') : [];
  const unseen = results.filter((r) => r.split !== 'train');
  const gaugeOf = (label: string) => analysis.gauge.find((g) => g.label === label);
  const coordinates = family.coordinateGroups
    ? residualByCoordinate(family.coordinateGroups(cfg), results.map((r) => ({ split: r.split, ...r.evalComponentErrors })))
    : null;
  const table: Table = {
    columns: ['instance', 'split', 'η', 'eval MSE (iMODE)', 'eval MSE (scratch)', 'gauge rel. error', 'adaptation (s)'],
    rows: results.map((r) => [r.label, r.split, r.eta.map((v) => v.toFixed(3)).join(' '), r.evalError, r.scratchEvalError, gaugeOf(r.label)?.relError ?? null, r.adaptSeconds]),
  };
  const metrics = {
    physicalParameters: family.params.map((p) => p.name),
    physicalDimension: analysis.physicalDimension,
    etaDim: cfg.etaDim,
    innerSteps: cfg.innerSteps,
    intrinsicDimension: analysis.intrinsicDimension,
    spectralGapDimension: analysis.spectralGapDimension,
    explainedVariance: analysis.explainedVariance,
    gauge: analysis.gauge,
    gaugeTrainLoss: analysis.gaugeTrainLoss,
    gaugeLeaveOneOut: leaveOneOut.project,
    gaugeLeaveOneOutMedian: medianGaugeError(leaveOneOut.project),
    gaugeModel: gaugeModel && retrained
      ? {
          etaDim: gaugeModel.etaDim,
          init: gaugeModel.init,
          outerIterations: gaugeModel.trained.lossHistory.length,
          screening: gaugeModel.screening,
          gauge: retrained.gauge,
          gaugeTrainLoss: retrained.gaugeTrainLoss,
          gaugeLeaveOneOut: leaveOneOut.retrained,
          gaugeLeaveOneOutMedian: medianGaugeError(leaveOneOut.retrained),
          gaugeMaxRelErrorInterpolate: worstGaugeError(retrained.gauge, 'interpolate'),
          gaugeMaxRelErrorExtrapolate: worstGaugeError(retrained.gauge, 'extrapolate'),
          metaTrainSeconds: gaugeModel.trained.seconds,
          evalError: evalErrorRecords(gaugeUnseen),
          medianEvalError: gaugeUnseen.length ? median(gaugeUnseen.map((r) => r.evalError)) : null,
          instances: instanceRecords(gaugeModel.results),
        }
      : null,
    gaugeMaxRelErrorInterpolate: worstGaugeError(analysis.gauge, 'interpolate'),
    gaugeMaxRelErrorExtrapolate: worstGaugeError(analysis.gauge, 'extrapolate'),
    evalError: evalErrorRecords(unseen),
    scratchEvalError: unseen.map((r) => ({ instance: r.label, split: r.split, params: r.params, value: r.scratchEvalError })),
    medianEvalError: unseen.length ? median(unseen.map((r) => r.evalError)) : null,
    medianScratchEvalError: unseen.length && unseen.every((r) => r.scratchEvalError !== null) ? median(unseen.map((r) => r.scratchEvalError as number)) : null,
    adaptSeconds: results.map((r) => ({ instance: r.label, split: r.split, value: r.adaptSeconds })),
    maxAdaptSeconds: Math.max(...results.map((r) => r.adaptSeconds)),
    metaTrainSeconds: trained.seconds,
    bestIteration: trained.bestIteration,
    finalTrainingLoss: trained.lossHistory[trained.lossHistory.length - 1],
    ...(coordinates ? { residualByCoordinate: coordinates } : {}),
    eta0: Array.from(trained.eta0.dataSync()),
    instances: instanceRecords(results),
  };
  const figures: Record<string, PlotlyFigure> = {
    ...trainingFigures(trained),
    'phase-portraits': phasePortraits(family, cfg, results),
    'eval-error': evalErrorFigure(results),
    ...latentFigures(latent.points, analysis, family.params.map((p) => p.label), cfg.pcaThreshold),
    ...(gaugeModel && retrained && retrained.gauge.length > 0
      ? Object.fromEntries(
          family.params.map((q, j) => [
            `gauge-model-parity${paramFigureKey(j, family.params.length)}`,
            gaugeParityFigure(retrained, j, q.label, `model with d_η = ${gaugeModel.etaDim}`),
          ]),
        )
      : {}),
    ...(family.extraFigures ? family.extraFigures(cfg, results) : {}),
    ...(coordinates ? { 'residual-by-coordinate': residualByCoordinateFigure(coordinates) } : {}),
  };
  return { metrics, table, figures };
}

/** The README section of a family, generated from its results with the paper's side from the one reference file. */
export function familyReadmeSnippet(summary: FamilySummary, provenance: Provenance, reference: PaperReference): string {
  const m = summary.metrics as {
    physicalDimension: number;
    intrinsicDimension: number;
    spectralGapDimension: number;
    etaDim: number;
    innerSteps: number;
    gaugeMaxRelErrorInterpolate: number | null;
    gaugeMaxRelErrorExtrapolate: number | null;
    medianEvalError: number | null;
    medianScratchEvalError: number | null;
    maxAdaptSeconds: number;
    metaTrainSeconds: number;
    /** absent in runs that predate the leave-one-out gauge */
    gaugeLeaveOneOutMedian?: number | null;
    gaugeModel: {
      etaDim: number;
      init?: 'projection' | 'scratch';
      metaTrainSeconds: number;
      medianEvalError: number | null;
      gaugeMaxRelErrorInterpolate: number | null;
      gaugeMaxRelErrorExtrapolate: number | null;
      gaugeLeaveOneOutMedian?: number | null;
      screening?: ScreenedStart[];
    } | null;
  };
  const orDash = (v: number | null) => (v === null ? '—' : formatNumber(v, 3));
  // metrics written before the fine-tune existed have no `init`: their gauge model was trained anew
  const gaugeModelName = m.gaugeModel ? `model ${m.gaugeModel.init === 'projection' ? 'fine-tuned on its leading principal directions' : 'retrained'} with d_η = ${m.gaugeModel.etaDim}` : '';
  return [
    provenanceLine(provenance),
    '',
    '| | paper | ours |',
    '|---|---|---|',
    `| reported numbers | ${reportedNumbers(reference)} | below |`,
    `| intrinsic dimension of η (PCA of ${m.etaDim}-dim η): 99 % of the variance / sharpest drop | ${m.physicalDimension} (= physical parameters, authors' claim) | ${m.intrinsicDimension} / ${m.spectralGapDimension} |`,
    `| Neural Gauge, worst relative error, interpolating / extrapolating: η on its leading ${m.physicalDimension} principal component(s) | — | ${formatPercent(m.gaugeMaxRelErrorInterpolate)} / ${formatPercent(m.gaugeMaxRelErrorExtrapolate)} |`,
    ...(m.gaugeModel
      ? [`| the same, η of the ${gaugeModelName} | — | ${formatPercent(m.gaugeModel.gaugeMaxRelErrorInterpolate)} / ${formatPercent(m.gaugeModel.gaugeMaxRelErrorExtrapolate)} |`]
      : []),
    ...(m.gaugeLeaveOneOutMedian !== undefined
      ? [
          `| Neural Gauge on the training instances, each left out of the fit, median relative error: principal components${m.gaugeModel ? ' / gauge model' : ''} | — | ${formatPercent(m.gaugeLeaveOneOutMedian)}${m.gaugeModel ? ` / ${formatPercent(m.gaugeModel.gaugeLeaveOneOutMedian ?? null)}` : ''} |`,
        ]
      : []),
    `| held-out rollout MSE, median over unseen instances: iMODE / scratch | — | ${orDash(m.medianEvalError)} / ${orDash(m.medianScratchEvalError)} |`,
    ...(m.gaugeModel ? [`| held-out rollout MSE, median over unseen instances, ${gaugeModelName} | — | ${orDash(m.gaugeModel.medianEvalError)} |`] : []),
    `| adaptation time per instance (${m.innerSteps} steps) | "within seconds" | ≤ ${m.maxAdaptSeconds.toFixed(2)} s |`,
    `| meta-training wall time | — | ${m.metaTrainSeconds.toFixed(0)} s${m.gaugeModel ? ` (+ ${m.gaugeModel.metaTrainSeconds.toFixed(0)} s for the gauge model${m.gaugeModel.screening && m.gaugeModel.screening.length > 0 ? `, the start chosen of ${m.gaugeModel.screening.length} screened` : ''})` : ''} |`,
    '',
    '<details><summary>Per instance</summary>',
    '',
    tableToMarkdown(summary.table, { digits: 3 }),
    '',
    '</details>',
    '',
  ].join('\n');
}

export function startFamilyProvenance(info: ExperimentInfo, cfg: { seed: number }, scale: Scale): ProvenanceRecorder {
  return startProvenance({ experiment: info.id, paper: info.paper, section: info.section, scale, config: cfg, seed: cfg.seed });
}

/**
 * Write an iMODE experiment's metrics, its table as `<tableName>.csv` and `.md`, the README section (built from the
 * finished provenance) and every figure, atomically. Shared by the families and the pendulum.
 */
export function writeImodeResults(
  info: ExperimentInfo,
  scale: Scale,
  summary: FamilySummary,
  provenance: ProvenanceRecorder,
  tableName: string,
  readme: (finished: Provenance, reference: PaperReference) => string,
): string {
  const dir = experimentResultsDir(info.id, scale);
  const finished = provenance.finish();
  writeResults(dir, {
    metrics: summary.metrics,
    provenance: finished,
    tables: {
      [`${tableName}.csv`]: tableToCsv(summary.table),
      [`${tableName}.md`]: tableToMarkdown(summary.table, { digits: 3 }),
      'readme.md': readme(finished, paperReference(info.id)),
    },
    figures: summary.figures,
  });
  return dir;
}

/** Step 4b: write the family's results (see writeImodeResults). */
export function writeFamilyResults(info: ExperimentInfo, scale: Scale, summary: FamilySummary, provenance: ProvenanceRecorder): string {
  return writeImodeResults(info, scale, summary, provenance, 'instances', (finished, reference) => familyReadmeSnippet(summary, finished, reference));
}

/** The whole experiment, as the notebook runs it cell by cell. */
export async function runImodeFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  scale: Scale,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<{ dir: string; summary: FamilySummary }> {
  await initBackend();
  const cfg = resolveFamilyConfig(family, scale, overrides);
  const prov = startFamilyProvenance(family.info, cfg, scale);
  const instances = simulateFamily(family, cfg);
  const trained = metaTrainFamily(family, cfg, scale, instances);
  const results = adaptAndEvaluateFamily(family, cfg, instances, trained);
  const gaugeModel = retrainForGauge(family, cfg, scale, instances, { trained, results });
  const latent = analyseFamily(cfg, results, gaugeModel);
  const summary = summariseFamily(family, cfg, trained, results, latent, gaugeModel);
  const dir = writeFamilyResults(family.info, scale, summary, prov);
  tf.dispose([...trained.params, trained.eta0]);
  disposeGaugeModel(gaugeModel);
  return { dir, summary };
}
