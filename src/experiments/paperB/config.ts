/**
 * Paper B's config (the Hamiltonian and GENERIC benchmarks share it): the schema, its four scales (smoke, default,
 * paper, converged; a GENERIC system overrides some fields, ../paperBGeneric.ts `genericScales`) and the validated
 * config of a scale with overrides.
 */
import { type ConfigOf, type Scale, type ScaleTable } from '../../core/config';
import { ConfigError } from '../../core/errors';
import { DEFAULT_GRADIENT_META_OPTIONS } from '../../meta/gradientBaselines';
import { DEFAULT_AUTO_DECODE_OPTIONS, DEFAULT_LATENT_META_OPTIONS } from '../../meta/latentModulation';
import { DEFAULT_LATENT_DIM, DEFAULT_RANK } from '../../modulation/modulation';
import { resolveConfig } from '../experiment';
import type { PaperBSystem } from './system';

export const paperBSchema = {
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
  gradientInnerMaxStep: {
    kind: 'number',
    exclusiveMin: 0,
    optional: true,
    doc: 'when given, the largest ℓ2 norm (over all adapted tensors) of one inner and test-time SGD step of MAML / ANIL / Reptile (absent: no limit, the spec)',
  },
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

export type PaperBConfig = ConfigOf<typeof paperBSchema>;

const LATENT = DEFAULT_LATENT_META_OPTIONS;
const GRADIENT = DEFAULT_GRADIENT_META_OPTIONS;

/**
 * paper: the spec's sizes (§2.0, §3.1, §4, §9), all [INF] where the spec marks them so; 20,000 outer iterations of
 * each of 9 meta-learners is hours on 2 cores.
 */
export const PAPER_B_PAPER: PaperBConfig = {
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
export const PAPER_B_DEFAULT: PaperBConfig = {
  ...PAPER_B_PAPER,
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
export const PAPER_B_SMOKE: PaperBConfig = {
  ...PAPER_B_DEFAULT,
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
export const PAPER_B_CONVERGED: PaperBConfig = {
  ...PAPER_B_DEFAULT,
  trainInstances: 70,
  metaIterations: 2000,
  gradientIterations: 2000,
  latentOuterLr: 3e-3,
  gradientOuterLr: 3e-3,
  outerLrFinalFraction: 0.1,
  latentInnerMaxStep: 1,
};

export const PAPER_B_SCALES: ScaleTable<PaperBConfig> = { smoke: PAPER_B_SMOKE, default: PAPER_B_DEFAULT, paper: PAPER_B_PAPER, converged: PAPER_B_CONVERGED };

/** The validated config of `scale` with `overrides`; cross-field checks name the field. */
export function resolvePaperBConfig<P>(sys: PaperBSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): PaperBConfig {
  const cfg = resolveConfig<PaperBConfig>(paperBSchema, sys.scales, scale, overrides, sys.info.id);
  if (cfg.supportTrajectories >= cfg.trajectories) {
    throw new ConfigError(`supportTrajectories must be less than trajectories = ${cfg.trajectories} (the rest are held out), got ${cfg.supportTrajectories}`);
  }
  return cfg;
}
