/**
 * Paper B ("Meta-learning Structure-Preserving Dynamics", arXiv 2508.11205), the Hamiltonian benchmark (spec §2.0–2.1,
 * §4–§7): one protocol for mass-spring, pendulum and Duffing; a system file (./spdMassSpring.ts, …) supplies only
 * its simulator, its Hamiltonian and its field grid.
 *
 *   instances  μ^(k) i.i.d. uniform over the system's parameter box (spec §2.0 [INF]); the first `trainInstances`
 *              train, the next `testInstances` test (spec 70 / 10).
 *   data       per instance `trajectories` trajectories (spec 10) of `trajectoryPoints` samples at `dt` (spec 30 at
 *              0.1), float64 dopri5 (rtol 1e-10), with the exact field ẋ = J∇H(x; μ) at every sample (velocity
 *              matching, spec §5.1). A test instance's first `supportTrajectories` trajectories are its few-shot
 *              support set (spec default 1 = 30 points); the others are held out.
 *   methods    HNN ẋ = J∇H̃ for all ten (the system's `structure`: a field model, ../models/fieldModel.ts; the GENERIC
 *              systems of ./spdGeneric.ts plug in ẋ = L∇Ẽ + M̃∇S̃ here and change nothing else but the energy drift,
 *              which is then that of the model's own Ẽ, and the structure checks they add). Shift, FW, RO, MR(r),
 *              SVD(r), MR-v1(r): Algorithm 1 on the training
 *              instances (../meta/latentModulation.ts), then Algorithm 2 (`adaptSteps` Adam steps on z from z_avg).
 *              MAML, ANIL, Reptile: meta-training on the training instances, then `adaptSteps` SGD steps
 *              (../meta/gradientBaselines.ts). Scratch: a random initialisation, then `adaptSteps` Adam steps on
 *              all weights. Every method gets the same test-time budget of `adaptSteps` gradient steps (spec §9.5).
 *   metrics    (spec §6) on each test instance, then mean ± population std over the test instances:
 *              ε_field = ‖f̂ − f‖₂ / ‖f‖₂ on a gridSize × gridSize grid of the system's field box;
 *              ε_field in data = the same ratio over the grid points x with H(x; μ) ≤ E_max, E_max the largest true
 *                        energy along the instance's trajectories (support and held-out): the sublevel set the
 *                        energy-conserving data can show. Beyond it ε_field measures extrapolation (our diagnostic,
 *                        not the paper's; ./spdFieldCoverage.ts measures how much of the grid lies beyond).
 *                        Undefined (null) where no grid point lies in that set (a coarse smoke grid, a small-energy
 *                        instance): the mean is over the instances where it is defined, and the row says how many;
 *              ε_traj  = mean over held-out trajectories of ‖X̂ − X‖₂ / ‖X‖₂, X̂ the RK4 rollout of the learned
 *                        field from the held-out initial state over the data times;
 *              SSIM    = mean over the two field components of SSIM(true image, learned image) on that grid,
 *                        Gaussian window 11, σ 1.5, data range max − min of the true component (Wang et al. 2004);
 *              energy drift = mean over held-out rollouts of max_t |H(X̂(t); μ) − H(X̂(0); μ)|, the TRUE
 *                        Hamiltonian along the learned flow (spec §6, optional check [INF]).
 *              A diverged method yields NaN or ∞; it is written as null (JSON has no NaN) and the means skip nothing.
 *   studies    (after meta-training, adaptation only, so they reuse the checkpoints; no config field of their own, so
 *              the config hash is unchanged)
 *              few-shot sweep: every method adapted on the first n support states in time order (a growing
 *                        observation window of the support trajectory), n ∈ {5, 10, 20, 30} below the support size
 *                        N plus N itself (N = supportTrajectories · trajectoryPoints; n = N is the main evaluation);
 *                        mean ± std of ε_field over the test instances per n.
 *              latent-initialisation ablation: the modulation methods auto-decoded from z_avg and from 0 (spec v2),
 *                        ε_field and ε_traj of both starts (the configured start is the main evaluation).
 *              level sets: H̃ of the adapted SVD and MAML models and the true H on the field grid, first test
 *                        instance, each shifted so that its minimum on the grid is 0 (H is defined up to a constant:
 *                        only J∇H enters the dynamics).
 *   write      metrics.json (the results contract: `table`, one row per method, and `paperReference`; plus
 *              `fewShotSweep` and `latentInitAblation`), the benchmark and ablation tables beside the paper's
 *              numbers, figures, README section, provenance.
 *
 * Meta-training of every method is checkpointed under the config hash (one store per method): a rerun resumes an
 * interrupted run and reuses a finished one.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  type MeanStd,
  type Vectors,
  energyDrift,
  fieldComponentImage,
  fieldSsim,
  meanStd,
  relativeFieldError,
  relativeTrajectoryError,
  vectorFieldGrid,
} from '../analysis/metrics';
import { pca } from '../analysis/pca';
import { initBackend } from '../core/backend';
import { checkpointStore } from '../core/checkpoint';
import { type ConfigOf, type Scale, type ScaleTable, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { progress } from '../core/progress';
import { type PaperReference, paperReference } from '../core/reference';
import { type Provenance, type ProvenanceRecorder, provenanceLine, startProvenance, writeResults } from '../core/results';
import type { State } from '../core/state';
import { type FieldTask, type SavedOuterLoop, disposeFieldTasks, stopIteration } from '../meta/fieldTasks';
import {
  DEFAULT_GRADIENT_META_OPTIONS,
  type GradientMethod,
  disposeGradientMetaState,
  gradientAdapt,
  gradientMetaTrain,
  initGradientMetaState,
  restoreGradientMetaState,
} from '../meta/gradientBaselines';
import {
  DEFAULT_AUTO_DECODE_OPTIONS,
  DEFAULT_LATENT_META_OPTIONS,
  type SavedLatentMeta,
  autoDecode,
  hnnBaseSpec,
  initLatentMetaState,
  latentMetaTrain,
  restoreLatentMetaState,
} from '../meta/latentModulation';
import type { LatentFieldModel, PlainFieldModel, TensorEnergy, TensorGenericParts } from '../models/fieldModel';
import { hnnLatentModel, hnnPlainModel } from '../models/hnn';
import { DEFAULT_LATENT_DIM, DEFAULT_RANK, type ModulationKind, type ModulationSpec, modulationSpec } from '../modulation/modulation';
import { disposeAdam } from '../nn/adam';
import type { MlpSpec } from '../nn/mlp';
import { type TensorVectorField, odeint } from '../nn/odeint';
import { dopri5 } from '../integrators/dopri5';
import { type System, fieldAt } from '../systems/types';
import { contourFigure, fieldSnapshotsFigure, lineFigure, phasePortraitGrid, scatterFigure } from '../viz/figures';
import type { PlotlyFigure } from '../viz/plotly';
import { type Table, formatNumber, tableToCsv, tableToMarkdown } from '../viz/table';
import { type ExperimentInfo, experimentCheckpointDir, experimentResultsDir, resolveConfig } from './experiment';
import { streamFor } from './imodeFamily';

export const spdSchema = {
  seed: { kind: 'integer', min: 0, max: 4294967295, doc: 'seed of every random draw (instances, initial states, initialisations, batches)' },
  trainInstances: { kind: 'integer', min: 2, doc: 'training instances μ (spec 70)' },
  testInstances: { kind: 'integer', min: 1, doc: 'test instances μ (spec 10)' },
  trajectories: { kind: 'integer', min: 2, doc: 'trajectories per instance (spec 10)' },
  supportTrajectories: { kind: 'integer', min: 1, doc: 'trajectories of a test instance that its adaptation sees (spec default 1); the others are held out' },
  trajectoryPoints: { kind: 'integer', min: 2, doc: 'samples per trajectory, t = 0 included (spec 30)' },
  dt: { kind: 'number', exclusiveMin: 0, doc: 'sampling interval (spec 0.1, i.e. t ∈ [0, 3))' },
  width: { kind: 'integer', min: 1, doc: 'hidden width of H̃ (spec 100)' },
  depth: { kind: 'integer', min: 1, doc: 'hidden tanh layers of H̃ (spec 3)' },
  latentDim: { kind: 'integer', min: 1, doc: 'd_z (spec 10)' },
  rank: { kind: 'integer', min: 1, doc: 'r of MR, SVD and MR-v1 (spec 5)' },
  metaIterations: { kind: 'integer', min: 1, doc: 'outer iterations of Algorithm 1 per modulation method (spec 20,000)' },
  taskBatch: { kind: 'integer', min: 1, doc: 'instances per outer batch of Algorithm 1 (spec 10)' },
  latentInnerSteps: { kind: 'integer', min: 0, doc: 'N_in SGD steps on z per outer iteration (spec 3)' },
  latentInnerLr: { kind: 'number', exclusiveMin: 0, doc: 'α_in, SGD step on z (spec 1e-2)' },
  latentInnerMaxStep: { kind: 'number', min: 0, doc: 'largest ℓ2 norm of one inner step on a task\'s z (0: no limit, the spec)' },
  latentOuterLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam step on the shared parameters (spec 1e-3)' },
  outerLrFinalFraction: {
    kind: 'number',
    exclusiveMin: 0,
    max: 1,
    optional: true,
    doc: 'when given, the outer Adam steps of Algorithm 1 and of MAML / ANIL anneal by a cosine to this fraction of latentOuterLr / gradientOuterLr at their last iteration (absent: constant, the spec)',
  },
  lambdaZ: { kind: 'number', min: 0, doc: 'λ_z (spec 1e-2)' },
  lambdaPhi: { kind: 'number', min: 0, doc: 'λ_φ on the hypernetwork (spec 1e-3)' },
  lambdaOrtho: { kind: 'number', min: 0, doc: 'orthogonality penalty of the SVD / MR-v1 bases (spec 1e-3)' },
  lambdaSparsity: { kind: 'number', min: 0, doc: 'L1 penalty on the MR-v1 coefficients (spec 1e-4)' },
  gradientIterations: { kind: 'integer', min: 1, doc: 'outer iterations of MAML, ANIL and Reptile (spec 20,000)' },
  metaBatch: { kind: 'integer', min: 1, doc: 'instances per outer iteration of MAML, ANIL, Reptile (spec 10)' },
  gradientInnerSteps: { kind: 'integer', min: 1, doc: 'inner SGD steps of MAML, ANIL, Reptile (spec 5)' },
  gradientInnerLr: { kind: 'number', exclusiveMin: 0, doc: 'inner SGD step α, also their test-time step (spec 1e-3)' },
  gradientOuterLr: { kind: 'number', exclusiveMin: 0, doc: 'outer Adam step of MAML and ANIL (spec 1e-3)' },
  reptileStepSize: { kind: 'number', exclusiveMin: 0, max: 1, doc: 'Reptile interpolation ε (spec 0.1)' },
  secondOrder: { kind: 'boolean', doc: 'MAML / ANIL differentiate through the inner steps (spec: second order)' },
  adaptSteps: { kind: 'integer', min: 1, doc: 'test-time gradient steps, the same for every method (spec 100)' },
  adaptLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam step on z at test time (spec 1e-2)' },
  scratchLr: { kind: 'number', exclusiveMin: 0, doc: 'Adam step of Scratch (spec 1e-3)' },
  latentInit: { kind: 'enum', values: ['mean', 'zero'], doc: 'test-time start of z: z_avg (spec) or 0 (the v2 ablation)' },
  gridSize: { kind: 'integer', min: 11, doc: 'points per axis of the ε_field / SSIM grid (spec 50; ≥ 11, the SSIM window)' },
  rolloutSubsteps: { kind: 'integer', min: 1, doc: 'RK4 steps per sampling interval of the evaluation rollouts (spec: RK4 at the data dt, 1)' },
  checkpointEvery: { kind: 'integer', min: 1, doc: 'outer iterations between checkpoints' },
} as const;

export type SpdConfig = ConfigOf<typeof spdSchema>;

const LATENT = DEFAULT_LATENT_META_OPTIONS;
const GRADIENT = DEFAULT_GRADIENT_META_OPTIONS;

/**
 * paper: the spec's sizes (§2.0, §3.1, §4, §9), all [INF] where the spec marks them so; 20,000 outer iterations of
 * each of 9 meta-learners is hours on 2 cores.
 */
export const SPD_PAPER: SpdConfig = {
  seed: 2508,
  trainInstances: 70,
  testInstances: 10,
  trajectories: 10,
  supportTrajectories: 1,
  trajectoryPoints: 30,
  dt: 0.1,
  width: 100,
  depth: 3,
  latentDim: DEFAULT_LATENT_DIM,
  rank: DEFAULT_RANK,
  metaIterations: LATENT.outerIterations,
  taskBatch: LATENT.taskBatch,
  latentInnerSteps: LATENT.innerSteps,
  latentInnerLr: LATENT.innerLr,
  latentInnerMaxStep: 0,
  latentOuterLr: LATENT.outerLr,
  lambdaZ: LATENT.lambdaZ,
  lambdaPhi: LATENT.lambdaPhi,
  lambdaOrtho: LATENT.lambdaOrtho,
  lambdaSparsity: LATENT.lambdaSparsity,
  gradientIterations: GRADIENT.outerIterations,
  metaBatch: GRADIENT.metaBatch,
  gradientInnerSteps: GRADIENT.innerSteps,
  gradientInnerLr: GRADIENT.innerLr,
  gradientOuterLr: GRADIENT.outerLr,
  reptileStepSize: GRADIENT.reptileStepSize,
  secondOrder: GRADIENT.secondOrder,
  adaptSteps: DEFAULT_AUTO_DECODE_OPTIONS.adaptSteps,
  adaptLr: DEFAULT_AUTO_DECODE_OPTIONS.lr,
  scratchLr: 1e-3,
  latentInit: DEFAULT_AUTO_DECODE_OPTIONS.init,
  gridSize: 50,
  rolloutSubsteps: 1,
  checkpointEvery: 100,
};

/**
 * default: the paper's data protocol (10 test instances, 10 trajectories of 30 points, 1 support trajectory),
 * test-time budget (100 steps) and grid (50 × 50), with fewer training instances (30), a narrower H̃ (width 32,
 * 3 hidden layers), 200 iterations of Algorithm 1 per modulation and 60 FIRST-ORDER iterations of MAML / ANIL
 * (meta-batches of 5) and Reptile, so that one system's ten methods fit in about 8 minutes on 2 cores. That budget
 * is an estimate from operation counts, not a measured run. Larger outer learning rates (3e-3) make up for the
 * shorter runs. The paper scale keeps second-order MAML / ANIL.
 */
export const SPD_DEFAULT: SpdConfig = {
  ...SPD_PAPER,
  trainInstances: 30,
  width: 32,
  metaIterations: 200,
  latentOuterLr: 3e-3,
  gradientIterations: 60,
  metaBatch: 5,
  gradientOuterLr: 3e-3,
  secondOrder: false,
  checkpointEvery: 50,
};

/** smoke: seconds, for CI (second-order MAML / ANIL, so that the paper's path runs); numbers meaningless. */
export const SPD_SMOKE: SpdConfig = {
  ...SPD_DEFAULT,
  trainInstances: 3,
  testInstances: 2,
  trajectories: 2,
  trajectoryPoints: 8,
  width: 8,
  depth: 2,
  latentDim: 3,
  rank: 2,
  metaIterations: 2,
  taskBatch: 2,
  gradientIterations: 1,
  metaBatch: 2,
  gradientInnerSteps: 1,
  secondOrder: true,
  adaptSteps: 2,
  gridSize: 12,
  checkpointEvery: 1,
};

/**
 * converged: the cheapest budget at which the convergence study (npm run convergence -- spd-pendulum; results/
 * convergence/spd-pendulum/) found the modulations stop improving, at default's width 32: the paper's 70 training
 * instances, 2000 iterations of Algorithm 1 and of MAML / ANIL / Reptile, outer Adam steps of 3e-3 annealed by a
 * cosine to 3e-4, and the inner step on z capped at norm 1. At a constant 3e-3, RO diverged between 1000 and 5000
 * iterations (its loss is quartic in z); at a constant 1e-3, SVD stayed above its plateau through 5000. Width 100
 * costs 2–3× per iteration (FW ~8×) and was not better for SVD or MAML at 200 iterations, so the width stays 32.
 * About 45 minutes per seed per system on one core (FW is half of it).
 */
export const SPD_CONVERGED: SpdConfig = {
  ...SPD_DEFAULT,
  trainInstances: 70,
  metaIterations: 2000,
  gradientIterations: 2000,
  latentOuterLr: 3e-3,
  gradientOuterLr: 3e-3,
  outerLrFinalFraction: 0.1,
  latentInnerMaxStep: 1,
};

export const SPD_SCALES: ScaleTable<SpdConfig> = { smoke: SPD_SMOKE, default: SPD_DEFAULT, paper: SPD_PAPER, converged: SPD_CONVERGED };

/**
 * The network family every method of an experiment learns, and how its energy is checked: the HNN ẋ = J∇H̃
 * (`HNN_STRUCTURE`, this file's systems) or the GENERIC network ẋ = L∇Ẽ + M̃∇S̃ (./spdGeneric.ts).
 */
export interface SpdStructure {
  latentModel(spec: ModulationSpec): LatentFieldModel<unknown>;
  plainModel(base: MlpSpec): PlainFieldModel;
  /**
   * energy drift max_t |E(x̂(t)) − E(x̂(0))| along the learned rollouts of: the TRUE energy ('true', the Hamiltonian
   * benchmark) or the model's OWN energy ('model', the GENERIC first law)
   */
  drift: 'true' | 'model';
  /** names in figures: the true and learned energy symbols, the noun, and the level-set figure's key */
  energyNames: { truth: string; learned: string; noun: string; figure: string };
  /**
   * structure checks of one adapted model on one test instance, while it is alive (GENERIC: degeneracy residuals on
   * held-out states, the decomposition against the true one on the grid); kept per instance as `checks`
   */
  checks?(model: AdaptedModel, context: { mu: unknown; heldOut: readonly Float64Array[]; grid: readonly Float64Array[] }): Record<string, number>;
  /** adds the structure's own metrics, tables and figures to the summary (end of `summariseSpd`) */
  summarise?(summary: SpdSummary, context: { instances: readonly SpdInstance[]; evaluation: SpdEvaluation }): SpdSummary;
}

export const HNN_STRUCTURE: SpdStructure = {
  latentModel: (spec) => hnnLatentModel(spec) as LatentFieldModel<unknown>,
  plainModel: hnnPlainModel,
  drift: 'true',
  energyNames: { truth: 'H', learned: 'H̃', noun: 'Hamiltonian', figure: 'hamiltonian-level-sets' },
};

/** What a system file supplies. */
export interface SpdSystem<P> {
  info: ExperimentInfo;
  /** float64 simulator with its parameter box and initial-state sampler */
  system: System<P> & { readonly paramBox: Readonly<Record<keyof P & string, readonly [number, number]>> };
  /** the true energy (H; the total energy E of a GENERIC system) */
  hamiltonian(x: State, mu: P): number;
  /** the box of the ε_field grid over (q, p) (spec §2.1), and the values of the other coordinates on that slice */
  fieldGrid: { readonly box: readonly [readonly [number, number], readonly [number, number]]; readonly fixed?: readonly number[] };
  /** axis label of each physical parameter, in system.paramNames order */
  paramLabels: readonly string[];
  scales: ScaleTable<SpdConfig>;
  /** the learned network family; default HNN_STRUCTURE */
  structure?: SpdStructure;
}

function structureOf<P>(sys: SpdSystem<P>): SpdStructure {
  return sys.structure ?? HNN_STRUCTURE;
}

/** The system itself, checked to carry the parameter box its instances are drawn from. */
export function withParamBox<P>(system: System<P>): SpdSystem<P>['system'] {
  const box = system.paramBox;
  if (!box) throw new ConfigError(`system ${system.name} has no paramBox to draw instances from`);
  return { ...system, paramBox: box };
}

export const SPD_METHODS = ['Scratch', 'MAML', 'ANIL', 'Reptile', 'Shift', 'FW', 'RO', 'MR', 'SVD', 'MR-v1'] as const;
export type SpdMethod = (typeof SPD_METHODS)[number];

type MethodKind = { family: 'gradient'; method: GradientMethod } | { family: 'latent'; kind: ModulationKind };

export const SPD_METHOD_KINDS: Readonly<Record<SpdMethod, MethodKind>> = {
  Scratch: { family: 'gradient', method: 'scratch' },
  MAML: { family: 'gradient', method: 'maml' },
  ANIL: { family: 'gradient', method: 'anil' },
  Reptile: { family: 'gradient', method: 'reptile' },
  Shift: { family: 'latent', kind: 'shift' },
  FW: { family: 'latent', kind: 'fw' },
  RO: { family: 'latent', kind: 'ro' },
  MR: { family: 'latent', kind: 'mr' },
  SVD: { family: 'latent', kind: 'svd' },
  'MR-v1': { family: 'latent', kind: 'mr-v1' },
};

/** The validated config of `scale` with `overrides`; cross-field checks name the field. */
export function resolveSpdConfig<P>(sys: SpdSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): SpdConfig {
  const cfg = resolveConfig<SpdConfig>(spdSchema, sys.scales, scale, overrides, sys.info.id);
  if (cfg.supportTrajectories >= cfg.trajectories) {
    throw new ConfigError(`supportTrajectories must be less than trajectories = ${cfg.trajectories} (the rest are held out), got ${cfg.supportTrajectories}`);
  }
  return cfg;
}

export function startSpdProvenance(info: ExperimentInfo, cfg: SpdConfig, scale: Scale): ProvenanceRecorder {
  return startProvenance({ experiment: info.id, paper: info.paper, section: info.section, scale, config: cfg, seed: cfg.seed });
}

const STREAM = { instances: 0, data: 1, init: 2, train: 3 } as const;

export interface SpdInstance {
  label: string;
  split: 'train' | 'test';
  /** μ in system.paramNames order */
  params: number[];
  /** [trajectory][sample] states (q, p), float64 */
  trajectories: Float64Array[][];
}

function muOf<P>(sys: SpdSystem<P>, params: readonly number[]): P {
  return Object.fromEntries(sys.system.paramNames.map((n, j) => [n, params[j]])) as P;
}

/** Instances and their trajectories (deterministic in the seed). */
export function simulateSpd<P>(sys: SpdSystem<P>, cfg: SpdConfig): SpdInstance[] {
  const names = sys.system.paramNames;
  const draw = streamFor(cfg.seed, STREAM.instances, 0);
  const ts = Array.from({ length: cfg.trajectoryPoints }, (_, i) => i * cfg.dt);
  const total = cfg.trainInstances + cfg.testInstances;
  const bar = progress(total, 'simulating instances');
  const out = Array.from({ length: total }, (_, index): SpdInstance => {
    const params = names.map((n) => draw.uniformIn(sys.system.paramBox[n][0], sys.system.paramBox[n][1]));
    const mu = muOf(sys, params);
    const rng = streamFor(cfg.seed, STREAM.data, index);
    const trajectories = Array.from({ length: cfg.trajectories }, () =>
      dopri5.solve(fieldAt(sys.system, mu), sys.system.sampleState(rng, mu), ts, { rtol: 1e-10, atol: 1e-12 }),
    );
    bar.update(index + 1);
    return {
      label: names.map((n, j) => `${n}=${formatNumber(params[j], 3)}`).join(', '),
      split: index < cfg.trainInstances ? 'train' : 'test',
      params,
      trajectories,
    };
  });
  bar.done();
  return out;
}

/** The states of `trajectories` with the exact field there, as one task (caller owns the tensors). */
export function trajectoryFieldTask<P>(sys: SpdSystem<P>, params: readonly number[], trajectories: readonly Float64Array[][]): FieldTask {
  const mu = muOf(sys, params);
  const states = trajectories.flat();
  const d = sys.system.stateDim;
  const xdot = states.map((s) => Array.from(sys.system.vectorField(s, mu)));
  return { x: tf.tensor2d(states.map((s) => Array.from(s)), [states.length, d]), xdot: tf.tensor2d(xdot, [states.length, d]) };
}

/** A meta-trained (or, for Scratch, initialised) method, ready for test-time adaptation. */
export type SpdModel =
  | { family: 'gradient'; method: GradientMethod; model: PlainFieldModel; params: tf.Tensor[] }
  | { family: 'latent'; model: LatentFieldModel<unknown>; params: unknown; codes: number[][] };

export interface TrainedMethod {
  method: SpdMethod;
  model: SpdModel;
  /** per outer iteration: the mean task loss (Algorithm 1, Reptile) or the post-adaptation query loss (MAML, ANIL) */
  lossHistory: number[];
  /** outer iterations run in this session (0 when a finished checkpoint was reused) */
  iterationsRun: number;
  seconds: number;
}

function baseSpec(cfg: SpdConfig, stateDim: number): MlpSpec {
  return hnnBaseSpec({ width: cfg.width, depth: cfg.depth, activation: 'tanh', beta: 1 }, stateDim);
}

function methodStore<S>(info: ExperimentInfo, cfg: SpdConfig, scale: Scale, method: SpdMethod) {
  return checkpointStore<S>(path.join(experimentCheckpointDir(info.id, scale, cfg), method.toLowerCase()), configHash(cfg));
}

/**
 * Meta-trains one method on the training instances' tasks (resumes or reuses its checkpoint). With `stopAfter`, stops
 * (checkpointed) once that many outer iterations are done, short of the config's: the checkpoint stays the config's,
 * so a later call with a larger `stopAfter`, or none, goes on from there. The outer step schedule spans the config's
 * iterations whatever `stopAfter` is, so stopping and going on gives the uninterrupted run's iterates (the
 * convergence study, ./spdConvergence.ts, reads them so: a milestone short of the horizon is mid-schedule).
 */
export function metaTrainMethod<P>(sys: SpdSystem<P>, cfg: SpdConfig, scale: Scale, method: SpdMethod, tasks: readonly FieldTask[], stopAfter?: number): TrainedMethod {
  if (stopAfter !== undefined && !(Number.isInteger(stopAfter) && stopAfter >= 1)) throw new ConfigError(`stopAfter must be a positive integer when given, got ${stopAfter}`);
  const until = (iterations: number) => stopIteration(iterations, stopAfter);
  const finalStep = (lr: number) => (cfg.outerLrFinalFraction === undefined ? undefined : lr * cfg.outerLrFinalFraction);
  const m = SPD_METHODS.indexOf(method);
  const kind = SPD_METHOD_KINDS[method];
  const base = baseSpec(cfg, sys.system.stateDim);
  const structure = structureOf(sys);
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  if (kind.family === 'latent') {
    const spec = modulationSpec(base, kind.kind, kind.kind === 'ro' ? { latentDim: cfg.latentDim } : { latentDim: cfg.latentDim, rank: cfg.rank });
    const latent = structure.latentModel(spec);
    const store = methodStore<SavedLatentMeta>(sys.info, cfg, scale, method);
    const saved = store.load();
    const start = saved
      ? restoreLatentMetaState(latent, saved)
      : { state: initLatentMetaState(latent, latent.init(streamFor(cfg.seed, STREAM.init, m)), tasks.length), rng: streamFor(cfg.seed, STREAM.train, m) };
    const before = start.state.iteration;
    const options = {
      outerIterations: cfg.metaIterations,
      taskBatch: cfg.taskBatch,
      innerSteps: cfg.latentInnerSteps,
      innerLr: cfg.latentInnerLr,
      innerMaxStep: cfg.latentInnerMaxStep,
      outerLr: cfg.latentOuterLr,
      outerLrFinal: finalStep(cfg.latentOuterLr),
      lambdaZ: cfg.lambdaZ,
      lambdaPhi: cfg.lambdaPhi,
      lambdaOrtho: cfg.lambdaOrtho,
      lambdaSparsity: cfg.lambdaSparsity,
      squaredNorms: false,
    };
    const s = latentMetaTrain(latent, start.state, tasks, options, start.rng, {
      progress: progress(until(cfg.metaIterations), `meta-training ${method}`),
      store,
      checkpointEvery: cfg.checkpointEvery,
      stopAfter,
    });
    const model: SpdModel = { family: 'latent', model: latent, params: s.params, codes: s.codes };
    disposeAdam(s.adam);
    return { method, model, lossHistory: s.lossHistory, iterationsRun: s.iteration - before, seconds: seconds() };
  }
  const plain = structure.plainModel(base);
  const init = plain.init(streamFor(cfg.seed, STREAM.init, m));
  if (kind.method === 'scratch') return { method, model: { family: 'gradient', method: 'scratch', model: plain, params: init }, lossHistory: [], iterationsRun: 0, seconds: seconds() };
  const store = methodStore<SavedOuterLoop>(sys.info, cfg, scale, method);
  const saved = store.load();
  let start: ReturnType<typeof restoreGradientMetaState>;
  if (saved) {
    tf.dispose(init);
    start = restoreGradientMetaState(saved);
  } else {
    start = { state: initGradientMetaState(plain, init), rng: streamFor(cfg.seed, STREAM.train, m) };
  }
  const before = start.state.iteration;
  const options = {
    ...DEFAULT_GRADIENT_META_OPTIONS,
    method: kind.method,
    outerIterations: cfg.gradientIterations,
    metaBatch: cfg.metaBatch,
    innerSteps: cfg.gradientInnerSteps,
    innerLr: cfg.gradientInnerLr,
    outerLr: cfg.gradientOuterLr,
    outerLrFinal: finalStep(cfg.gradientOuterLr),
    reptileStepSize: cfg.reptileStepSize,
    secondOrder: cfg.secondOrder,
  };
  const s = gradientMetaTrain(plain, start.state, tasks, options, start.rng, {
    progress: progress(until(cfg.gradientIterations), `meta-training ${method}`),
    store,
    checkpointEvery: cfg.checkpointEvery,
    stopAfter,
  });
  const params = s.params.map((t) => tf.clone(t));
  const { lossHistory, iteration } = s;
  disposeGradientMetaState(s);
  return { method, model: { family: 'gradient', method: kind.method, model: plain, params }, lossHistory, iterationsRun: iteration - before, seconds: seconds() };
}

/** Step 1: every method in SPD_METHODS order on the training instances. */
export function metaTrainAll<P>(sys: SpdSystem<P>, cfg: SpdConfig, scale: Scale, instances: readonly SpdInstance[]): TrainedMethod[] {
  const tasks = instances.filter((i) => i.split === 'train').map((i) => trajectoryFieldTask(sys, i.params, i.trajectories));
  try {
    return SPD_METHODS.map((method) => metaTrainMethod(sys, cfg, scale, method, tasks));
  } finally {
    disposeFieldTasks(tasks);
  }
}

export function disposeTrained(trained: readonly TrainedMethod[]): void {
  trained.forEach(({ model }) => tf.dispose(model.family === 'latent' ? model.model.tensors(model.params) : model.params));
}

/** An adapted model as the evaluation sees it: its field, its energy (H̃ or Ẽ) and, for GENERIC, its pieces. */
export interface AdaptedModel {
  field: TensorVectorField;
  /** x [rows, d] -> [rows, 1] (energy drift of the model's own energy, the level-set figure) */
  energy: TensorEnergy;
  parts?: (x: tf.Tensor2D) => TensorGenericParts;
}

/** One method adapted to one test instance: its field, the adapted latent (latent methods) and the losses. */
interface Adapted extends AdaptedModel {
  code: number[] | null;
  losses: number[];
  seconds: number;
  dispose(): void;
}

function adapt(cfg: SpdConfig, model: SpdModel, support: FieldTask): Adapted {
  const t0 = performance.now();
  if (model.family === 'latent') {
    const { code, losses } = autoDecode(model.model, model.params, model.codes, support, {
      adaptSteps: cfg.adaptSteps,
      lr: cfg.adaptLr,
      lambdaZ: cfg.lambdaZ,
      squaredNorms: false,
      init: cfg.latentInit,
    });
    const seconds = (performance.now() - t0) / 1000;
    const z = tf.tensor2d([code]);
    const rowCodes = (rows: number) => ({ codes: tf.tile(z, [rows, 1]) as tf.Tensor2D });
    const latent = model.model;
    const field: TensorVectorField = (t, x) => latent.field(model.params, rowCodes(x.shape[0]))(t, x);
    const energy = (x: tf.Tensor2D) => latent.energy(model.params, rowCodes(x.shape[0]))(x);
    const parts = latent.parts && ((x: tf.Tensor2D) => latent.parts!(model.params, rowCodes(x.shape[0]))(x));
    return { field, energy, parts, code, losses, seconds, dispose: () => z.dispose() };
  }
  const { params, losses } = gradientAdapt(model.model, model.params, support, {
    method: model.method,
    adaptSteps: cfg.adaptSteps,
    lr: model.method === 'scratch' ? cfg.scratchLr : cfg.gradientInnerLr,
  });
  const seconds = (performance.now() - t0) / 1000;
  // built at each call, so that their constant tensors live in the caller's tf.tidy
  const plain = model.model;
  const field: TensorVectorField = (t, x) => plain.field(params)(t, x);
  const energy = (x: tf.Tensor2D) => plain.energy(params)(x);
  const parts = plain.parts && ((x: tf.Tensor2D) => plain.parts!(params)(x));
  return { field, energy, parts, code: null, losses, seconds, dispose: () => tf.dispose(params) };
}

/** The four metrics of one method on one test instance (NaN or ∞ where the model diverged). */
export interface InstanceMetrics {
  fieldError: number;
  /** ε_field over the grid points inside the data's energy range (header); null where no grid point lies there */
  fieldErrorInData: number | null;
  trajError: number;
  ssim: number;
  energyDrift: number;
}

export interface MethodInstanceResult extends InstanceMetrics {
  instance: string;
  adaptSeconds: number;
  adaptLosses: number[];
  code: number[] | null;
  /** the structure's checks (SpdStructure.checks), if it has any */
  checks?: Record<string, number>;
}

export interface MethodEvaluation {
  method: SpdMethod;
  instances: MethodInstanceResult[];
  /** first test instance: the learned field on the grid [n²][2], H̃ there [n²] and the rollout of its first held-out trajectory [T][2] */
  preview: { grid: number[][]; hamiltonian: number[]; rollout: number[][] };
}

export interface SpdEvaluation {
  grid: { points: Float64Array[]; n: number };
  methods: MethodEvaluation[];
  /** first test instance: true field and H on the grid, its first held-out trajectory and its support states [N][2] */
  truth: { grid: number[][]; hamiltonian: number[]; rollout: number[][]; support: number[][] };
}

function toRows(t: tf.Tensor): number[][] {
  return t.arraySync() as number[][];
}

function pointsTensor(points: readonly Float64Array[]): tf.Tensor2D {
  return tf.tensor2d(points.map((p) => Array.from(p)));
}

/** The learned field on the grid points, [n²][d]. */
function fieldOnGrid(field: TensorVectorField, gridPoints: readonly Float64Array[]): number[][] {
  return tf.tidy(() => toRows(field(0, pointsTensor(gridPoints))));
}

/**
 * Which grid points lie inside the instance's data: H(x; μ) ≤ E_max, E_max the largest true energy along all its
 * trajectories (energy is conserved along each, so the data show the field on that sublevel set only).
 */
export function insideDataEnergy<P>(sys: SpdSystem<P>, instance: SpdInstance, gridPoints: readonly Float64Array[]): { energyMax: number; inside: boolean[] } {
  const mu = muOf(sys, instance.params);
  const energyMax = Math.max(...instance.trajectories.flat().map((x) => sys.hamiltonian(x, mu)));
  if (!Number.isFinite(energyMax)) throw new DataError(`${sys.info.id} ${instance.label}: the trajectories' energy is not finite`);
  return { energyMax, inside: gridPoints.map((x) => sys.hamiltonian(x, mu) <= energyMax) };
}

/** Metrics of a learned field on one test instance (spec §6, see the header). */
export function evaluateField<P>(
  sys: SpdSystem<P>,
  cfg: SpdConfig,
  instance: SpdInstance,
  model: AdaptedModel,
  gridPoints: readonly Float64Array[],
): InstanceMetrics & { grid: number[][]; rollouts: number[][][] } {
  const { field } = model;
  const mu = muOf(sys, instance.params);
  const heldOut = instance.trajectories.slice(cfg.supportTrajectories);
  const ts = heldOut[0].map((_, i) => i * cfg.dt);
  const grid = fieldOnGrid(field, gridPoints);
  const rollouts = tf.tidy(() => {
    const y = odeint(field, tf.tensor2d(heldOut.map((tr) => Array.from(tr[0]))), ts, { method: 'rk4', substeps: cfg.rolloutSubsteps });
    const r = y.arraySync() as number[][][]; // [T][trajectory][d]
    return heldOut.map((_, k) => r.map((atT) => atT[k]));
  });
  const truthGrid: Vectors = gridPoints.map((p) => sys.system.vectorField(p, mu));
  const { inside } = insideDataEnergy(sys, instance, gridPoints);
  const inData = <T>(values: readonly T[]) => values.filter((_, i) => inside[i]);
  const energies =
    structureOf(sys).drift === 'true'
      ? (tr: number[][]) => tr.map((s) => sys.hamiltonian(Float64Array.from(s), mu))
      : (tr: number[][]) => tf.tidy(() => Array.from(model.energy(tf.tensor2d(tr)).dataSync()));
  const drifts = rollouts.map((tr) => energyDrift(energies(tr)));
  return {
    fieldError: relativeFieldError(grid, truthGrid),
    fieldErrorInData: inside.some(Boolean) ? relativeFieldError(inData(grid), inData(truthGrid)) : null,
    trajError: relativeTrajectoryError(rollouts, heldOut),
    ssim: fieldSsim(grid, truthGrid, cfg.gridSize),
    energyDrift: drifts.reduce((s, v) => s + v, 0) / drifts.length,
    grid,
    rollouts,
  };
}

/** Step 2: adapt every method to every test instance with the same budget, timed, and evaluate it. */
export function adaptAndEvaluateAll<P>(sys: SpdSystem<P>, cfg: SpdConfig, instances: readonly SpdInstance[], trained: readonly TrainedMethod[]): SpdEvaluation {
  const test = instances.filter((i) => i.split === 'test');
  const { points } = vectorFieldGrid(sys.fieldGrid.box, cfg.gridSize, sys.fieldGrid.fixed);
  const { checks } = structureOf(sys);
  const first = test[0];
  const firstMu = muOf(sys, first.params);
  const bar = progress(trained.length * test.length, 'adapt + evaluate');
  const methods = trained.map(({ method, model }, mi): MethodEvaluation => {
    let preview: MethodEvaluation['preview'] = { grid: [], hamiltonian: [], rollout: [] };
    const results = test.map((ins, ti) => {
      const support = trajectoryFieldTask(sys, ins.params, ins.trajectories.slice(0, cfg.supportTrajectories));
      const adapted = adapt(cfg, model, support);
      disposeFieldTasks([support]);
      const e = evaluateField(sys, cfg, ins, adapted, points);
      const structureChecks = checks?.(adapted, { mu: muOf(sys, ins.params), heldOut: ins.trajectories.slice(cfg.supportTrajectories).flat(), grid: points });
      if (ti === 0) preview = { grid: e.grid, hamiltonian: tf.tidy(() => Array.from(adapted.energy(pointsTensor(points)).dataSync())), rollout: e.rollouts[0] };
      adapted.dispose();
      bar.update(mi * test.length + ti + 1, `${method} ${ins.label}`);
      return {
        instance: ins.label,
        fieldError: e.fieldError,
        fieldErrorInData: e.fieldErrorInData,
        trajError: e.trajError,
        ssim: e.ssim,
        energyDrift: e.energyDrift,
        adaptSeconds: adapted.seconds,
        adaptLosses: adapted.losses,
        code: adapted.code,
        ...(structureChecks ? { checks: structureChecks } : {}),
      };
    });
    return { method, instances: results, preview };
  });
  bar.done();
  return {
    grid: { points, n: cfg.gridSize },
    methods,
    truth: {
      grid: points.map((p) => Array.from(sys.system.vectorField(p, firstMu))),
      hamiltonian: points.map((p) => sys.hamiltonian(p, firstMu)),
      rollout: first.trajectories[cfg.supportTrajectories].map((s) => Array.from(s)),
      support: supportStates(cfg, first).map((s) => Array.from(s)),
    },
  };
}

/** A test instance's support set, N = supportTrajectories · trajectoryPoints states, trajectory by trajectory in time order. */
function supportStates(cfg: SpdConfig, instance: SpdInstance): Float64Array[] {
  return instance.trajectories.slice(0, cfg.supportTrajectories).flat();
}

/** The few-shot sizes: 5, 10, 20, 30 where below the support size N, then N itself (the main evaluation). */
export function fewShotSizes(cfg: SpdConfig): number[] {
  const total = cfg.supportTrajectories * cfg.trajectoryPoints;
  return [...[5, 10, 20, 30].filter((n) => n < total), total];
}

export interface FewShotSweep {
  /** numbers of support states, ascending; the last is the full support set */
  sizes: number[];
  /** per method, ε_field[size][test instance] */
  methods: { method: SpdMethod; fieldError: number[][] }[];
}

/**
 * Step 2b: every method adapted (same budget) on the first n support states of each test instance, for each n of
 * `fewShotSizes`; ε_field on the grid. The full set n = N is read from `evaluation` (the same adaptation).
 */
export function fewShotSweep<P>(sys: SpdSystem<P>, cfg: SpdConfig, instances: readonly SpdInstance[], trained: readonly TrainedMethod[], evaluation: SpdEvaluation): FewShotSweep {
  const test = instances.filter((i) => i.split === 'test');
  const sizes = fewShotSizes(cfg);
  const smaller = sizes.slice(0, -1);
  const points = evaluation.grid.points;
  const bar = progress(trained.length * smaller.length * test.length, 'few-shot sweep');
  let done = 0;
  const truths = test.map((ins) => points.map((p) => sys.system.vectorField(p, muOf(sys, ins.params))));
  const methods = trained.map(({ method, model }, mi) => {
    const fieldError = smaller.map((n) =>
      test.map((ins, ti) => {
        const support = trajectoryFieldTask(sys, ins.params, [supportStates(cfg, ins).slice(0, n)]);
        const adapted = adapt(cfg, model, support);
        disposeFieldTasks([support]);
        const error = relativeFieldError(fieldOnGrid(adapted.field, points), truths[ti]);
        adapted.dispose();
        bar.update(++done, `${method} n=${n} ${ins.label}`);
        return error;
      }),
    );
    return { method, fieldError: [...fieldError, evaluation.methods[mi].instances.map((r) => r.fieldError)] };
  });
  bar.done();
  return { sizes, methods };
}

export type LatentInit = SpdConfig['latentInit'];

export interface LatentInitAblation {
  /** per modulation method and start of z: ε_field and ε_traj per test instance */
  methods: { method: SpdMethod; byInit: Record<LatentInit, { fieldError: number[]; trajError: number[] }> }[];
}

/**
 * Step 2c: the modulation methods auto-decoded from z_avg and from 0 with the same budget; the configured start is
 * read from `evaluation`, the other one adapted and evaluated here.
 */
export function latentInitAblation<P>(sys: SpdSystem<P>, cfg: SpdConfig, instances: readonly SpdInstance[], trained: readonly TrainedMethod[], evaluation: SpdEvaluation): LatentInitAblation {
  const test = instances.filter((i) => i.split === 'test');
  const other: LatentInit = cfg.latentInit === 'mean' ? 'zero' : 'mean';
  const latent = trained.map((t, mi) => ({ ...t, mi })).filter((t) => t.model.family === 'latent');
  const bar = progress(latent.length * test.length, `latent start ${other}`);
  let done = 0;
  const methods = latent.map(({ method, model, mi }) => {
    const results = test.map((ins) => {
      const support = trajectoryFieldTask(sys, ins.params, ins.trajectories.slice(0, cfg.supportTrajectories));
      const adapted = adapt({ ...cfg, latentInit: other }, model, support);
      disposeFieldTasks([support]);
      const e = evaluateField(sys, cfg, ins, adapted, evaluation.grid.points);
      adapted.dispose();
      bar.update(++done, `${method} ${ins.label}`);
      return e;
    });
    const configured = evaluation.methods[mi].instances;
    const byInit = {
      [cfg.latentInit]: { fieldError: configured.map((r) => r.fieldError), trajError: configured.map((r) => r.trajError) },
      [other]: { fieldError: results.map((r) => r.fieldError), trajError: results.map((r) => r.trajError) },
    } as Record<LatentInit, { fieldError: number[]; trajError: number[] }>;
    return { method, byInit };
  });
  bar.done();
  return { methods };
}

/** A finite number, or null (JSON has no NaN / ∞: a diverged method). */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export interface MeanStdJson {
  mean: number | null;
  std: number | null;
}

export function meanStdJson(values: readonly number[]): MeanStdJson {
  const s: MeanStd = meanStd(values);
  return { mean: finiteOrNull(s.mean), std: finiteOrNull(s.std) };
}

/** Mean ± std over the values that are defined (not null; NaN and ∞ still make the mean null), and how many. */
function definedMeanStd(values: readonly (number | null)[]): MeanStdJson & { instances: number } {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? { mean: null, std: null, instances: 0 } : { ...meanStdJson(defined), instances: defined.length };
}

/** One row of the results contract. */
export interface SpdTableRow {
  method: SpdMethod;
  fieldError: MeanStdJson;
  /** over the `instances` test instances where it is defined */
  fieldErrorInData: MeanStdJson & { instances: number };
  trajError: MeanStdJson;
  ssim: MeanStdJson;
  energyDrift: MeanStdJson;
  /** mean wall time of one test-time adaptation (adaptSteps steps) */
  adaptSeconds: number;
}

export function spdTableRows(evaluation: SpdEvaluation): SpdTableRow[] {
  return evaluation.methods.map(({ method, instances }) => ({
    method,
    fieldError: meanStdJson(instances.map((r) => r.fieldError)),
    fieldErrorInData: definedMeanStd(instances.map((r) => r.fieldErrorInData)),
    trajError: meanStdJson(instances.map((r) => r.trajError)),
    ssim: meanStdJson(instances.map((r) => r.ssim)),
    energyDrift: meanStdJson(instances.map((r) => r.energyDrift)),
    adaptSeconds: instances.reduce((s, r) => s + r.adaptSeconds, 0) / instances.length,
  }));
}

type PaperBlock = { scale?: number; table?: Record<string, Record<string, number | string | null>> } | undefined;

/** A paper number from the reference entry: values[version].table[method][metric] × values[version].scale, or null. */
export function paperValue(reference: PaperReference, version: string, method: SpdMethod, metric: 'fieldError' | 'trajError'): number | null {
  const block = reference.values?.[version] as PaperBlock;
  const v = block?.table?.[method]?.[metric];
  return typeof v === 'number' && typeof block?.scale === 'number' ? v * block.scale : null;
}

/** The marker the reference file uses where the paper reports that a method diverged (NaN) instead of a number. */
export const PAPER_DIVERGED = 'diverged';

/** The paper's cell of the benchmark table: its number, "diverged (paper: NaN)" where it reports divergence, or —. */
export function paperCell(reference: PaperReference, version: string, method: SpdMethod, metric: 'fieldError' | 'trajError'): string {
  const block = reference.values?.[version] as PaperBlock;
  if (block?.table?.[method]?.[metric] === PAPER_DIVERGED) return 'diverged (NaN)';
  const v = paperValue(reference, version, method, metric);
  return v === null ? '—' : formatNumber(v, 3);
}

const MODULATION_METHODS: readonly SpdMethod[] = SPD_METHODS.filter((m) => SPD_METHOD_KINDS[m].family === 'latent');
const OPTIMISATION_METHODS: readonly SpdMethod[] = ['MAML', 'ANIL', 'Reptile'];

/** The paper's claim checked on our means: every modulation beats Scratch and the optimisation-based methods, and SVD or RO is best. */
export function rankingCheck(rows: readonly Pick<SpdTableRow, 'method' | 'fieldError' | 'trajError'>[], metric: 'fieldError' | 'trajError') {
  const mean = (m: SpdMethod) => rows.find((r) => r.method === m)?.[metric].mean ?? Infinity;
  const best = (ms: readonly SpdMethod[]) => ms.reduce((b, m) => (mean(m) < mean(b) ? m : b));
  const bestModulation = best(MODULATION_METHODS);
  const bestBaseline = best(['Scratch', ...OPTIMISATION_METHODS]);
  const worstModulation = MODULATION_METHODS.reduce((w, m) => (mean(m) > mean(w) ? m : w));
  return {
    metric,
    bestModulation,
    bestBaseline,
    modulationsBeatBaselines: mean(worstModulation) < mean(bestBaseline),
    svdOrRoBest: (['SVD', 'RO'] as SpdMethod[]).includes(best(SPD_METHODS)),
  };
}

export interface SpdSummary {
  metrics: Record<string, unknown>;
  table: Table;
  /** the studies' tables by file stem (`withStudies`): written as .csv and .md and shown in the README section */
  studyTables: Record<string, Table>;
  figures: Record<string, PlotlyFigure>;
}

export const formatMeanStd = (s: MeanStdJson) => (s.mean === null ? 'diverged' : `${formatNumber(s.mean, 3)} ± ${formatNumber(s.std ?? NaN, 2)}`);

/** method × metric, ours beside the paper's (v2 main table; v1 Table 1 where it has a number). */
export function benchmarkTable(rows: readonly SpdTableRow[], reference: PaperReference): Table {
  return {
    columns: ['method', 'ε_field', 'ε_field (paper v2)', 'ε_traj', 'ε_traj (paper v2)', 'ε_traj (paper v1)', 'ε_field in data', 'SSIM', 'energy drift', 'adaptation (s)'],
    rows: rows.map((r) => [
      r.method,
      formatMeanStd(r.fieldError),
      paperCell(reference, 'v2', r.method, 'fieldError'),
      formatMeanStd(r.trajError),
      paperCell(reference, 'v2', r.method, 'trajError'),
      paperCell(reference, 'v1', r.method, 'trajError'),
      r.fieldErrorInData.instances === 0 ? '— (no grid point in the data)' : formatMeanStd(r.fieldErrorInData),
      formatMeanStd(r.ssim),
      formatMeanStd(r.energyDrift),
      r.adaptSeconds,
    ]),
  };
}

function magnitudeImage(values: Vectors, n: number): number[][] {
  const [a, b] = [fieldComponentImage(values, n, 0), fieldComponentImage(values, n, 1)];
  return a.map((row, i) => row.map((v, j) => Math.hypot(v, b[i][j])));
}

/** The grid's axes, read back from its row-major points (first coordinate along the columns). */
function gridAxes(grid: SpdEvaluation['grid']): { q: number[]; p: number[] } {
  const n = grid.n;
  return { q: grid.points.slice(0, n).map((pt) => pt[0]), p: Array.from({ length: n }, (_, i) => grid.points[i * n][1]) };
}

/**
 * |f| on the grid: the target (with the few-shot support states marked) and each method's learned field on the first
 * test instance, every panel in the grid's (q, p) with the grid's extent.
 */
export function vectorFieldsFigure(evaluation: SpdEvaluation, instanceLabel: string): PlotlyFigure {
  const n = evaluation.grid.n;
  const { q, p } = gridAxes(evaluation.grid);
  const support = evaluation.truth.support;
  const points = { name: 'support states', x: support.map((s) => s[0]), y: support.map((s) => s[1]) };
  return fieldSnapshotsFigure({
    title: `|ẋ| on the field grid, first test instance (${instanceLabel}): target (× support states) and each method after adaptation`,
    colorTitle: '|ẋ|',
    axes: { x: q, y: p, xTitle: 'q', yTitle: 'p' },
    panels: [{ title: 'target', z: magnitudeImage(evaluation.truth.grid, n), points }, ...evaluation.methods.map((m) => ({ title: m.method, z: magnitudeImage(m.preview.grid, n) }))],
  });
}

/** Methods whose learned Hamiltonian is drawn: the paper's best modulation and the canonical meta-learning baseline. */
export const LEVEL_SET_METHODS: readonly SpdMethod[] = ['SVD', 'MAML'];

/** H on the grid as an image [n][n] (row i: p = p_i), shifted so that its smallest finite value is 0. */
function shiftedImage(values: readonly number[], n: number): number[][] {
  const min = Math.min(...values.filter((v) => Number.isFinite(v)));
  return Array.from({ length: n }, (_, i) => values.slice(i * n, (i + 1) * n).map((v) => v - min));
}

/**
 * Level sets of the true H and of the adapted H̃ of LEVEL_SET_METHODS on the first test instance, each min-shifted
 * to 0 (`names`: the symbols of a GENERIC system's E and Ẽ instead).
 */
export function levelSetsFigure(evaluation: SpdEvaluation, instanceLabel: string, names: SpdStructure['energyNames'] = HNN_STRUCTURE.energyNames): PlotlyFigure {
  const n = evaluation.grid.n;
  const { q, p } = gridAxes(evaluation.grid);
  const learned = LEVEL_SET_METHODS.flatMap((name) => evaluation.methods.filter((m) => m.method === name)).map((m) => ({ title: `${m.method} ${names.learned}`, z: shiftedImage(m.preview.hamiltonian, n) }));
  return contourFigure({
    title: `Level sets of the ${names.noun}, first test instance (${instanceLabel}), each shifted to min 0 on the grid`,
    xTitle: 'q',
    yTitle: 'p',
    x: q,
    y: p,
    colorTitle: `${names.truth} − min ${names.truth}`,
    panels: [{ title: `true ${names.truth}`, z: shiftedImage(evaluation.truth.hamiltonian, n) }, ...learned],
  });
}

/** Mean ε_field over the test instances against the number of support states, one line per method. */
export function fewShotSweepFigure(sweep: FewShotSweep): PlotlyFigure {
  return lineFigure({
    title: 'Few-shot sweep: ε_field (mean over test instances) against the number of support states',
    xTitle: 'support states n',
    yTitle: 'ε_field',
    logY: true,
    series: sweep.methods.map((m) => ({ name: m.method, x: sweep.sizes, y: m.fieldError.map((e) => meanStdJson(e).mean ?? NaN) })),
  });
}

export function fewShotTable(sweep: FewShotSweep): Table {
  return { columns: ['method', ...sweep.sizes.map((n) => `ε_field, n = ${n}`)], rows: sweep.methods.map((m) => [m.method, ...m.fieldError.map((e) => formatMeanStd(meanStdJson(e)))]) };
}

export function latentInitTable(ablation: LatentInitAblation): Table {
  return {
    columns: ['method', 'ε_field from z_avg', 'ε_field from 0', 'ε_traj from z_avg', 'ε_traj from 0'],
    rows: ablation.methods.map(({ method, byInit }) => [
      method,
      formatMeanStd(meanStdJson(byInit.mean.fieldError)),
      formatMeanStd(meanStdJson(byInit.zero.fieldError)),
      formatMeanStd(meanStdJson(byInit.mean.trajError)),
      formatMeanStd(meanStdJson(byInit.zero.trajError)),
    ]),
  };
}

/** Step 3b: the few-shot sweep and the latent-initialisation ablation added to the summary (metrics, tables, figure). */
export function withStudies(s: SpdSummary, sweep: FewShotSweep, ablation: LatentInitAblation): SpdSummary {
  const metrics = {
    ...s.metrics,
    fewShotSweep: {
      sizes: sweep.sizes,
      selection: 'the first n support states in time order',
      methods: sweep.methods.map((m) => ({ method: m.method, fieldError: m.fieldError.map(meanStdJson) })),
    },
    latentInitAblation: ablation.methods.map(({ method, byInit }) => ({
      method,
      mean: { fieldError: meanStdJson(byInit.mean.fieldError), trajError: meanStdJson(byInit.mean.trajError) },
      zero: { fieldError: meanStdJson(byInit.zero.fieldError), trajError: meanStdJson(byInit.zero.trajError) },
    })),
  };
  return {
    metrics,
    table: s.table,
    studyTables: { ...s.studyTables, 'few-shot-sweep': fewShotTable(sweep), 'latent-init-ablation': latentInitTable(ablation) },
    figures: { ...s.figures, 'few-shot-sweep': fewShotSweepFigure(sweep) },
  };
}

export function phasePortraitsFigure(evaluation: SpdEvaluation, instanceLabel: string): PlotlyFigure {
  const xy = (rows: readonly number[][]) => ({ x: rows.map((s) => s[0]), y: rows.map((s) => s[1]) });
  return phasePortraitGrid({
    title: `Held-out rollout of the first test instance (${instanceLabel}) after adaptation`,
    xTitle: 'q',
    yTitle: 'p',
    columns: 5,
    panels: evaluation.methods.map((m) => ({ title: m.method, truth: xy(evaluation.truth.rollout), predicted: [{ name: m.method, ...xy(m.preview.rollout) }] })),
  });
}

export function trainingCurvesFigure(trained: readonly TrainedMethod[]): PlotlyFigure {
  return lineFigure({
    title: 'Meta-training loss per outer iteration',
    xTitle: 'outer iteration',
    yTitle: 'loss',
    logY: true,
    series: trained.filter((t) => t.lossHistory.length > 0).map((t) => ({ name: t.method, x: t.lossHistory.map((_, i) => i + 1), y: t.lossHistory })),
  });
}

/** PCA of a latent method's training latents and adapted test latents, one figure per physical parameter (colour). */
export function latentPcaFigures<P>(sys: SpdSystem<P>, instances: readonly SpdInstance[], trained: TrainedMethod, evaluation: MethodEvaluation): { figures: Record<string, PlotlyFigure>; explainedVariance: number[] } {
  if (trained.model.family !== 'latent') throw new ConfigError(`latentPcaFigures: ${trained.method} has no latent codes`);
  const train = instances.filter((i) => i.split === 'train');
  const test = instances.filter((i) => i.split === 'test');
  const codes = [...trained.model.codes, ...evaluation.instances.map((r) => r.code ?? [])];
  const all = [...train, ...test];
  const result = pca(codes);
  const second = (row: readonly number[]) => (row.length > 1 ? row[1] : 0);
  const figures = Object.fromEntries(
    sys.paramLabels.map((label, j) => [
      `latent-pca-${sys.system.paramNames[j]}`,
      scatterFigure({
        title: `${trained.method} latents (train and adapted test) on the first two principal components, coloured by ${label}`,
        xTitle: 'PC 1',
        yTitle: 'PC 2',
        points: {
          x: result.projected.map((r) => r[0]),
          y: result.projected.map(second),
          text: all.map((i) => `${i.split}: ${i.label}`),
          color: all.map((i) => i.params[j]),
          colorTitle: label,
        },
      }),
    ]),
  );
  return { figures, explainedVariance: result.explainedVarianceRatio };
}

/** Step 3: the results contract, the benchmark table and every figure. */
export function summariseSpd<P>(
  sys: SpdSystem<P>,
  instances: readonly SpdInstance[],
  trained: readonly TrainedMethod[],
  evaluation: SpdEvaluation,
  reference: PaperReference = paperReference(sys.info.id),
): SpdSummary {
  const rows = spdTableRows(evaluation);
  const firstTest = instances.filter((i) => i.split === 'test')[0].label;
  const svdIndex = trained.findIndex((t) => t.method === 'SVD');
  const latent = latentPcaFigures(sys, instances, trained[svdIndex], evaluation.methods[svdIndex]);
  const metrics = {
    table: rows,
    paperReference: reference,
    ranking: { fieldError: rankingCheck(rows, 'fieldError'), trajError: rankingCheck(rows, 'trajError') },
    physicalParameters: sys.system.paramNames,
    instances: instances.map((i) => ({ label: i.label, split: i.split, params: i.params })),
    svdLatentExplainedVariance: latent.explainedVariance,
    training: trained.map((t) => ({
      method: t.method,
      iterations: t.lossHistory.length,
      iterationsRun: t.iterationsRun,
      seconds: t.seconds,
      finalLoss: t.lossHistory.length ? finiteOrNull(t.lossHistory[t.lossHistory.length - 1]) : null,
    })),
    perInstance: evaluation.methods.map((m) => ({
      method: m.method,
      instances: m.instances.map((r) => ({
        instance: r.instance,
        fieldError: finiteOrNull(r.fieldError),
        fieldErrorInData: r.fieldErrorInData === null ? null : finiteOrNull(r.fieldErrorInData),
        trajError: finiteOrNull(r.trajError),
        ssim: finiteOrNull(r.ssim),
        energyDrift: finiteOrNull(r.energyDrift),
        adaptSeconds: r.adaptSeconds,
        supportLossBefore: finiteOrNull(r.adaptLosses[0]),
        supportLossAfter: finiteOrNull(r.adaptLosses[r.adaptLosses.length - 1]),
      })),
    })),
  };
  const figures: Record<string, PlotlyFigure> = {
    'vector-fields': vectorFieldsFigure(evaluation, firstTest),
    [structureOf(sys).energyNames.figure]: levelSetsFigure(evaluation, firstTest, structureOf(sys).energyNames),
    'phase-portraits': phasePortraitsFigure(evaluation, firstTest),
    'training-curves': trainingCurvesFigure(trained),
    ...latent.figures,
  };
  const summary: SpdSummary = { metrics, table: benchmarkTable(rows, reference), studyTables: {}, figures };
  const { summarise } = structureOf(sys);
  return summarise ? summarise(summary, { instances, evaluation }) : summary;
}

const STUDY_CAPTIONS: Record<string, string> = {
  'few-shot-sweep': 'Few-shot sweep, ε_field against the number n of support states (the first n in time order)',
  'latent-init-ablation': 'Latent initialisation at test time, z_avg (spec) against 0',
  degeneracy: "GENERIC structure checks of every adapted model on held-out states (float32), worst over the test instances: the degeneracy residuals, M̃'s smallest eigenvalue, and dẼ/dt, dS̃/dt of the model's own field",
  decomposition: 'The learned GENERIC pieces against the true ones on the field grid (relative ℓ² error, mean ± std over the test instances): a right total field does not mean right pieces',
};

/** One metric's ranking check as a sentence. */
export function rankingSentence(r: ReturnType<typeof rankingCheck>): string {
  return `${r.metric}: best modulation ${r.bestModulation}, best of Scratch/MAML/ANIL/Reptile ${r.bestBaseline}; every modulation below every baseline: ${r.modulationsBeatBaselines ? 'yes' : 'no'}; SVD or RO best overall: ${r.svdOrRoBest ? 'yes' : 'no'}.`;
}

/** The README section: provenance line, the benchmark table beside the paper's numbers, and the ranking check. */
export function spdReadmeSnippet(summary: SpdSummary, provenance: Provenance, reference: PaperReference): string {
  const ranking = summary.metrics.ranking as Record<'fieldError' | 'trajError', ReturnType<typeof rankingCheck>>;
  return [
    `${provenanceLine(provenance)} Mean ± std over the test instances; paper values from ${reference.source}.`,
    '',
    tableToMarkdown(summary.table, { digits: 3 }),
    '',
    `The paper's ranking (modulations well below Scratch and the optimisation-based methods; SVD/RO best), checked on our means — ${rankingSentence(ranking.fieldError)} ${rankingSentence(ranking.trajError)}`,
    '',
    ...Object.entries(summary.studyTables).flatMap(([name, table]) => [`${STUDY_CAPTIONS[name] ?? name}:`, '', tableToMarkdown(table, { digits: 3 }), '']),
  ].join('\n');
}

/** Step 4: write metrics, the benchmark table, the README section, figures and provenance, atomically. */
export function writeSpdResults(info: ExperimentInfo, scale: Scale, summary: SpdSummary, provenance: ProvenanceRecorder): string {
  const dir = experimentResultsDir(info.id, scale);
  const finished = provenance.finish();
  writeResults(dir, {
    metrics: summary.metrics,
    provenance: finished,
    tables: {
      'benchmark.csv': tableToCsv(summary.table),
      'benchmark.md': tableToMarkdown(summary.table, { digits: 3 }),
      'readme.md': spdReadmeSnippet(summary, finished, paperReference(info.id)),
      ...Object.fromEntries(Object.entries(summary.studyTables).flatMap(([name, table]) => [[`${name}.csv`, tableToCsv(table)], [`${name}.md`, tableToMarkdown(table, { digits: 3 })]])),
    },
    figures: summary.figures,
  });
  return dir;
}

/** The whole experiment, as the notebook runs it cell by cell. */
export async function runSpdHamiltonian<P>(sys: SpdSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): Promise<{ dir: string; summary: SpdSummary }> {
  await initBackend();
  const cfg = resolveSpdConfig(sys, scale, overrides);
  const prov = startSpdProvenance(sys.info, cfg, scale);
  const instances = simulateSpd(sys, cfg);
  const trained = metaTrainAll(sys, cfg, scale, instances);
  try {
    const evaluation = adaptAndEvaluateAll(sys, cfg, instances, trained);
    const studies = [fewShotSweep(sys, cfg, instances, trained, evaluation), latentInitAblation(sys, cfg, instances, trained, evaluation)] as const;
    const summary = withStudies(summariseSpd(sys, instances, trained, evaluation), ...studies);
    return { dir: writeSpdResults(sys.info, scale, summary, prov), summary };
  } finally {
    disposeTrained(trained);
  }
}
