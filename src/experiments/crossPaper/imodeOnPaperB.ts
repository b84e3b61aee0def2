/**
 * iMODE as a method on one of Paper B's systems (docs/decisions/cross-paper.md, "iMODE as a method on Paper B's
 * systems"): which meta-learning algorithm does better on the same model and the same data.
 *
 *   model      the system's own field model family (`structureOf(sys)`) with iMODE's conditioning, η concatenated to
 *              the energy network's input (../../modulation/inputConcatenation.ts), η ∈ ℝ^{latentDim}
 *   data       Paper B's benchmark instances and support sets (`simulatePaperB`, same config and seed)
 *   training   iMODE's bi-level loop on Paper B's field loss (../../meta/imodeFieldMethod.ts) with the modulations'
 *              budget (metaIterations, taskBatch, latentOuterLr and its schedule), meta-trained once; checkpointed
 *              beside the benchmark's methods (<checkpoints>/imode), random streams at the index after Paper B's ten
 *   test time  two rows from the same meta-trained model: 'iMODE' (K = 5 inner SGD steps from η0, iMODE's protocol)
 *              and 'iMODE + auto-decoding' (`adaptSteps` Adam steps from η0, Paper B's test-time budget)
 *   scoring    `adaptAndEvaluateAll` unchanged (ε_field, ε_traj, SSIM, energy drift, …), summarised as the benchmark's
 *              table rows (`paperBTableRows`)
 * Written to results/[<scale>/]cross-paper/imode-on-<id>/: metrics.json (what ./table.ts reads: methods[].summary),
 * metrics.md and provenance.json.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { finiteOrNull } from '../../analysis/metrics';
import { type EvaluatedMethod, adaptAndEvaluateAll, trajectoryFieldTask } from '../../analysis/paperBEvaluation';
import { initBackend } from '../../core/backend';
import type { Scale } from '../../core/config';
import { revisionLabel, startProvenance, writeResults } from '../../core/results';
import { type FieldTask, disposeFieldTasks } from '../../data/fieldTask';
import { IMODE_INNER_STEPS, type ImodeFieldTrained, type ImodeTestProtocol, imodeFieldMethod } from '../../meta/imodeFieldMethod';
import type { AdaptConfig, MetaTrained } from '../../meta/paperBMethod';
import { PAPER_B_METHOD_NAMES } from '../../meta/paperBMethods';
import { type PaperBTableRow, paperBTableRows } from '../paperB/tables';
import { formatNumber, tableToMarkdown } from '../../viz/table';
import { experimentCheckpointDir, studyResultsDir } from '../experiment';
import type { PaperBConfig } from '../paperB/config';
import { type PaperBSystem, structureOf } from '../paperB/system';
import { paperBTrainingContext, resolvePaperBConfig, simulatePaperB } from '../paperBHamiltonian';
import { CROSS_PAPER_STUDY, imodeOnPaperBStudyId } from './studyIds';

export type ImodeRowName = 'iMODE' | 'iMODE + auto-decoding';

/** The two rows: one meta-trained model, adapted by each test-time protocol. */
export const IMODE_ON_PAPER_B_ROWS: readonly { method: ImodeRowName; protocol: ImodeTestProtocol }[] = [
  { method: 'iMODE', protocol: 'imode' },
  { method: 'iMODE + auto-decoding', protocol: 'auto-decode' },
];

/** The random stream of iMODE's initialisation and batches: the index after Paper B's ten methods. */
export const IMODE_STREAM_INDEX = PAPER_B_METHOD_NAMES.length;

/** iMODE meta-trained on the training instances' tasks (resumes or reuses its checkpoint), timed. */
export function metaTrainImodeOnPaperB<P>(
  sys: PaperBSystem<P>,
  cfg: PaperBConfig,
  scale: Scale,
  tasks: readonly FieldTask[],
  stopAfter?: number,
): MetaTrained<ImodeFieldTrained> & { seconds: number } {
  const t0 = performance.now();
  const trained = imodeFieldMethod('imode').metaTrain(
    paperBTrainingContext({
      cfg,
      tasks,
      stateDim: sys.system.stateDim,
      models: structureOf(sys),
      streamIndex: IMODE_STREAM_INDEX,
      dir: path.join(experimentCheckpointDir(sys.info.id, scale, cfg), 'imode'),
      checkpointKey: cfg,
      label: 'meta-training iMODE',
      stopAfter,
    }),
  );
  return { ...trained, seconds: (performance.now() - t0) / 1000 };
}

/** The two rows as the evaluation sees them, both bound to the one meta-trained model (not consumed). */
export function imodeRows(model: ImodeFieldTrained): EvaluatedMethod<ImodeRowName, AdaptConfig>[] {
  return IMODE_ON_PAPER_B_ROWS.map(({ method, protocol }) => {
    const m = imodeFieldMethod(protocol);
    return { method, family: m.family, adapt: (support, cfg) => m.adapt(model, support, cfg) };
  });
}

/** One row of metrics.json: the benchmark's summary of its metrics over the test instances. */
export interface ImodeOnPaperBMethod {
  method: ImodeRowName;
  protocol: ImodeTestProtocol;
  /** adaptation steps of the protocol */
  adaptSteps: number;
  /** the benchmark's row of this method (mean ± std over the test instances of every metric) */
  summary: PaperBTableRow<ImodeRowName>;
  perInstance: { instance: string; fieldError: number | null; trajError: number | null; energyDrift: number | null; supportLossBefore: number | null; supportLossAfter: number | null; code: (number | null)[] | null }[];
}

export interface ImodeOnPaperBMetrics {
  seed: number;
  /** K, iMODE's inner steps */
  innerSteps: number;
  methods: ImodeOnPaperBMethod[];
  training: { iterations: number; iterationsRun: number; seconds: number; finalLoss: number | null; lossHistory: (number | null)[] };
}

/** The results folder: results/[<scale>/]cross-paper/imode-on-<id>. */
export function imodeOnPaperBDir(id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return studyResultsDir(CROSS_PAPER_STUDY, imodeOnPaperBStudyId(id), scale, env);
}

/** The study of the header for one Paper B system; returns the directory it wrote and its metrics. */
export async function runImodeOnPaperB<P>(sys: PaperBSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): Promise<{ dir: string; metrics: ImodeOnPaperBMetrics }> {
  await initBackend();
  const cfg = resolvePaperBConfig(sys, scale, overrides);
  const prov = startProvenance({ experiment: sys.info.id, paper: sys.info.paper, section: "iMODE as a method on Paper B's systems (cross-paper)", scale, config: cfg, seed: cfg.seed });
  const instances = simulatePaperB(sys, cfg);
  const tasks = instances.filter((i) => i.split === 'train').map((i) => trajectoryFieldTask(sys, i.params, i.trajectories));
  let trained: ReturnType<typeof metaTrainImodeOnPaperB>;
  try {
    trained = metaTrainImodeOnPaperB(sys, cfg, scale, tasks);
  } finally {
    disposeFieldTasks(tasks);
  }
  const { model } = trained;
  let metrics: ImodeOnPaperBMetrics;
  try {
    const evaluation = adaptAndEvaluateAll(sys, cfg, instances, imodeRows(model));
    const rows = paperBTableRows(evaluation);
    metrics = {
      seed: cfg.seed,
      innerSteps: IMODE_INNER_STEPS,
      methods: IMODE_ON_PAPER_B_ROWS.map(({ method, protocol }, k) => ({
        method,
        protocol,
        adaptSteps: protocol === 'imode' ? IMODE_INNER_STEPS : cfg.adaptSteps,
        summary: rows[k],
        perInstance: evaluation.methods[k].instances.map((r) => ({
          instance: r.instance,
          fieldError: finiteOrNull(r.fieldError),
          trajError: finiteOrNull(r.trajError),
          energyDrift: finiteOrNull(r.energyDrift),
          supportLossBefore: finiteOrNull(r.adaptLosses[0]),
          supportLossAfter: finiteOrNull(r.adaptLosses[r.adaptLosses.length - 1]),
          code: r.code && r.code.map(finiteOrNull),
        })),
      })),
      training: {
        iterations: trained.lossHistory.length,
        iterationsRun: trained.iterationsRun,
        seconds: trained.seconds,
        finalLoss: trained.lossHistory.length ? finiteOrNull(trained.lossHistory[trained.lossHistory.length - 1]) : null,
        lossHistory: trained.lossHistory.map(finiteOrNull),
      },
    };
  } finally {
    tf.dispose(imodeFieldMethod('imode').tensors(model));
  }
  const dir = imodeOnPaperBDir(sys.info.id, scale);
  const provenance = prov.finish();
  const cell = (v: { mean: number | null; std: number | null }) => (v.mean === null ? 'diverged' : `${formatNumber(v.mean, 3)} ± ${formatNumber(v.std ?? 0, 2)}`);
  const table = tableToMarkdown({
    columns: ['method', 'adaptation steps', 'ε_field', 'ε_traj', 'SSIM', 'energy drift', 'adaptation (s)'],
    rows: metrics.methods.map((m) => [m.method, m.adaptSteps, cell(m.summary.fieldError), cell(m.summary.trajError), cell(m.summary.ssim), cell(m.summary.energyDrift), formatNumber(m.summary.adaptSeconds, 3)]),
  });
  const md =
    `iMODE as a method on ${sys.info.id} (${scale}): iMODE's bi-level loop (K = ${IMODE_INNER_STEPS} inner steps on η, first-order Adam on θ and η0) on Paper B's field loss, ` +
    `the system's own field model with η concatenated to the input, Paper B's data and scoring (mean ± std over ${cfg.testInstances} test instances); ` +
    `${metrics.training.iterations} outer iterations; revision ${revisionLabel(provenance)}, seed ${cfg.seed}, backend ${provenance.backend}.\n\n${table}`;
  writeResults(dir, { metrics: { ...metrics }, provenance, tables: { 'metrics.md': md } });
  return { dir, metrics };
}
