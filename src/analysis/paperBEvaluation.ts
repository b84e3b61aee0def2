/**
 * Paper B's evaluation (spec §6) and its two studies, for every method of ../meta/paperBMethods.ts adapted to every
 * test instance with the same budget.
 *
 *   support    a test instance's first `supportTrajectories` trajectories are its few-shot support set (spec
 *              default 1 = 30 points); the others are held out.
 *   metrics    on each test instance (mean ± population std over the test instances is the tables' business):
 *              ε_field = ‖f̂ − f‖₂ / ‖f‖₂ on a gridSize × gridSize grid of the system's field box;
 *              ε_field in data = the same ratio over the grid points x with H(x; μ) ≤ E_max, E_max the largest true
 *                        energy along the instance's trajectories (support and held-out): the sublevel set the
 *                        energy-conserving data can show. Beyond it ε_field measures extrapolation (our diagnostic,
 *                        not the paper's; ../experiments/paperBFieldCoverage.ts measures how much of the grid lies
 *                        beyond). Undefined (null) where no grid point lies in that set (a coarse smoke grid, a
 *                        small-energy instance);
 *              ε_traj  = mean over held-out trajectories of ‖X̂ − X‖₂ / ‖X‖₂, X̂ the RK4 rollout of the learned
 *                        field from the held-out initial state over the data times;
 *              ε_traj(t) = the same over the samples up to time t (its horizon curve, ./metrics.ts), and ε_traj
 *                        over the first third of the samples (our diagnostic: the paper does not give its
 *                        horizon, and a small frequency error makes ε_traj grow with it);
 *              SSIM    = mean over the two field components of SSIM(true image, learned image) on that grid,
 *                        Gaussian window 11, σ 1.5, data range max − min of the true component (Wang et al. 2004);
 *              energy drift = mean over held-out rollouts of max_t |E(X̂(t)) − E(X̂(0))|: the TRUE Hamiltonian along
 *                        the learned flow (spec §6, optional check [INF]; structure drift 'true'), or the model's OWN
 *                        energy (drift 'model', the GENERIC first law).
 *              A diverged method yields NaN or ∞.
 *   studies    (after meta-training, adaptation only)
 *              few-shot sweep: every method adapted on the first n support states in time order (a growing
 *                        observation window of the support trajectory), n ∈ {5, 10, 20, 30} below the support size
 *                        N plus N itself (N = supportTrajectories · trajectoryPoints; n = N is the main evaluation);
 *                        ε_field per n and test instance.
 *              latent-initialisation ablation: the modulation methods auto-decoded from z_avg and from 0 (spec v2),
 *                        ε_field and ε_traj of both starts (the configured start is the main evaluation).
 *
 * Analysis knows nothing of training: a method is seen only through `EvaluatedMethod` (its name, its family, and how
 * it adapts to a support set), which ../meta/paperBMethods.ts `TrainedMethod` satisfies.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../core/errors';
import { type FieldTask, disposeFieldTasks } from '../data/fieldTask';
import { progress } from '../core/progress';
import type { State } from '../core/state';
import type { TensorEnergy, TensorGenericParts } from '../models/fieldModel';
import { type TensorVectorField, odeint } from '../nn/odeint';
import type { System } from '../systems/types';
import { type Vectors, energyDrift, fieldSsim, firstThirdSamples, relativeFieldError, trajectoryErrorByHorizon, vectorFieldGrid } from './metrics';

export interface PaperBInstance {
  label: string;
  split: 'train' | 'test';
  /** μ in system.paramNames order */
  params: number[];
  /** [trajectory][sample] states, float64 */
  trajectories: Float64Array[][];
}

/** How a system's learned energy is checked: drift of the TRUE energy or of the model's OWN, and extra checks. */
export interface EvaluatedStructure {
  drift: 'true' | 'model';
  /**
   * structure checks of one adapted model on one test instance, while it is alive (GENERIC: degeneracy residuals on
   * held-out states, the decomposition against the true one on the grid); kept per instance as `checks`
   */
  checks?(model: AdaptedModel, context: { mu: unknown; heldOut: readonly Float64Array[]; grid: readonly Float64Array[] }): Record<string, number>;
}

/** An adapted model as the evaluation sees it: its field, its energy (H̃ or Ẽ) and, for GENERIC, its pieces. */
export interface AdaptedModel {
  field: TensorVectorField;
  /** x [rows, d] -> [rows, 1] (energy drift of the model's own energy, the level-set figure) */
  energy: TensorEnergy;
  parts?: (x: tf.Tensor2D) => TensorGenericParts;
}

/** One method adapted to one support set: the model, the adapted z (modulation methods), the support losses. */
export type Adaptation = AdaptedModel & { code: number[] | null; losses: number[]; dispose(): void };

/** A method as the evaluation sees it, adapting with the settings A (the evaluation's config has them). */
export interface EvaluatedMethod<M extends string, A> {
  method: M;
  /** 'modulation' for the methods with a latent z (the ablation's) */
  family: string;
  /** `adaptSteps` steps on the support set (not consumed), from the start of z `cfg.latentInit` */
  adapt(support: FieldTask, cfg: A): Adaptation;
}

/** What the evaluation reads of a system. */
export interface EvaluatedSystem<P> {
  info: { id: string };
  system: System<P>;
  /** the true energy (H; the total energy E of a GENERIC system) */
  hamiltonian(x: State, mu: P): number;
  /** the box of the ε_field grid over (q, p), and the values of the other coordinates on that slice */
  fieldGrid: { readonly box: readonly [readonly [number, number], readonly [number, number]]; readonly fixed?: readonly number[] };
  /** default: the HNN's, the true energy's drift and no checks */
  structure?: EvaluatedStructure;
}

/** The settings the evaluation reads. */
export interface EvaluationConfig {
  /** the start of z at test time: z_avg or 0 */
  latentInit: 'mean' | 'zero';
  supportTrajectories: number;
  trajectoryPoints: number;
  dt: number;
  rolloutSubsteps: number;
  gridSize: number;
}

export function muOf<P>(sys: EvaluatedSystem<P>, params: readonly number[]): P {
  return Object.fromEntries(sys.system.paramNames.map((n, j) => [n, params[j]])) as P;
}

/** The states of `trajectories` with the exact field there, as one task (caller owns the tensors). */
export function trajectoryFieldTask<P>(sys: EvaluatedSystem<P>, params: readonly number[], trajectories: readonly Float64Array[][]): FieldTask {
  const mu = muOf(sys, params);
  const states = trajectories.flat();
  const d = sys.system.stateDim;
  const xdot = states.map((s) => Array.from(sys.system.vectorField(s, mu)));
  return { x: tf.tensor2d(states.map((s) => Array.from(s)), [states.length, d]), xdot: tf.tensor2d(xdot, [states.length, d]) };
}

/** The four metrics of one method on one test instance (NaN or ∞ where the model diverged). */
export interface InstanceMetrics {
  fieldError: number;
  /** ε_field over the grid points inside the data's energy range (header); null where no grid point lies there */
  fieldErrorInData: number | null;
  trajError: number;
  /** ε_traj over the first firstThirdSamples(T) samples */
  trajErrorFirstThird: number;
  /** ε_traj over the first k samples, k = 2 … T (trajectoryErrorByHorizon); its last entry is trajError */
  trajErrorByHorizon: number[];
  ssim: number;
  energyDrift: number;
}

export interface MethodInstanceResult extends InstanceMetrics {
  instance: string;
  adaptSeconds: number;
  adaptLosses: number[];
  code: number[] | null;
  /** the structure's checks (EvaluatedStructure.checks), if it has any */
  checks?: Record<string, number>;
}

export interface MethodEvaluation<M extends string = string> {
  method: M;
  instances: MethodInstanceResult[];
  /** first test instance: the learned field on the grid [n²][2], H̃ there [n²] and the rollout of its first held-out trajectory [T][2] */
  preview: { grid: number[][]; hamiltonian: number[]; rollout: number[][] };
}

export interface PaperBEvaluation<M extends string = string> {
  grid: { points: Float64Array[]; n: number };
  methods: MethodEvaluation<M>[];
  /** the horizons of every result's trajErrorByHorizon: the data times after the first, (k − 1)·dt for k = 2 … T */
  horizonTimes: number[];
  /** first test instance: true field and H on the grid, its first held-out trajectory and its support states [N][2] */
  truth: { grid: number[][]; hamiltonian: number[]; rollout: number[][]; support: number[][] };
}

function pointsTensor(points: readonly Float64Array[]): tf.Tensor2D {
  return tf.tensor2d(points.map((p) => Array.from(p)));
}

/** The learned field on the grid points, [n²][d]. */
function fieldOnGrid(field: TensorVectorField, gridPoints: readonly Float64Array[]): number[][] {
  return tf.tidy(() => field(0, pointsTensor(gridPoints)).arraySync() as number[][]);
}

/** One method adapted to one support set (consumed: freed here), timed. */
function adaptTimed<A>(trained: EvaluatedMethod<string, A>, cfg: A, support: FieldTask): Adaptation & { seconds: number } {
  const t0 = performance.now();
  const adapted = trained.adapt(support, cfg);
  const seconds = (performance.now() - t0) / 1000;
  disposeFieldTasks([support]);
  return { ...adapted, seconds };
}

/**
 * Which grid points lie inside the instance's data: H(x; μ) ≤ E_max, E_max the largest true energy along all its
 * trajectories (energy is conserved along each, so the data show the field on that sublevel set only).
 */
export function insideDataEnergy<P>(sys: EvaluatedSystem<P>, instance: PaperBInstance, gridPoints: readonly Float64Array[]): { energyMax: number; inside: boolean[] } {
  const mu = muOf(sys, instance.params);
  const energyMax = Math.max(...instance.trajectories.flat().map((x) => sys.hamiltonian(x, mu)));
  if (!Number.isFinite(energyMax)) throw new DataError(`${sys.info.id} ${instance.label}: the trajectories' energy is not finite`);
  return { energyMax, inside: gridPoints.map((x) => sys.hamiltonian(x, mu) <= energyMax) };
}

/** Metrics of a learned field on one test instance (spec §6, see the header). */
export function evaluateField<P>(
  sys: EvaluatedSystem<P>,
  cfg: EvaluationConfig,
  instance: PaperBInstance,
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
    (sys.structure?.drift ?? 'true') === 'true'
      ? (tr: number[][]) => tr.map((s) => sys.hamiltonian(Float64Array.from(s), mu))
      : (tr: number[][]) => tf.tidy(() => Array.from(model.energy(tf.tensor2d(tr)).dataSync()));
  const drifts = rollouts.map((tr) => energyDrift(energies(tr)));
  const byHorizon = trajectoryErrorByHorizon(rollouts, heldOut);
  return {
    fieldError: relativeFieldError(grid, truthGrid),
    fieldErrorInData: inside.some(Boolean) ? relativeFieldError(inData(grid), inData(truthGrid)) : null,
    trajError: byHorizon[byHorizon.length - 1],
    trajErrorFirstThird: byHorizon[firstThirdSamples(ts.length) - 2],
    trajErrorByHorizon: byHorizon,
    ssim: fieldSsim(grid, truthGrid, cfg.gridSize),
    energyDrift: drifts.reduce((s, v) => s + v, 0) / drifts.length,
    grid,
    rollouts,
  };
}

/** Step 2: adapt every method to every test instance with the same budget, timed, and evaluate it. */
export function adaptAndEvaluateAll<P, M extends string, A, C extends EvaluationConfig & A>(
  sys: EvaluatedSystem<P>,
  cfg: C,
  instances: readonly PaperBInstance[],
  trained: readonly EvaluatedMethod<M, A>[],
): PaperBEvaluation<M> {
  const test = instances.filter((i) => i.split === 'test');
  const { points } = vectorFieldGrid(sys.fieldGrid.box, cfg.gridSize, sys.fieldGrid.fixed);
  const checks = sys.structure?.checks;
  const first = test[0];
  const firstMu = muOf(sys, first.params);
  const bar = progress(trained.length * test.length, 'adapt + evaluate');
  const methods = trained.map((t, mi): MethodEvaluation<M> => {
    let preview: MethodEvaluation['preview'] = { grid: [], hamiltonian: [], rollout: [] };
    const results = test.map((ins, ti) => {
      const adapted = adaptTimed(t, cfg, trajectoryFieldTask(sys, ins.params, ins.trajectories.slice(0, cfg.supportTrajectories)));
      const e = evaluateField(sys, cfg, ins, adapted, points);
      const structureChecks = checks?.(adapted, { mu: muOf(sys, ins.params), heldOut: ins.trajectories.slice(cfg.supportTrajectories).flat(), grid: points });
      if (ti === 0) preview = { grid: e.grid, hamiltonian: tf.tidy(() => Array.from(adapted.energy(pointsTensor(points)).dataSync())), rollout: e.rollouts[0] };
      adapted.dispose();
      bar.update(mi * test.length + ti + 1, `${t.method} ${ins.label}`);
      return {
        instance: ins.label,
        fieldError: e.fieldError,
        fieldErrorInData: e.fieldErrorInData,
        trajError: e.trajError,
        trajErrorFirstThird: e.trajErrorFirstThird,
        trajErrorByHorizon: e.trajErrorByHorizon,
        ssim: e.ssim,
        energyDrift: e.energyDrift,
        adaptSeconds: adapted.seconds,
        adaptLosses: adapted.losses,
        code: adapted.code,
        ...(structureChecks ? { checks: structureChecks } : {}),
      };
    });
    return { method: t.method, instances: results, preview };
  });
  bar.done();
  return {
    grid: { points, n: cfg.gridSize },
    horizonTimes: Array.from({ length: cfg.trajectoryPoints - 1 }, (_, i) => (i + 1) * cfg.dt),
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
function supportStates(cfg: EvaluationConfig, instance: PaperBInstance): Float64Array[] {
  return instance.trajectories.slice(0, cfg.supportTrajectories).flat();
}

/** The few-shot sizes: 5, 10, 20, 30 where below the support size N, then N itself (the main evaluation). */
export function fewShotSizes(cfg: EvaluationConfig): number[] {
  const total = cfg.supportTrajectories * cfg.trajectoryPoints;
  return [...[5, 10, 20, 30].filter((n) => n < total), total];
}

export interface FewShotSweep<M extends string = string> {
  /** numbers of support states, ascending; the last is the full support set */
  sizes: number[];
  /** per method, ε_field[size][test instance] */
  methods: { method: M; fieldError: number[][] }[];
}

/**
 * Step 2b: every method adapted (same budget) on the first n support states of each test instance, for each n of
 * `fewShotSizes`; ε_field on the grid. The full set n = N is read from `evaluation` (the same adaptation).
 */
export function fewShotSweep<P, M extends string, A, C extends EvaluationConfig & A>(
  sys: EvaluatedSystem<P>,
  cfg: C,
  instances: readonly PaperBInstance[],
  trained: readonly EvaluatedMethod<M, A>[],
  evaluation: PaperBEvaluation,
): FewShotSweep<M> {
  const test = instances.filter((i) => i.split === 'test');
  const sizes = fewShotSizes(cfg);
  const smaller = sizes.slice(0, -1);
  const points = evaluation.grid.points;
  const bar = progress(trained.length * smaller.length * test.length, 'few-shot sweep');
  let done = 0;
  const truths = test.map((ins) => points.map((p) => sys.system.vectorField(p, muOf(sys, ins.params))));
  const methods = trained.map((t, mi) => {
    const fieldError = smaller.map((n) =>
      test.map((ins, ti) => {
        const adapted = adaptTimed(t, cfg, trajectoryFieldTask(sys, ins.params, [supportStates(cfg, ins).slice(0, n)]));
        const error = relativeFieldError(fieldOnGrid(adapted.field, points), truths[ti]);
        adapted.dispose();
        bar.update(++done, `${t.method} n=${n} ${ins.label}`);
        return error;
      }),
    );
    return { method: t.method, fieldError: [...fieldError, evaluation.methods[mi].instances.map((r) => r.fieldError)] };
  });
  bar.done();
  return { sizes, methods };
}

export type LatentInit = EvaluationConfig['latentInit'];

export interface LatentInitAblation<M extends string = string> {
  /** per modulation method and start of z: ε_field and ε_traj per test instance */
  methods: { method: M; byInit: Record<LatentInit, { fieldError: number[]; trajError: number[] }> }[];
}

/**
 * Step 2c: the modulation methods auto-decoded from z_avg and from 0 with the same budget; the configured start is
 * read from `evaluation`, the other one adapted and evaluated here.
 */
export function latentInitAblation<P, M extends string, A, C extends EvaluationConfig & A>(
  sys: EvaluatedSystem<P>,
  cfg: C,
  instances: readonly PaperBInstance[],
  trained: readonly EvaluatedMethod<M, A>[],
  evaluation: PaperBEvaluation,
): LatentInitAblation<M> {
  const test = instances.filter((i) => i.split === 'test');
  const other: LatentInit = cfg.latentInit === 'mean' ? 'zero' : 'mean';
  const latent = trained.map((t, mi) => ({ t, mi })).filter(({ t }) => t.family === 'modulation');
  const bar = progress(latent.length * test.length, `latent start ${other}`);
  let done = 0;
  const methods = latent.map(({ t, mi }) => {
    const results = test.map((ins) => {
      const adapted = adaptTimed(t, { ...cfg, latentInit: other }, trajectoryFieldTask(sys, ins.params, ins.trajectories.slice(0, cfg.supportTrajectories)));
      const e = evaluateField(sys, cfg, ins, adapted, evaluation.grid.points);
      adapted.dispose();
      bar.update(++done, `${t.method} ${ins.label}`);
      return e;
    });
    const configured = evaluation.methods[mi].instances;
    const byInit = {
      [cfg.latentInit]: { fieldError: configured.map((r) => r.fieldError), trajError: configured.map((r) => r.trajError) },
      [other]: { fieldError: results.map((r) => r.fieldError), trajError: results.map((r) => r.trajError) },
    } as Record<LatentInit, { fieldError: number[]; trajError: number[] }>;
    return { method: t.method, byInit };
  });
  bar.done();
  return { methods };
}
