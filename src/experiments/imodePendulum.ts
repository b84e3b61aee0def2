/**
 * Paper A (iMODE), the authors' released single-pendulum case (spec §1.1, §2.2, §3): meta-train a reflection-
 * symmetric energy network V(θ, |η|) on lengths L ∈ {1, 3, 5, 7, 9}, adapt η on all 13 lengths of the authors' data
 * (8 unseen: 7 interpolating, L = 10 extrapolating), evaluate 500-step rollouts, and compare with the same network
 * trained from scratch on each length's adaptation windows.
 *
 * Each step is its own function so that the notebook runs them cell by cell; `runImodePendulum` chains them for the
 * command line. Meta-training is checkpointed under the config's hash: re-running reuses a finished run and resumes
 * an interrupted one.
 *
 * The test time is the families' (../meta/imodeEvaluation.ts): the pendulum is a family whose instances, the 13
 * lengths, have one trajectory each, with a data source of its own (adaptation and evaluation windows both cut from
 * that trajectory by the authors' sampler, ../data/windows.ts) and random streams of its own. Its config and scales
 * are in ./imode/pendulumConfig.ts, its metrics and figures in ./imode/pendulumSummary.ts and
 * ./imode/pendulumFigures.ts, its README section and writer in ./imode/report.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend';
import { checkpointStore } from '../core/checkpoint';
import { ConfigError } from '../core/errors';
import { type ConfigOf, type Scale, configHash } from '../core/config';
import { progress } from '../core/progress';
import { repoPath } from '../core/paths';
import type { ProvenanceRecorder } from '../core/results';
import { type Rng, createRng } from '../core/rng';
import type { ImodeInstance } from '../data/imodeInstances';
import { IMODE_PENDULUM_DT, type PendulumInstance, asFamilyInstances, loadImodePendulum } from '../data/imodePendulum';
import { type TaskWindows, sampleTaskWindows } from '../data/windows';
import { type ConservativeForceSpec, conservativeVectorField, potentialMlpSpec } from '../nn/conservativeForce';
import { initMlp, mlpFromTensors, mlpTensors } from '../nn/mlp';
import type { ImodeModel } from '../meta/imode';
import { type ImodeDataSource, type ImodeModelFactory, type InstanceResult, adaptAndEvaluateInstances } from '../meta/imodeEvaluation';
import { type TaskBatch, makeTaskBatch, windowBatch } from '../meta/taskBatch';
import { type ImodeCheckpoint, type ImodeProblem, type ImodeTrained, type ImodeTrainingOptions, metaTrain } from '../meta/imodeTraining';
import { type ExperimentInfo, experimentCheckpointDir, resolveConfig } from './experiment';
import { innerOf, outerLoopOptionsOf, solverOf, trainingCheckpointKey } from './imode/family';
import { releasedAtRestBatch } from './imode/newConditions';
import { PCA_MODEL_FIELDS, imodePendulumScales, imodePendulumSchema } from './imode/pendulumConfig';
import { pendulumSummary } from './imode/pendulumSummary';
import { type ImodeSummary, pendulumReadmeSnippet, writeImodeResults } from './imode/report';
import { startFamilyProvenance } from './imodeFamilyExperiment';

export const imodePendulumInfo: ExperimentInfo = {
  id: 'imode-pendulum',
  paper: 'iMODE (arXiv 2301.00957)',
  section: "authors' released pendulum case (spec §1.1, §2.2, §3)",
  title: 'Single pendulum on the authors’ data: meta-training, adaptation to 13 lengths, scratch baseline',
};

export type ImodePendulumConfig = ConfigOf<typeof imodePendulumSchema>;

export function imodePendulumConfig(scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): ImodePendulumConfig {
  const cfg = resolveConfig<ImodePendulumConfig>(imodePendulumSchema, imodePendulumScales, scale, overrides, 'imodePendulum');
  const present = PCA_MODEL_FIELDS.filter((k) => cfg[k] !== undefined);
  if (present.length > 0 && present.length < PCA_MODEL_FIELDS.length) {
    throw new ConfigError(`the over-provisioned model needs all of ${PCA_MODEL_FIELDS.join(', ')} or none; missing: ${PCA_MODEL_FIELDS.filter((k) => cfg[k] === undefined).join(', ')}`);
  }
  if (cfg.pcaOuterLr !== undefined && cfg.pcaOuterLrFinal !== undefined && cfg.pcaOuterLrFinal > cfg.pcaOuterLr) {
    throw new ConfigError(`pcaOuterLrFinal must be at most pcaOuterLr = ${cfg.pcaOuterLr}, got ${cfg.pcaOuterLrFinal}`);
  }
  return cfg;
}

/**
 * The over-provisioned model's config: the main one with η of pcaEtaDim dimensions, its own outer rates and trust
 * radius, and no scratch baseline (the main model has one); null without pcaEtaDim. Its pca* fields are gone, so its
 * checkpoint key differs from the main model's by what it trains, and the main model's key ignores them.
 */
export function pcaModelConfig(cfg: ImodePendulumConfig): ImodePendulumConfig | null {
  const { pcaEtaDim, pcaOuterLr, pcaOuterLrFinal, pcaInnerMaxStep, ...main } = cfg;
  if (pcaEtaDim === undefined || pcaOuterLr === undefined || pcaOuterLrFinal === undefined || pcaInnerMaxStep === undefined) return null;
  return { ...main, etaDim: pcaEtaDim, outerLr: pcaOuterLr, outerLrFinal: pcaOuterLrFinal, innerMaxStep: pcaInnerMaxStep, scratchSteps: 0 };
}

export interface PendulumData {
  /** all 13 instances in the authors' order, each cut to `trajectoryRows` */
  instances: PendulumInstance[];
  train: PendulumInstance[];
}

export function loadPendulumData(cfg: ImodePendulumConfig): PendulumData {
  const instances = loadImodePendulum(repoPath(cfg.dataDir)).map((ins) => ({ ...ins, states: ins.states.slice(0, cfg.trajectoryRows) }));
  const train = cfg.trainLengths.map((L) => {
    const found = instances.find((ins) => ins.L === L);
    if (!found) throw new ConfigError(`trainLengths: no data file for L = ${L}; available: ${instances.map((i) => i.L).join(', ')}`);
    return found;
  });
  return { instances, train };
}

export function pendulumModel(cfg: ImodePendulumConfig): ImodeModel<ConservativeForceSpec> {
  const spec: ConservativeForceSpec = {
    positionDim: 1,
    etaDim: cfg.etaDim,
    width: cfg.width,
    depth: cfg.depth,
    beta: cfg.beta,
    symmetry: cfg.symmetry,
    etaTransform: cfg.etaTransform,
    mass: 1,
  };
  const mlpSpec = potentialMlpSpec(spec);
  return {
    spec,
    makeField: (params, etaRows) => conservativeVectorField(spec, mlpFromTensors(mlpSpec, params), etaRows),
    solver: solverOf(cfg),
    inner: innerOf(cfg),
  };
}

/** The model's field and fresh energy-network weights. */
function pendulumModelFactory(model: ImodeModel<ConservativeForceSpec>): ImodeModelFactory {
  return { makeField: model.makeField, initialParams: (rng) => mlpTensors(initMlp(potentialMlpSpec(model.spec), rng)) };
}

/** The meta-learning problem: the model's field, fresh weights and η0 drawn from `rng`, and the window sampler. */
export function pendulumProblem(cfg: ImodePendulumConfig, data: PendulumData, rng: Rng): ImodeProblem {
  const model = pendulumModel(cfg);
  return {
    makeField: model.makeField,
    initialParams: pendulumModelFactory(model).initialParams(rng),
    initialEta0: tf.tensor2d([Array.from({ length: cfg.etaDim }, () => rng.normal())]),
    tasks: data.train.length,
    sampleBatch: (r) => windowBatch(data.train, r, cfg.windowsPerTask, cfg.windowSteps),
  };
}

export function pendulumTrainingOptions(cfg: ImodePendulumConfig): ImodeTrainingOptions {
  const model = pendulumModel(cfg);
  return { ...outerLoopOptionsOf(cfg), inner: model.inner, solver: model.solver };
}

/** Step 1: meta-training (resumes or reuses a checkpoint of the same config); `label` names its progress bar. */
export function metaTrainPendulum(cfg: ImodePendulumConfig, data: PendulumData, scale: Scale, label = 'meta-training'): ImodeTrained {
  const rng = createRng(cfg.seed);
  const key = trainingCheckpointKey(cfg);
  const store = checkpointStore<ImodeCheckpoint>(experimentCheckpointDir(imodePendulumInfo.id, scale, key), configHash(key));
  return metaTrain(pendulumProblem(cfg, data, rng), pendulumTrainingOptions(cfg), rng, {
    store,
    progress: progress(cfg.outerIterations, label),
    config: cfg,
  });
}

/** Random streams of the pendulum's test time, per length and purpose, independent of the order they are drawn in. */
function pendulumStream(cfg: ImodePendulumConfig, purpose: 'adapt' | 'eval', index: number): Rng {
  return createRng((cfg.seed + (purpose === 'adapt' ? 100003 : 200003) * (index + 1)) >>> 0);
}

/** Which windows of a length: those its η is adapted on, or those its rollouts are scored on. */
export type PendulumWindowPurpose = 'adapt' | 'eval';

/**
 * Length `index`'s (in the authors' order) adaptation or evaluation windows of its one trajectory, float64 host
 * arrays from the length's own stream: the rows the data source's batches hold, exported so that another method
 * (Paper B's, ./crossPaper/paperBOnImodePendulum.ts) adapts and is scored on the same rows.
 */
export function pendulumWindows(cfg: ImodePendulumConfig, ins: ImodeInstance, index: number, purpose: PendulumWindowPurpose): TaskWindows {
  const [count, steps] = purpose === 'adapt' ? [cfg.windowsPerTask, cfg.windowSteps] : [cfg.evalWindows, cfg.evalSteps];
  return sampleTaskWindows([ins.trajectories], pendulumStream(cfg, purpose, index), count, steps, { drawTrajectory: false });
}

/** The same windows as a one-task batch, IMODE_PENDULUM_DT apart. */
export function pendulumWindowBatch(cfg: ImodePendulumConfig, ins: ImodeInstance, index: number, purpose: PendulumWindowPurpose): TaskBatch {
  const w = pendulumWindows(cfg, ins, index, purpose);
  return makeTaskBatch(w.x0, w.targets, w.taskOfRow, 1, IMODE_PENDULUM_DT);
}

/**
 * The pendulum's data source: adaptation and evaluation windows both cut from each length's one trajectory (the
 * authors' evaluation), from streams of its own, and the scratch baseline on every length; with `newConditions`, also
 * each length released at rest from the config's amplitudes against a tight reference (./imode/newConditions.ts),
 * which draws nothing, so the other results are the same with or without it.
 */
function pendulumSource(cfg: ImodePendulumConfig, newConditions: boolean): ImodeDataSource<ImodeInstance> {
  return {
    scale: [1, 1],
    adaptBatch: (ins, index) => pendulumWindowBatch(cfg, ins, index, 'adapt'),
    evalBatch: (ins, index) => pendulumWindowBatch(cfg, ins, index, 'eval'),
    scratchStream: (index) => pendulumStream(cfg, 'adapt', index + 1000),
    scratchOnTraining: true,
    ...(newConditions && cfg.newConditionAmplitudes.length > 0
      ? {
          newConditionsBatch: (ins: ImodeInstance) =>
            releasedAtRestBatch({ L: ins.params[0], amplitudes: cfg.newConditionAmplitudes, steps: cfg.newConditionSteps, dt: IMODE_PENDULUM_DT }),
        }
      : {}),
  };
}

/**
 * Step 2: adapt η on every length (5 inner steps on its windows), evaluate rollouts, train the scratch baseline, and
 * (unless `newConditions` is false) score both from the config's new initial conditions.
 */
export function adaptAndEvaluate(cfg: ImodePendulumConfig, data: PendulumData, trained: ImodeTrained, newConditions = true): InstanceResult[] {
  const model = pendulumModel(cfg);
  return adaptAndEvaluateInstances(asFamilyInstances(data.instances), pendulumSource(cfg, newConditions), pendulumModelFactory(model), trained, {
    solver: model.solver,
    inner: model.inner,
    trimFraction: 0,
    etaDim: cfg.etaDim,
    scratchSteps: cfg.scratchSteps,
    scratchLr: cfg.scratchLr,
  });
}

/** The over-provisioned model, trained and adapted on every length, for the PCA of η. */
export interface PendulumPcaModel {
  cfg: ImodePendulumConfig;
  trained: ImodeTrained;
  lengths: InstanceResult[];
}

/**
 * Step 2b: meta-train the over-provisioned model (pcaModelConfig: η of pcaEtaDim dimensions, same data and windows)
 * and adapt it on every length (its PCA reads η only: no new initial conditions); null when the config has none.
 */
export function runPcaModel(cfg: ImodePendulumConfig, data: PendulumData, scale: Scale): PendulumPcaModel | null {
  const pcaCfg = pcaModelConfig(cfg);
  if (!pcaCfg) return null;
  const trained = metaTrainPendulum(pcaCfg, data, scale, `meta-training (η of ${pcaCfg.etaDim} dimensions, for the PCA)`);
  return { cfg: pcaCfg, trained, lengths: adaptAndEvaluate(pcaCfg, data, trained, false) };
}


/**
 * Step 3: metrics, the per-length table, and every figure, from the results of steps 1–2 (./imode/pendulumSummary.ts).
 */
export function summarisePendulum(cfg: ImodePendulumConfig, trained: ImodeTrained, lengths: readonly InstanceResult[], pcaModel: PendulumPcaModel | null = null): ImodeSummary {
  return pendulumSummary(cfg, pendulumModel(cfg).spec, trained, lengths, pcaModel);
}

/** Step 4: write metrics, the per-length table, figures, the README snippet and provenance atomically. */
export function writePendulumResults(scale: Scale, summary: ImodeSummary, provenance: ProvenanceRecorder): string {
  return writeImodeResults(imodePendulumInfo, scale, summary, provenance, 'lengths', (finished, reference) => pendulumReadmeSnippet(summary, finished, reference));
}

export function startPendulumProvenance(cfg: ImodePendulumConfig, scale: Scale): ProvenanceRecorder {
  return startFamilyProvenance(imodePendulumInfo, cfg, scale);
}

/** The whole experiment, as the notebook runs it. */
export async function runImodePendulum(scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): Promise<{ dir: string; summary: ImodeSummary }> {
  await initBackend();
  const cfg = imodePendulumConfig(scale, overrides);
  const prov = startPendulumProvenance(cfg, scale);
  const data = loadPendulumData(cfg);
  const trained = metaTrainPendulum(cfg, data, scale);
  const lengths = adaptAndEvaluate(cfg, data, trained);
  const pcaModel = runPcaModel(cfg, data, scale);
  const summary = summarisePendulum(cfg, trained, lengths, pcaModel);
  const dir = writePendulumResults(scale, summary, prov);
  tf.dispose([...trained.params, trained.eta0]);
  if (pcaModel) tf.dispose([...pcaModel.trained.params, pcaModel.trained.eta0]);
  return { dir, summary };
}
