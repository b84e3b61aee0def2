/**
 * What a pendulum run keeps: the PCA of the training lengths' η and the Neural Gauge L̂ = Φ(η) (../imodeLatent.ts,
 * the families' analysis), metrics.json (the results contract: η, evaluation MSE of iMODE and the scratch baseline
 * per length, the gauge and its leave-one-out errors, timings, the over-provisioned model's own record), the
 * per-length table and every figure.
 */
import { median } from '../../analysis/metrics';
import { createRng } from '../../core/rng';
import type { InstanceResult } from '../../meta/imodeEvaluation';
import type { ImodeTrained } from '../../meta/imodeTraining';
import type { ConservativeForceSpec } from '../../nn/conservativeForce';
import type { PlotlyFigure } from '../../viz/plotly';
import type { Table } from '../../viz/table';
import { trainingFigures } from '../imodeFamilyExperiment';
import type { ImodePendulumConfig, PendulumPcaModel } from '../imodePendulum';
import {
  type GaugeEntry,
  type LatentAnalysis,
  type LatentPoint,
  analyseLatents,
  explainedVarianceFigure,
  latentFigures,
  latentProjectionFigure,
  leaveOneOutGauge,
  medianGaugeError,
  worstGaugeError,
} from '../imodeLatent';
import { gaugeOptionsOf } from './family';
import { newConditionsErrorFigure, newConditionsPortraitFigure, newConditionsRecord, newConditionsTable } from './newConditions';
import { byLength, etaFigure, etaSummary, lengthEvalErrorFigure, phasePortraitFigure, potentialFigure } from './pendulumFigures';
import type { ImodeSummary } from './report';

/**
 * PCA of the training lengths' η and the Neural Gauge L̂ = Φ(η) on the 8 unseen lengths (spec §4.3; the same analysis
 * as every iMODE family, ../imodeLatent.ts), and the gauge left one out on the training lengths (null when too few).
 */
export function analysePendulumLatents(
  cfg: ImodePendulumConfig,
  lengths: readonly InstanceResult[],
): { points: LatentPoint[]; analysis: LatentAnalysis; leaveOneOut: GaugeEntry[] | null } {
  const points = byLength(lengths).map((r) => ({ label: r.label, split: r.split, params: r.params, eta: r.eta }));
  const gauge = gaugeOptionsOf(cfg);
  // every gauge fit, left one out or not, starts from the same stream, so the fits differ only by their data
  const rng = () => createRng((cfg.seed + 500009) >>> 0);
  const analysis = analyseLatents(points, rng(), { threshold: cfg.pcaThreshold, gauge });
  return { points, analysis, leaveOneOut: leaveOneOutGauge(points, rng, gauge) };
}


/**
 * Step 3: metrics, the per-length table, and every figure, from the results of steps 1–2. With an over-provisioned
 * model the PCA (intrinsicDimension, explainedVariance, the η projection figure) is its η's, as the families' PCA is
 * their over-provisioned first model's; the gauge, the table and the other figures stay the main model's.
 */
export function pendulumSummary(
  cfg: ImodePendulumConfig,
  spec: ConservativeForceSpec,
  trained: ImodeTrained,
  lengths: readonly InstanceResult[],
  pcaModel: PendulumPcaModel | null,
): ImodeSummary {
  const sorted = byLength(lengths);
  const { points, analysis, leaveOneOut } = analysePendulumLatents(cfg, lengths);
  const pca = pcaModel ? analysePendulumLatents(pcaModel.cfg, pcaModel.lengths) : null;
  const pcaAnalysis = pca ? pca.analysis : analysis;
  const gaugeOf = (L: number) => analysis.gauge.find((g) => g.params[0] === L);
  const unseen = sorted.filter((r) => r.split !== 'train');
  const etaSummaryOf = etaSummary(cfg, sorted, analysis.projected);
  const etaSizes = etaSummaryOf.values;
  const withConditions = sorted.some((r) => r.newConditions !== null);
  const etaMonotone = etaSizes.every((v, i) => i === 0 || v > etaSizes[i - 1]) || etaSizes.every((v, i) => i === 0 || v < etaSizes[i - 1]);
  const table: Table = {
    columns: ['L', 'split', 'η', 'eval MSE (iMODE)', 'eval MSE (scratch)', 'gauged L', 'gauge rel. error', 'adaptation (s)'],
    rows: sorted.map((r) => [
      r.params[0],
      r.split,
      r.eta.map((v) => v.toFixed(4)).join(' '),
      r.evalError,
      r.scratchEvalError,
      gaugeOf(r.params[0])?.predicted[0] ?? null,
      gaugeOf(r.params[0])?.relError ?? null,
      r.adaptSeconds,
    ]),
  };
  const metrics = {
    metaTrainSeconds: trained.seconds,
    bestIteration: trained.bestIteration,
    finalTrainingLoss: trained.lossHistory[trained.lossHistory.length - 1],
    eta0: Array.from(trained.eta0.dataSync()),
    etaMonotoneInL: etaMonotone,
    physicalDimension: analysis.physicalDimension,
    etaDim: cfg.etaDim,
    intrinsicDimension: pcaAnalysis.intrinsicDimension,
    spectralGapDimension: pcaAnalysis.spectralGapDimension,
    explainedVariance: pcaAnalysis.explainedVariance,
    pcaModel: pcaModel && pca ? pcaModelRecord(pcaModel, pca) : null,
    gauge: analysis.gauge,
    gaugeTrainLoss: analysis.gaugeTrainLoss,
    gaugeMaxRelErrorInterpolate: worstGaugeError(analysis.gauge, 'interpolate'),
    gaugeMaxRelErrorExtrapolate: worstGaugeError(analysis.gauge, 'extrapolate'),
    gaugeLeaveOneOut: leaveOneOut,
    gaugeLeaveOneOutMedian: medianGaugeError(leaveOneOut),
    evalError: lengthRecords(unseen, (r) => r.evalError),
    scratchEvalError: lengthRecords(unseen, (r) => r.scratchEvalError),
    adaptSeconds: sorted.map((r) => ({ instance: r.label, split: r.split, value: r.adaptSeconds })),
    maxEvalMse: Math.max(...sorted.map((r) => r.evalError)),
    mseTarget: cfg.mseTarget,
    lengthsWithinTarget: sorted.filter((r) => r.evalError <= cfg.mseTarget).length,
    lengthCount: sorted.length,
    maxAdaptSeconds: Math.max(...sorted.map((r) => r.adaptSeconds)),
    newConditions: withConditions ? newConditionsRecord(cfg.newConditionAmplitudes, cfg.newConditionSteps, sorted) : null,
    lengths: sorted.map((r) => ({
      L: r.params[0],
      split: r.split,
      eta: r.eta,
      evalMse: r.evalError,
      scratchEvalMse: r.scratchEvalError,
      adaptSeconds: r.adaptSeconds,
      adaptLosses: r.adaptLosses,
    })),
  };
  const amplitudes = cfg.newConditionAmplitudes;
  const extrapolating = sorted.filter((r) => r.split === 'extrapolate');
  const figures: Record<string, PlotlyFigure> = {
    ...trainingFigures(trained),
    'phase-portraits': phasePortraitFigure(cfg, lengths),
    'eta-vs-length': etaFigure(lengths, etaSummaryOf),
    'eval-mse': lengthEvalErrorFigure(cfg, lengths),
    ...latentFigures(points, analysis, ['L (m)'], cfg.pcaThreshold),
    ...(pcaModel && pca ? pcaModelFigures(pcaModel, pca, cfg.pcaThreshold) : {}),
    'learned-potential': potentialFigure(spec, trained, lengths),
    ...(withConditions
      ? {
          'new-conditions-mse': newConditionsErrorFigure(amplitudes, cfg.newConditionSteps, lengths),
          // the hardest length: the one the training lengths do not bracket (or the longest)
          'new-conditions-portraits': newConditionsPortraitFigure(amplitudes, lengths, (extrapolating[0] ?? sorted[sorted.length - 1]).params[0]),
        }
      : {}),
  };
  const moreTables: Record<string, Table> = withConditions ? { 'new-conditions': newConditionsTable(amplitudes, lengths, cfg.mseTarget) } : {};
  return { metrics, table, moreTables, figures };
}


type PendulumLatents = ReturnType<typeof analysePendulumLatents>;

/** One record per length of the results contract's per-instance lists (evalError, scratchEvalError). */
function lengthRecords(rows: readonly InstanceResult[], value: (r: InstanceResult) => number | null) {
  return rows.map((r) => ({ instance: r.label, split: r.split, params: r.params, value: value(r) }));
}

/** What metrics.json keeps of the over-provisioned model: its training, its η, its held-out error, its own gauge. */
export function pcaModelRecord(pcaModel: PendulumPcaModel, pca: PendulumLatents) {
  const sorted = byLength(pcaModel.lengths);
  const unseen = sorted.filter((r) => r.split !== 'train');
  return {
    etaDim: pcaModel.cfg.etaDim,
    outerLr: pcaModel.cfg.outerLr,
    outerLrFinal: pcaModel.cfg.outerLrFinal,
    innerMaxStep: pcaModel.cfg.innerMaxStep,
    metaTrainSeconds: pcaModel.trained.seconds,
    bestIteration: pcaModel.trained.bestIteration,
    finalTrainingLoss: pcaModel.trained.lossHistory[pcaModel.trained.lossHistory.length - 1],
    // the gauge on the leading principal coordinate of its η: the families' "projected" gauge
    gauge: pca.analysis.gauge,
    gaugeMaxRelErrorInterpolate: worstGaugeError(pca.analysis.gauge, 'interpolate'),
    gaugeMaxRelErrorExtrapolate: worstGaugeError(pca.analysis.gauge, 'extrapolate'),
    gaugeLeaveOneOut: pca.leaveOneOut,
    gaugeLeaveOneOutMedian: medianGaugeError(pca.leaveOneOut),
    evalError: lengthRecords(unseen, (r) => r.evalError),
    medianEvalError: unseen.length ? median(unseen.map((r) => r.evalError)) : null,
    maxEvalMse: Math.max(...sorted.map((r) => r.evalError)),
    lengths: sorted.map((r) => ({ L: r.params[0], split: r.split, eta: r.eta, evalMse: r.evalError, adaptLosses: r.adaptLosses })),
  };
}

/** The PCA figures from the over-provisioned model's η (replacing the main model's), and its training curves. */
function pcaModelFigures(pcaModel: PendulumPcaModel, pca: PendulumLatents, threshold: number): Record<string, PlotlyFigure> {
  const training = Object.entries(trainingFigures(pcaModel.trained)).map(([name, figure]) => [`pca-model-${name}`, figure] as const);
  return {
    'eta-pca': explainedVarianceFigure(pca.analysis.explainedVariance, threshold),
    'eta-projection': latentProjectionFigure(pca.points, pca.analysis, 0, 'L (m)'),
    ...Object.fromEntries(training),
  };
}

