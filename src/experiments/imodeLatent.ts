/**
 * What the adapted η say about the physics (iMODE spec §4.3), shared by every iMODE experiment:
 *
 * 1. PCA of the adapted η of the training instances: explained-variance ratios and the intrinsic dimension, the
 *    smallest k whose cumulative ratio reaches `threshold` (the paper's claim: k = the number of physical
 *    parameters varied), beside the dimension at the sharpest drop of the spectrum.
 * 2. The Neural Gauge: the η of every instance projected on the leading p principal components of the training η
 *    (p = the number of physical parameters, so that the map is between spaces of one dimension), and an invertible
 *    map Φ: PCA coordinates → φ fitted on the training instances (../analysis/neuralGauge.ts). An unseen instance is
 *    "measured" as φ̂ = Φ(P(η)), with the relative error |φ̂ − φ| / |φ|. `gaugeLatents` alone gauges other η (the
 *    same instances' η from a model with d_η = p, where P only rotates).
 * 3. The gauge left one out: every training instance gauged by a gauge fitted without it (`leaveOneOutGauge`), a
 *    check of the latent map that looks at no unseen instance.
 */
import { median } from '../analysis/metrics';
import { type NeuralGaugeOptions, fitNeuralGauge, relativeParameterError } from '../analysis/neuralGauge';
import { type PcaResult, intrinsicDimension, pca, projectOnComponents, spectralGapDimension } from '../analysis/pca';
import { DataError } from '../core/errors';
import type { Rng } from '../core/rng';
import type { Split } from '../data/imodeInstances';
import { barFigure, scatterFigure } from '../viz/scatterAndBarFigures';
import type { PlotlyFigure } from '../viz/plotly';
import { type Table, formatPercent } from '../viz/table';

/** Defined with the instances (../data/imodeInstances.ts); ./trajectoryExtent.ts reads it from here. */
export type { Split };

/** One instance's adapted η with its physical parameters φ. */
export interface LatentPoint {
  label: string;
  split: Split;
  params: readonly number[];
  eta: readonly number[];
}

export interface GaugeEntry {
  label: string;
  split: Split;
  params: number[];
  predicted: number[];
  relError: number;
}

/** A Neural Gauge's measurements of the unseen points and its fit on the training ones. */
export interface LatentGauge {
  /** one entry per unseen (non-training) instance */
  gauge: GaugeEntry[];
  /** the gauge's fit on the training instances (standardised MSE) */
  gaugeTrainLoss: number;
}

export interface LatentAnalysis extends LatentGauge {
  physicalDimension: number;
  intrinsicDimension: number;
  /** the dimension at the sharpest drop of the spectrum (../analysis/pca.ts) */
  spectralGapDimension: number;
  /** PCA of the training η: ratios, descending */
  explainedVariance: number[];
  /** every point's coordinates on the leading components (all of them, for plots) */
  projected: number[][];
}

/**
 * PCA on the training points, projection of every point, and the gauge on them (`gaugeLatents`, reusing this PCA).
 * Needs at least p + 1 training points so that the p-dimensional fit is determined.
 */
export function analyseLatents(points: readonly LatentPoint[], rng: Rng, opts: { threshold: number; gauge: Partial<NeuralGaugeOptions> }): LatentAnalysis {
  const train = trainingPoints(points);
  const decomposition = pca(train.map((p) => p.eta));
  return {
    physicalDimension: train[0].params.length,
    intrinsicDimension: intrinsicDimension(decomposition.explainedVarianceRatio, opts.threshold),
    spectralGapDimension: spectralGapDimension(decomposition.explainedVarianceRatio),
    explainedVariance: decomposition.explainedVarianceRatio,
    projected: points.map((p) => projectOnComponents(p.eta, decomposition.mean, decomposition.components)),
    ...gaugeLatents(points, rng, opts.gauge, decomposition),
  };
}

/**
 * The Neural Gauge on the leading p principal components of the training points' η (p = the number of physical
 * parameters; for η with p dimensions the projection only rotates), fitted on the training points and applied to
 * the rest. `decomposition` is the PCA of the training η when the caller has it already.
 */
export function gaugeLatents(points: readonly LatentPoint[], rng: Rng, options: Partial<NeuralGaugeOptions>, decomposition?: PcaResult): LatentGauge {
  const train = trainingPoints(points);
  const physicalDimension = train[0].params.length;
  const trainPca = decomposition ?? pca(train.map((p) => p.eta));
  const etaDim = train[0].eta.length;
  const components = trainPca.components.slice(0, Math.min(physicalDimension, etaDim));
  if (components.length < physicalDimension) {
    throw new DataError(`η has ${etaDim} dimension(s) but ${physicalDimension} physical parameters must be gauged`);
  }
  const coordinates = (p: LatentPoint) => projectOnComponents(p.eta, trainPca.mean, components);
  const gauge = fitNeuralGauge(train.map(coordinates), train.map((p) => [...p.params]), rng, options);
  const unseen = points.filter((p) => p.split !== 'train');
  const predicted = unseen.length > 0 ? gauge.forward(unseen.map(coordinates)) : [];
  const entries = unseen.map((p, i) => ({
    label: p.label,
    split: p.split,
    params: [...p.params],
    predicted: predicted[i],
    relError: relativeParameterError(predicted[i], p.params),
  }));
  const gaugeTrainLoss = gauge.trainLoss;
  gauge.dispose();
  return { gauge: entries, gaugeTrainLoss };
}

/**
 * The gauge's leave-one-out errors on the training points: each training point gauged by a gauge (PCA and map) fitted
 * on the other training points alone, every fit from a fresh `rng()`. It judges how well a model's η determine φ from
 * its training data only, with no unseen instance looked at. Null, with the reason on stderr, when fewer than p + 2
 * training points leave too few to fit a p-parameter gauge without one of them, or when the η left after dropping
 * one cannot be fitted (a barely trained model whose remaining η coincide): a diagnostic must not stop the run.
 */
export function leaveOneOutGauge(points: readonly LatentPoint[], rng: () => Rng, options: Partial<NeuralGaugeOptions>): GaugeEntry[] | null {
  const train = trainingPoints(points);
  if (train.length < train[0].params.length + 2) return null;
  try {
    return train.map((_, held) => {
      const rest = train.map((q, j): LatentPoint => (j === held ? { ...q, split: 'interpolate' } : q));
      return { ...gaugeLatents(rest, rng(), options).gauge[0], split: 'train' };
    });
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    console.warn(`[metadyn] leave-one-out gauge skipped: ${e.message}`);
    return null;
  }
}

/** The median relative error of gauge entries, or null when there are none. */
export function medianGaugeError(entries: readonly GaugeEntry[] | null): number | null {
  return entries && entries.length > 0 ? median(entries.map((e) => e.relError)) : null;
}

/** A leave-one-out gauge's errors in a few words: median and worst, or why there are none. */
export function describeLeaveOneOut(entries: readonly GaugeEntry[] | null): string {
  return entries && entries.length > 0
    ? `median ${formatPercent(medianGaugeError(entries))}, worst ${formatPercent(Math.max(...entries.map((e) => e.relError)))}`
    : 'not computed';
}

/** One row per gauged instance: label, split, true and gauged parameters (4 significant digits), relative error. */
export function gaugeTable(gauge: readonly GaugeEntry[], gaugedColumn = 'gauged'): Table {
  const digits = (values: readonly number[]) => values.map((v) => v.toPrecision(4)).join(', ');
  return {
    columns: ['instance', 'split', 'true', gaugedColumn, 'relative error'],
    rows: gauge.map((g) => [g.label, g.split, digits(g.params), digits(g.predicted), g.relError]),
  };
}

/** Worst relative gauge error over the entries of one split, or null when there are none. */
export function worstGaugeError(gauge: readonly { split: string; relError: number }[], split: Split): number | null {
  const errors = gauge.filter((g) => g.split === split).map((g) => g.relError);
  return errors.length ? Math.max(...errors) : null;
}

/** The training points, at least p + 1 of them so that a p-dimensional gauge is determined. */
function trainingPoints(points: readonly LatentPoint[]): LatentPoint[] {
  const train = points.filter((p) => p.split === 'train');
  if (train.length === 0) throw new DataError('latent analysis needs training instances');
  const p = train[0].params.length;
  if (train.length < p + 1) throw new DataError(`the gauge of ${p} parameter(s) needs at least ${p + 1} training instances, got ${train.length}`);
  return train;
}

export function explainedVarianceFigure(explained: readonly number[], threshold: number): PlotlyFigure {
  return barFigure({
    title: `PCA of the adapted η (training instances): explained variance; intrinsic dimension at ${Math.round(threshold * 100)} %`,
    categories: explained.map((_, i) => `PC${i + 1}`),
    values: explained,
    xTitle: 'component',
    yTitle: 'explained variance ratio',
  });
}

/** η on the leading two components (or PC1 against the parameter when η has one dimension), coloured by φ_j. */
export function latentProjectionFigure(points: readonly LatentPoint[], analysis: LatentAnalysis, paramIndex: number, paramLabel: string): PlotlyFigure {
  const twoD = analysis.projected[0].length >= 2;
  return scatterFigure({
    title: `Adapted η on the leading principal components, coloured by ${paramLabel}`,
    xTitle: 'PC1',
    yTitle: twoD ? 'PC2' : paramLabel,
    points: {
      x: analysis.projected.map((c) => c[0]),
      y: twoD ? analysis.projected.map((c) => c[1]) : points.map((p) => p.params[paramIndex]),
      color: points.map((p) => p.params[paramIndex]),
      colorTitle: paramLabel,
      text: points.map((p) => `${p.label} (${p.split})`),
    },
  });
}

/** Gauged against true parameter φ_j of every unseen instance, with the line y = x; `source` names the η the gauge read. */
export function gaugeParityFigure(analysis: LatentGauge, paramIndex: number, paramLabel: string, source?: string): PlotlyFigure {
  const truth = analysis.gauge.map((g) => g.params[paramIndex]);
  const lo = Math.min(...truth, ...analysis.gauge.map((g) => g.predicted[paramIndex]));
  const hi = Math.max(...truth, ...analysis.gauge.map((g) => g.predicted[paramIndex]));
  return scatterFigure({
    // one line at the export width: the variant names its model and drops the words the plain title can afford
    title: source ? `Neural Gauge of the ${source}: ${paramLabel} measured against the truth` : `Neural Gauge on unseen instances: ${paramLabel} measured from η against the truth`,
    xTitle: `true ${paramLabel}`,
    yTitle: `gauged ${paramLabel}`,
    points: {
      x: truth,
      y: analysis.gauge.map((g) => g.predicted[paramIndex]),
      text: analysis.gauge.map((g) => `${g.label} (${g.split}), error ${(100 * g.relError).toFixed(1)} %`),
      name: 'unseen instances',
    },
    line: { x: [lo, hi], y: [lo, hi], name: 'y = x' },
  });
}

/** The key suffix of parameter j's figures: none for one parameter, -1, -2, ... for several. */
export function paramFigureKey(j: number, count: number): string {
  return count === 1 ? '' : `-${j + 1}`;
}

/** The figures of the analysis, keyed as results/<id>/figures/ names them. */
export function latentFigures(points: readonly LatentPoint[], analysis: LatentAnalysis, paramLabels: readonly string[], threshold: number): Record<string, PlotlyFigure> {
  const figures: Record<string, PlotlyFigure> = { 'eta-pca': explainedVarianceFigure(analysis.explainedVariance, threshold) };
  paramLabels.forEach((label, j) => {
    const key = paramFigureKey(j, paramLabels.length);
    figures[`eta-projection${key}`] = latentProjectionFigure(points, analysis, j, label);
    if (analysis.gauge.length > 0) figures[`gauge-parity${key}`] = gaugeParityFigure(analysis, j, label);
  });
  return figures;
}
