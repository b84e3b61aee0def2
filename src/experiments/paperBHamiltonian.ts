/**
 * Paper B ("Meta-learning Structure-Preserving Dynamics", arXiv 2508.11205), the benchmark protocol (spec §2.0–2.1,
 * §4–§7): one protocol for mass-spring, pendulum and Duffing, and the GENERIC systems of ./paperBGeneric.ts; a system
 * file (./paperBMassSpring.ts, …) supplies only its simulator, its energy and its field grid (./paperB/system.ts).
 *
 *   instances  μ^(k) i.i.d. uniform over the system's parameter box (spec §2.0 [INF]); the first `trainInstances`
 *              train, the next `testInstances` test (spec 70 / 10).
 *   data       per instance `trajectories` trajectories (spec 10) of `trajectoryPoints` samples at `dt` (spec 30 at
 *              0.1), float64 dopri5 (rtol 1e-10), with the exact field ẋ = J∇H(x; μ) at every sample (velocity
 *              matching, spec §5.1).
 *   methods    the ten of ../meta/paperBMethods.ts, all learning the system's field model family, meta-trained on
 *              the training instances, then adapted to each test instance's support set with the same test-time
 *              budget of `adaptSteps` gradient steps (spec §9.5).
 *   evaluation the metrics and the two studies (few-shot sweep, latent-initialisation ablation) of
 *              ../analysis/paperBEvaluation.ts, after meta-training, adaptation only, so they reuse the checkpoints
 *              (no config field of their own, so the config hash is unchanged).
 *   write      ./paperB/report.ts: metrics.json, tables beside the paper's numbers, figures, README section,
 *              provenance.
 *
 * Random streams: one per purpose (instances, data, a method's initialisation, its training draws), the method's
 * index in PAPER_B_METHOD_NAMES selecting its own. Meta-training of every method is checkpointed under the config hash (one
 * store per method): a rerun resumes an interrupted run and reuses a finished one.
 *
 * This module is the protocol's entry point: the notebooks (notebooks/10–14) run it cell by cell through the names
 * it exports.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { type PaperBInstance, adaptAndEvaluateAll, fewShotSweep, latentInitAblation, muOf, trajectoryFieldTask } from '../analysis/paperBEvaluation';
import { initBackend } from '../core/backend';
import { checkpointStore } from '../core/checkpoint';
import { type Scale, configHash } from '../core/config';
import { progress } from '../core/progress';
import { type ProvenanceRecorder, startProvenance } from '../core/results';
import { streamFor } from '../core/rng';
import { type FieldTask, disposeFieldTasks } from '../data/fieldTask';
import { hnnBaseSpec } from '../meta/latentModulation';
import type { FieldModels, MetaTrainContext } from '../meta/paperBMethod';
import { PAPER_B_METHOD_NAMES, type PaperBMethodName, type TrainedMethod, trainMethod } from '../meta/paperBMethods';
import { dopri5 } from '../integrators/dopri5';
import { fieldAt } from '../systems/types';
import { formatNumber } from '../viz/table';
import { type ExperimentInfo, experimentCheckpointDir } from './experiment';
import { type PaperBConfig, resolvePaperBConfig } from './paperB/config';
import { type PaperBSummary, summarisePaperB, withStudies, writePaperBResults } from './paperB/report';
import { type PaperBSystem, structureOf } from './paperB/system';

export { PAPER_B_METHOD_NAMES, adaptAndEvaluateAll, fewShotSweep, latentInitAblation, resolvePaperBConfig, summarisePaperB, withStudies, writePaperBResults };
export { fewShotSweepFigure, trainingCurvesFigure } from './paperB/figures';
export { fewShotTable, latentInitTable } from './paperB/tables';

export function startPaperBProvenance(info: ExperimentInfo, cfg: PaperBConfig, scale: Scale): ProvenanceRecorder {
  return startProvenance({ experiment: info.id, paper: info.paper, section: info.section, scale, config: cfg, seed: cfg.seed });
}

/** The purposes of Paper B's random streams (streamFor's second argument); the latent-gauge study draws from its own. */
export const PAPER_B_STREAM = { instances: 0, data: 1, init: 2, train: 3, latentGauge: 4 } as const;

/** Instances and their trajectories (deterministic in the seed). */
export function simulatePaperB<P>(sys: PaperBSystem<P>, cfg: PaperBConfig): PaperBInstance[] {
  const names = sys.system.paramNames;
  const draw = streamFor(cfg.seed, PAPER_B_STREAM.instances, 0);
  const ts = Array.from({ length: cfg.trajectoryPoints }, (_, i) => i * cfg.dt);
  const total = cfg.trainInstances + cfg.testInstances;
  const bar = progress(total, 'simulating instances');
  const out = Array.from({ length: total }, (_, index): PaperBInstance => {
    const params = names.map((n) => draw.uniformIn(sys.system.paramBox[n][0], sys.system.paramBox[n][1]));
    const mu = muOf(sys, params);
    const rng = streamFor(cfg.seed, PAPER_B_STREAM.data, index);
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

/** The energy network before modulation: `width` × `depth` tanh layers, scalar output without bias. */
export function baseSpec(cfg: PaperBConfig, stateDim: number) {
  return hnnBaseSpec({ width: cfg.width, depth: cfg.depth, activation: 'tanh', beta: 1 }, stateDim);
}

/**
 * Meta-trains one method on the training instances' tasks (resumes or reuses its checkpoint). With `stopAfter`, stops
 * (checkpointed) once that many outer iterations are done, short of the config's: the checkpoint stays the config's,
 * so a later call with a larger `stopAfter`, or none, goes on from there. The outer step schedule spans the config's
 * iterations whatever `stopAfter` is, so stopping and going on gives the uninterrupted run's iterates (the
 * convergence study, ./paperBConvergence.ts, reads them so: a milestone short of the horizon is mid-schedule).
 */
export function metaTrainMethod<P>(sys: PaperBSystem<P>, cfg: PaperBConfig, scale: Scale, method: PaperBMethodName, tasks: readonly FieldTask[], stopAfter?: number): TrainedMethod {
  return trainMethod(
    method,
    paperBTrainingContext({
      cfg,
      tasks,
      stateDim: sys.system.stateDim,
      models: structureOf(sys),
      streamIndex: PAPER_B_METHOD_NAMES.indexOf(method),
      dir: path.join(experimentCheckpointDir(sys.info.id, scale, cfg), method.toLowerCase()),
      checkpointKey: cfg,
      label: `meta-training ${method}`,
      stopAfter,
    }),
  );
}

/**
 * The context a method is meta-trained in (Paper B's ten, and the crossing runs'): the config's energy network on
 * `stateDim`, the random streams of index `streamIndex`, checkpoints in `dir` keyed by the hash of `checkpointKey`.
 */
export function paperBTrainingContext(o: {
  cfg: PaperBConfig;
  tasks: readonly FieldTask[];
  stateDim: number;
  models: FieldModels;
  streamIndex: number;
  dir: string;
  checkpointKey: unknown;
  label: string;
  stopAfter?: number;
}): MetaTrainContext {
  return {
    cfg: o.cfg,
    tasks: o.tasks,
    base: baseSpec(o.cfg, o.stateDim),
    models: o.models,
    rng: (purpose) => streamFor(o.cfg.seed, PAPER_B_STREAM[purpose], o.streamIndex),
    store: <S>() => checkpointStore<S>(o.dir, configHash(o.checkpointKey)),
    label: o.label,
    stopAfter: o.stopAfter,
  };
}

/** Step 1: every method in PAPER_B_METHOD_NAMES order on the training instances. */
export function metaTrainAll<P>(sys: PaperBSystem<P>, cfg: PaperBConfig, scale: Scale, instances: readonly PaperBInstance[]): TrainedMethod[] {
  const tasks = instances.filter((i) => i.split === 'train').map((i) => trajectoryFieldTask(sys, i.params, i.trajectories));
  try {
    return PAPER_B_METHOD_NAMES.map((method) => metaTrainMethod(sys, cfg, scale, method, tasks));
  } finally {
    disposeFieldTasks(tasks);
  }
}

export function disposeTrained(trained: readonly TrainedMethod[]): void {
  trained.forEach((t) => tf.dispose(t.tensors()));
}

/** The whole experiment, as the notebook runs it cell by cell. */
export async function runPaperBHamiltonian<P>(sys: PaperBSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): Promise<{ dir: string; summary: PaperBSummary }> {
  await initBackend();
  const cfg = resolvePaperBConfig(sys, scale, overrides);
  const prov = startPaperBProvenance(sys.info, cfg, scale);
  const instances = simulatePaperB(sys, cfg);
  const trained = metaTrainAll(sys, cfg, scale, instances);
  try {
    const evaluation = adaptAndEvaluateAll(sys, cfg, instances, trained);
    const studies = [fewShotSweep(sys, cfg, instances, trained, evaluation), latentInitAblation(sys, cfg, instances, trained, evaluation)] as const;
    const summary = withStudies(summarisePaperB(sys, instances, trained, evaluation), ...studies);
    return { dir: writePaperBResults(sys.info, scale, summary, prov), summary };
  } finally {
    disposeTrained(trained);
  }
}
