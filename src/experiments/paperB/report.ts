/**
 * Paper B's results: the summary (metrics.json, the results contract: `table`, one row per method, and
 * `paperReference`; plus the ranking check, ε_traj against the rollout horizon, the instances, the SVD latents' explained variance, the training losses,
 * per-instance numbers, and `fewShotSweep` and `latentInitAblation` from the studies), the benchmark and study tables
 * beside the paper's numbers, the figures, the README section, and the writer of all of it with the provenance.
 * A diverged method yields NaN or ∞; it is written as null (JSON has no NaN) and the means skip nothing.
 */
import { finiteOrNull, meanStdJson } from '../../analysis/metrics';
import type { FewShotSweep, LatentInitAblation, PaperBEvaluation, PaperBInstance } from '../../analysis/paperBEvaluation';
import type { Scale } from '../../core/config';
import { type PaperReference, paperReference } from '../../core/reference';
import { type Provenance, type ProvenanceRecorder, provenanceLine } from '../../core/results';
import type { PaperBMethodName, TrainedMethod } from '../../meta/paperBMethods';
import type { PlotlyFigure } from '../../viz/plotly';
import { type Table, tableToMarkdown } from '../../viz/table';
import { type ExperimentInfo, writeExperimentResults } from '../experiment';
import { fewShotSweepFigure, latentPcaFigures, levelSetsFigure, phasePortraitsFigure, trainingCurvesFigure, trajectoryHorizonFigure, vectorFieldsFigure } from './figures';
import { type PaperBSystem, structureOf } from './system';
import { benchmarkTable, fewShotTable, latentInitTable, rankingCheck, rankingSentence, paperBTableRows, trajectoryHorizonCurves } from './tables';

export interface PaperBSummary {
  metrics: Record<string, unknown>;
  table: Table;
  /** the studies' tables by file stem (`withStudies`): written as .csv and .md and shown in the README section */
  studyTables: Record<string, Table>;
  figures: Record<string, PlotlyFigure>;
}

/** Step 3b: the few-shot sweep and the latent-initialisation ablation added to the summary (metrics, tables, figure). */
export function withStudies(s: PaperBSummary, sweep: FewShotSweep, ablation: LatentInitAblation): PaperBSummary {
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

/** Step 3: the results contract, the benchmark table and every figure. */
export function summarisePaperB<P>(
  sys: PaperBSystem<P>,
  instances: readonly PaperBInstance[],
  trained: readonly TrainedMethod[],
  evaluation: PaperBEvaluation<PaperBMethodName>,
  reference: PaperReference = paperReference(sys.info.id),
): PaperBSummary {
  const rows = paperBTableRows(evaluation);
  const horizon = trajectoryHorizonCurves(evaluation);
  const firstTest = instances.filter((i) => i.split === 'test')[0].label;
  const svdIndex = trained.findIndex((t) => t.method === 'SVD');
  const latent = latentPcaFigures(sys, instances, trained[svdIndex], evaluation.methods[svdIndex]);
  const metrics = {
    table: rows,
    paperReference: reference,
    ranking: { fieldError: rankingCheck(rows, 'fieldError'), trajError: rankingCheck(rows, 'trajError') },
    trajectoryHorizon: horizon,
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
        trajErrorFirstThird: finiteOrNull(r.trajErrorFirstThird),
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
    'trajectory-horizon': trajectoryHorizonFigure(horizon, reference),
    'training-curves': trainingCurvesFigure(trained),
    ...latent.figures,
  };
  const summary: PaperBSummary = { metrics, table: benchmarkTable(rows, reference), studyTables: {}, figures };
  const { summarise } = structureOf(sys);
  return summarise ? summarise(summary, { instances, evaluation }) : summary;
}

const STUDY_CAPTIONS: Record<string, string> = {
  'few-shot-sweep': 'Few-shot sweep, ε_field against the number n of support states (the first n in time order)',
  'latent-init-ablation': 'Latent initialisation at test time, z_avg (spec) against 0',
  degeneracy: "GENERIC structure checks of every adapted model on held-out states (float32), worst over the test instances: the degeneracy residuals, M̃'s smallest eigenvalue, and dẼ/dt, dS̃/dt of the model's own field",
  decomposition: 'The learned GENERIC pieces against the true ones on the field grid (relative ℓ² error, mean ± std over the test instances): a right total field does not mean right pieces',
};

/** The README section: provenance line, the benchmark table beside the paper's numbers, and the ranking check. */
export function paperBReadmeSnippet(summary: PaperBSummary, provenance: Provenance, reference: PaperReference): string {
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

/** Step 4: write metrics, the benchmark table, the studies' tables, the README section, figures and provenance, atomically. */
export function writePaperBResults(info: ExperimentInfo, scale: Scale, summary: PaperBSummary, provenance: ProvenanceRecorder): string {
  const tables = { benchmark: summary.table, ...summary.studyTables };
  return writeExperimentResults(info, scale, { metrics: summary.metrics, tables, figures: summary.figures, readme: (finished, reference) => paperBReadmeSnippet(summary, finished, reference) }, provenance);
}
