/**
 * What a family run keeps (metrics.json, the results contract): the latent analysis of the first model's η (PCA and
 * the gauge on its leading principal components) and of the gauge model's, each gauge left one out, the held-out
 * MSE of every unseen instance for iMODE, the scratch baseline and the gauge model (medians beside), the adaptation
 * and meta-training times, and every instance's η and inner-loop losses.
 */
import { median } from '../../analysis/metrics';
import type { InstanceResult } from '../../meta/imodeEvaluation';
import type { ImodeTrained } from '../../meta/imodeTraining';
import { type GaugeEntry, type LatentAnalysis, type LatentGauge, type LatentPoint, medianGaugeError, worstGaugeError } from '../imodeLatent';
import type { residualByCoordinate } from '../residualByCoordinate';
import type { ImodeFamilyConfig } from './family';
import type { GaugeModel } from './gaugeModel';

export interface FamilyLatents {
  points: LatentPoint[];
  /** PCA of the training η and the gauge on their leading p principal components ("project") */
  analysis: LatentAnalysis;
  /** the gauge fitted on the η of the gauge model with d_η = p ("retrain"), when there is one */
  retrained: LatentGauge | null;
  /** each gauge's leave-one-out errors on the training instances (null: too few of them, or no gauge model) */
  leaveOneOut: { project: GaugeEntry[] | null; retrained: GaugeEntry[] | null };
}


/** Held-out error of each unseen instance (metrics.json's evalError). */
const evalErrorRecords = (unseen: readonly InstanceResult[]) => unseen.map((r) => ({ instance: r.label, split: r.split, params: r.params, value: r.evalError }));

/** What metrics.json keeps of every instance's adaptation. */
const instanceRecords = (results: readonly InstanceResult[]) =>
  results.map((r) => ({ instance: r.label, split: r.split, params: r.params, eta: r.eta, adaptLosses: r.adaptLosses, evalError: r.evalError }));

/**
 * The results contract of a family run (metrics.json): the PCA of η and both Neural Gauges with their leave-one-out
 * errors, held-out errors of iMODE, the scratch baseline and the gauge model, timings, and every instance's η.
 */
export function familyMetrics(
  params: readonly { name: string }[],
  cfg: ImodeFamilyConfig,
  trained: ImodeTrained,
  results: readonly InstanceResult[],
  latent: FamilyLatents,
  gaugeModel: GaugeModel | null,
  coordinates: ReturnType<typeof residualByCoordinate> | null,
): Record<string, unknown> {
  const { analysis, retrained, leaveOneOut } = latent;
  const gaugeUnseen = gaugeModel ? gaugeModel.results.filter((r) => r.split !== 'train') : [];
  const unseen = results.filter((r) => r.split !== 'train');
  return {
    physicalParameters: params.map((p) => p.name),
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
}
