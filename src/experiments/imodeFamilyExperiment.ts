/**
 * iMODE on a simulated system family (Paper A's bistable, double pendulum, Van der Pol, Slinky and reaction–diffusion
 * systems; spec §1.2, §3.3, §4.3). A family supplies its float64 simulator, its model and its figures; this module
 * runs the rest of the protocol the same way for all of them:
 *
 *   0 data         the training grid, interpolating and extrapolating instances, each with its adaptation and
 *                  held-out trajectories, `trajectorySteps` samples at `dt` (../data/imodeFamilyData.ts).
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
 * Step 2 is the pendulum's as well (../meta/imodeEvaluation.ts), with the family's data source: windows of randomly
 * drawn adaptation trajectories, the held-out trajectories from their start. What a family is (config fields, base
 * settings, the interface it supplies) is in ./imode/family.ts; the gauge model's screening in ./imode/gaugeModel.ts;
 * metrics, figures, README section and writers in ./imode/familySummary.ts, ./imode/figures.ts and ./imode/report.ts.
 *
 * The model and the loss see the state divided by the family's `stateScale` (one number per component), so that
 * coordinates of different units (cm and rad on the Slinky) weigh alike in the MSE; evaluation errors are MSEs in
 * those units.
 */
import * as tf from '@tensorflow/tfjs';
import { projectOnComponents } from '../analysis/pca';
import { initBackend } from '../core/backend';
import { checkpointStore } from '../core/checkpoint';
import { type Scale, configHash } from '../core/config';
import { progress } from '../core/progress';
import { type ProvenanceRecorder, startProvenance } from '../core/results';
import { type Rng, streamFor } from '../core/rng';
import { type SimulatedInstance, drawInstanceParameters, simulateInstances } from '../data/imodeFamilyData';
import type { Split } from '../data/imodeInstances';
import { type ImodeModelFactory, type InstanceResult, adaptAndEvaluateInstances } from '../meta/imodeEvaluation';
import { type ImodeCheckpoint, type ImodeProblem, type ImodeTrained, metaTrain } from '../meta/imodeTraining';
import { type TaskBatch, makeTaskBatch, taskWindowBatch } from '../meta/taskBatch';
import type { PlotlyFigure } from '../viz/plotly';
import { type Table, formatNumber } from '../viz/table';
import { type ExperimentInfo, experimentCheckpointDir, resolveConfig } from './experiment';
import { leadingEtaSubspace, subspaceModel } from './imode/etaSubspace';
import { type ImodeFamily, type ImodeFamilyConfig, familyTrainingOptions, gaugeOptionsOf, innerOf, scaledModel, solverOf, trainingCheckpointKey, validateFamilyConfig } from './imode/family';
import { type FamilyLatents, familyMetrics } from './imode/familySummary';
import { evalErrorFigure, familyPhasePortraits, gradientNormFigure, lossCurveFigure } from './imode/figures';
import { type GaugeModel, type ScreenedStart, restartCheckpointKey, screenedMetaTraining } from './imode/gaugeModel';
import { type ImodeSummary, familyReadmeSnippet, writeImodeResults } from './imode/report';
import { analyseLatents, describeLeaveOneOut, gaugeLatents, gaugeParityFigure, latentFigures, leaveOneOutGauge, type LatentPoint, paramFigureKey } from './imodeLatent';
import { residualByCoordinate, residualByCoordinateFigure } from './residualByCoordinate';

/** A simulated instance (../data/imodeFamilyData.ts): its adaptation trajectories and held-out ones. */
export type FamilyInstance = SimulatedInstance;

export function resolveFamilyConfig<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): C {
  return validateFamilyConfig(family, resolveConfig<C>(family.schema, family.scales, scale, overrides, family.info.id));
}

/** The random-stream purposes of the family protocol, one table so that no two uses share one (denseParams, denseData: ./imodeDimensionStudy.ts). */
export const FAMILY_STREAM = { instances: 0, data: 1, adapt: 2, eval: 3, scratch: 4, gauge: 5, model: 6, denseParams: 7, denseData: 8 } as const;

/** The instances' parameters and splits from the seed's instance stream (../data/imodeFamilyData.ts). */
export function familyParameters(cfg: ImodeFamilyConfig): { params: number[]; split: Split }[] {
  return drawInstanceParameters(cfg, streamFor(cfg.seed, FAMILY_STREAM.instances, 0));
}

function instanceLabel(paramNames: readonly { name: string }[], params: readonly number[]): string {
  return paramNames.map((q, j) => `${q.name}=${formatNumber(params[j], 3)}`).join(', ');
}

/** Step 0: the family's dataset, every instance's trajectories from its own stream (../data/imodeFamilyData.ts). */
export function simulateFamily<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C): FamilyInstance[] {
  return simulateFamilyDraws(family, cfg, familyParameters(cfg), (index) => streamFor(cfg.seed, FAMILY_STREAM.data, index));
}

/** Instances of the family at the given parameters, as the experiment simulates its own; `streamOf(i)` draws draw i's initial states. */
export function simulateFamilyDraws<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  draws: readonly { params: number[]; split: Split }[],
  streamOf: (index: number) => Rng,
): FamilyInstance[] {
  const ts = Array.from({ length: cfg.trajectorySteps }, (_, i) => i * cfg.dt);
  return simulateInstances(
    draws,
    (params) => family.simulator(cfg, params),
    { ts, trajectories: cfg.trajectories, evalTrajectories: cfg.evalTrajectories },
    streamOf,
    (params) => instanceLabel(family.params, params),
  );
}

/** The first `steps` samples of each held-out trajectory of one instance, as a one-task batch. */
export function familyEvalBatch(ins: FamilyInstance, scale: readonly number[], steps: number, dt: number): TaskBatch {
  const scaled = (state: Float64Array) => state.map((v, i) => v / scale[i]);
  const x0 = ins.evalTrajectories.map((tr) => scaled(tr[0]));
  const targets = Array.from({ length: steps }, (_, t) => ins.evalTrajectories.map((tr) => scaled(tr[t])));
  return makeTaskBatch(x0, targets, x0.map(() => 0), 1, dt);
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
  start?: { model: ImodeModelFactory; params: tf.Tensor[]; eta0: tf.Tensor2D },
  restart = 0,
): ImodeProblem {
  const train = instances.filter((i) => i.split === 'train');
  const scale = family.stateScale(cfg);
  const sampleBatch = (r: Rng) => taskWindowBatch(train.map((ins) => ins.trajectories), r, cfg.windowsPerTask, cfg.windowSteps, cfg.dt, { drawTrajectory: true, scale });
  if (start) return { makeField: start.model.makeField, initialParams: start.params, initialEta0: start.eta0, tasks: train.length, sampleBatch };
  const model = scaledModel(family, cfg);
  const init = streamFor(cfg.seed, FAMILY_STREAM.model, restart);
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
  return metaTrain(problem, familyTrainingOptions(cfg), streamFor(cfg.seed, FAMILY_STREAM.adapt, 999999), {
    store,
    progress: progress(stopAfter ?? cfg.outerIterations, stopAfter === undefined ? 'meta-training' : 'meta-training (screening)'),
    config: cfg,
    stopAfter,
  });
}

/**
 * The windows instance `index`'s test-time adaptation (and its scratch baseline) sees: `adaptWindows` windows of
 * `adaptWindowSteps` (default `windowSteps`) points of its trajectories.
 */
export function familyAdaptBatch<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, cfg: C, ins: FamilyInstance, index: number): TaskBatch {
  return taskWindowBatch([ins.trajectories], streamFor(cfg.seed, FAMILY_STREAM.adapt, index), cfg.adaptWindows, cfg.adaptWindowSteps ?? cfg.windowSteps, cfg.dt, {
    drawTrajectory: true,
    scale: family.stateScale(cfg),
  });
}

/** Step 2: adapt η on every instance, evaluate held-out rollouts, and train the scratch baseline on the unseen ones. */
export function adaptAndEvaluateFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  instances: readonly FamilyInstance[],
  trained: ImodeTrained,
  model: ImodeModelFactory = scaledModel(family, cfg),
): InstanceResult[] {
  const scale = family.stateScale(cfg);
  const source = {
    scale,
    adaptBatch: (ins: FamilyInstance, index: number) => familyAdaptBatch(family, cfg, ins, index),
    evalBatch: (ins: FamilyInstance) => familyEvalBatch(ins, scale, cfg.evalSteps, cfg.dt),
    scratchStream: (index: number) => streamFor(cfg.seed, FAMILY_STREAM.scratch, index),
    scratchOnTraining: false,
  };
  return adaptAndEvaluateInstances(instances, source, model, trained, {
    solver: solverOf(cfg),
    inner: innerOf(cfg),
    trimFraction: cfg.adaptTrimFraction ?? 0,
    etaDim: cfg.etaDim,
    scratchSteps: cfg.scratchSteps,
    scratchLr: cfg.scratchLr,
  });
}

/** The screened starts as a table: init draw, screening loss, which one was trained on. */
export function screeningTable(screening: readonly ScreenedStart[]): Table {
  return { columns: ['start (init draw)', 'screening loss', 'trained on'], rows: screening.map((s) => [s.restart, s.screeningLoss, s.selected ? 'yes' : '']) };
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
        ? screenedMetaTraining(
            (restart, stopAfter) => metaTrainFamily(family, retrained, scale, instances, familyProblem(family, retrained, instances, undefined, restart), restartCheckpointKey(retrained, restart), stopAfter),
            restarts,
            cfg.gaugeRetrainScreenIterations,
          )
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

/**
 * Step 3b: PCA of the training η and the Neural Gauge on the unseen instances, projected and (with a gauge model)
 * retrained, and each gauge left one out on the training instances.
 */
export function analyseFamily(cfg: ImodeFamilyConfig, results: readonly InstanceResult[], gaugeModel: GaugeModel | null = null): FamilyLatents {
  const points = latentPoints(results);
  const gauge = gaugeOptionsOf(cfg);
  // both gauges start from the same stream, so they differ only by the η they read
  const rng = () => streamFor(cfg.seed, FAMILY_STREAM.gauge, 0);
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

/** The loss curve, and the gradient norm's when the run recorded it. */
export function trainingFigures(trained: ImodeTrained): Record<string, PlotlyFigure> {
  const gradientNorm = gradientNormFigure(trained);
  return { 'loss-curve': lossCurveFigure(trained), ...(gradientNorm ? { 'gradient-norm': gradientNorm } : {}) };
}

/** Step 4a: the results contract (metrics.json, ./imode/familySummary.ts), the per-instance table and every figure. */
export function summariseFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  trained: ImodeTrained,
  results: readonly InstanceResult[],
  latent: FamilyLatents,
  gaugeModel: GaugeModel | null = null,
): ImodeSummary {
  const { analysis, retrained } = latent;
  const unseen = results.filter((r) => r.split !== 'train');
  const gaugeOf = (label: string) => analysis.gauge.find((g) => g.label === label);
  const coordinates = family.coordinateGroups
    ? residualByCoordinate(family.coordinateGroups(cfg), results.map((r) => ({ split: r.split, ...r.evalComponentErrors })))
    : null;
  const table: Table = {
    columns: ['instance', 'split', 'η', 'eval MSE (iMODE)', 'eval MSE (scratch)', 'gauge rel. error', 'adaptation (s)'],
    rows: results.map((r) => [r.label, r.split, r.eta.map((v) => v.toFixed(3)).join(' '), r.evalError, r.scratchEvalError, gaugeOf(r.label)?.relError ?? null, r.adaptSeconds]),
  };
  const figures: Record<string, PlotlyFigure> = {
    ...trainingFigures(trained),
    'phase-portraits': familyPhasePortraits(family.portrait(cfg), cfg.evalSteps, results),
    'eval-error': evalErrorFigure(unseen, unseen.map((_, i) => i + 1), 'Held-out rollout MSE per unseen instance (model units)', 'unseen instance (table order)'),
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
  return { metrics: familyMetrics(family.params, cfg, trained, results, latent, gaugeModel, coordinates), table, figures };
}

export function startFamilyProvenance(info: ExperimentInfo, cfg: { seed: number }, scale: Scale): ProvenanceRecorder {
  return startProvenance({ experiment: info.id, paper: info.paper, section: info.section, scale, config: cfg, seed: cfg.seed });
}

/** Step 4b: write the family's results (see writeImodeResults). */
export function writeFamilyResults(info: ExperimentInfo, scale: Scale, summary: ImodeSummary, provenance: ProvenanceRecorder): string {
  return writeImodeResults(info, scale, summary, provenance, 'instances', (finished, reference) => familyReadmeSnippet(summary, finished, reference));
}

/** The whole experiment, as the notebook runs it cell by cell. */
export async function runImodeFamily<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  scale: Scale,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<{ dir: string; summary: ImodeSummary }> {
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
