/**
 * Writing an iMODE run, the pendulum's or a family's: metrics.json, its table as CSV and Markdown, every figure,
 * provenance, and the README section generated from the results (never typed) with the paper's side from the one
 * reference file (../../core/reference.ts), all written atomically.
 */
import { type Provenance, type ProvenanceRecorder, provenanceLine } from '../../core/results';
import { type PaperReference, reportedNumbers } from '../../core/reference';
import type { Scale } from '../../core/config';
import type { PlotlyFigure } from '../../viz/plotly';
import { type Table, formatNumber, formatPercent, tableToMarkdown } from '../../viz/table';
import { describeLeaveOneOut } from '../imodeLatent';
import { type ExperimentInfo, writeExperimentResults } from '../experiment';
import type { GaugeEntry } from '../imodeLatent';
import type { ScreenedStart } from './gaugeModel';
import type { pcaModelRecord } from './pendulumSummary';

/** A run's results: the metrics contract, its table (and any further ones, by file name) and its figures. */
export interface ImodeSummary {
  metrics: Record<string, unknown>;
  table: Table;
  moreTables?: Record<string, Table>;
  figures: Record<string, PlotlyFigure>;
}

/** The README section of a family, generated from its results with the paper's side from the one reference file. */
export function familyReadmeSnippet(summary: ImodeSummary, provenance: Provenance, reference: PaperReference): string {
  const m = summary.metrics as {
    physicalDimension: number;
    intrinsicDimension: number;
    spectralGapDimension: number;
    etaDim: number;
    innerSteps: number;
    gaugeMaxRelErrorInterpolate: number | null;
    gaugeMaxRelErrorExtrapolate: number | null;
    medianEvalError: number | null;
    medianScratchEvalError: number | null;
    maxAdaptSeconds: number;
    metaTrainSeconds: number;
    /** absent in runs that predate the leave-one-out gauge */
    gaugeLeaveOneOutMedian?: number | null;
    gaugeModel: {
      etaDim: number;
      init?: 'projection' | 'scratch';
      metaTrainSeconds: number;
      medianEvalError: number | null;
      gaugeMaxRelErrorInterpolate: number | null;
      gaugeMaxRelErrorExtrapolate: number | null;
      gaugeLeaveOneOutMedian?: number | null;
      screening?: ScreenedStart[];
    } | null;
  };
  const orDash = (v: number | null) => (v === null ? '—' : formatNumber(v, 3));
  // metrics written before the fine-tune existed have no `init`: their gauge model was trained anew
  const gaugeModelName = m.gaugeModel ? `model ${m.gaugeModel.init === 'projection' ? 'fine-tuned on its leading principal directions' : 'retrained'} with d_η = ${m.gaugeModel.etaDim}` : '';
  return [
    provenanceLine(provenance),
    '',
    '| | paper | ours |',
    '|---|---|---|',
    `| reported numbers | ${reportedNumbers(reference)} | below |`,
    `| intrinsic dimension of η (PCA of ${m.etaDim}-dim η): 99 % of the variance / sharpest drop | ${m.physicalDimension} (= physical parameters, authors' claim) | ${m.intrinsicDimension} / ${m.spectralGapDimension} |`,
    `| Neural Gauge, worst relative error, interpolating / extrapolating: η on its leading ${m.physicalDimension} principal component(s) | — | ${formatPercent(m.gaugeMaxRelErrorInterpolate)} / ${formatPercent(m.gaugeMaxRelErrorExtrapolate)} |`,
    ...(m.gaugeModel
      ? [`| the same, η of the ${gaugeModelName} | — | ${formatPercent(m.gaugeModel.gaugeMaxRelErrorInterpolate)} / ${formatPercent(m.gaugeModel.gaugeMaxRelErrorExtrapolate)} |`]
      : []),
    ...(m.gaugeLeaveOneOutMedian !== undefined
      ? [
          `| Neural Gauge on the training instances, each left out of the fit, median relative error: principal components${m.gaugeModel ? ' / gauge model' : ''} | — | ${formatPercent(m.gaugeLeaveOneOutMedian)}${m.gaugeModel ? ` / ${formatPercent(m.gaugeModel.gaugeLeaveOneOutMedian ?? null)}` : ''} |`,
        ]
      : []),
    `| held-out rollout MSE, median over unseen instances: iMODE / scratch | — | ${orDash(m.medianEvalError)} / ${orDash(m.medianScratchEvalError)} |`,
    ...(m.gaugeModel ? [`| held-out rollout MSE, median over unseen instances, ${gaugeModelName} | — | ${orDash(m.gaugeModel.medianEvalError)} |`] : []),
    `| adaptation time per instance (${m.innerSteps} steps) | "within seconds" | ≤ ${m.maxAdaptSeconds.toFixed(2)} s |`,
    `| meta-training wall time | — | ${m.metaTrainSeconds.toFixed(0)} s${m.gaugeModel ? ` (+ ${m.gaugeModel.metaTrainSeconds.toFixed(0)} s for the gauge model${m.gaugeModel.screening && m.gaugeModel.screening.length > 0 ? `, the start chosen of ${m.gaugeModel.screening.length} screened` : ''})` : ''} |`,
    '',
    '<details><summary>Per instance</summary>',
    '',
    tableToMarkdown(summary.table, { digits: 3 }),
    '',
    '</details>',
    '',
  ].join('\n');
}

/**
 * Write an iMODE experiment's metrics, its table as `<tableName>.csv` and `.md`, the README section (built from the
 * finished provenance) and every figure, atomically. Shared by the families and the pendulum.
 */
export function writeImodeResults(
  info: ExperimentInfo,
  scale: Scale,
  summary: ImodeSummary,
  provenance: ProvenanceRecorder,
  tableName: string,
  readme: (finished: Provenance, reference: PaperReference) => string,
): string {
  return writeExperimentResults(info, scale, { metrics: summary.metrics, tables: { [tableName]: summary.table, ...summary.moreTables }, figures: summary.figures, readme }, provenance);
}

/**
 * The README's section for this experiment, generated from the results (never typed): the per-length table, the
 * headline numbers, and the paper's side from the one reference file.
 */
export function pendulumReadmeSnippet(summary: ImodeSummary, provenance: Provenance, reference: PaperReference): string {
  const m = summary.metrics as {
    metaTrainSeconds: number;
    maxEvalMse: number;
    etaMonotoneInL: boolean;
    maxAdaptSeconds: number;
    intrinsicDimension: number;
    spectralGapDimension: number;
    physicalDimension: number;
    etaDim: number;
    gaugeMaxRelErrorInterpolate: number | null;
    gaugeMaxRelErrorExtrapolate: number | null;
    gaugeLeaveOneOut: GaugeEntry[] | null;
    pcaModel: ReturnType<typeof pcaModelRecord> | null;
    /** absent in runs that predate them */
    mseTarget?: number;
    lengthsWithinTarget?: number;
    lengthCount?: number;
    newConditions?: { steps: number } | null;
  };
  return [
    provenanceLine(provenance),
    '',
    tableToMarkdown(summary.table, { digits: 3 }),
    '',
    '| | paper | ours |',
    '|---|---|---|',
    `| reported numbers | ${reportedNumbers(reference)} | table above |`,
    `| intrinsic dimension of η (PCA of ${m.pcaModel ? `the ${m.pcaModel.etaDim}-dim η of a second, over-provisioned model` : `${m.etaDim}-dim η`}): 99 % of the variance / sharpest drop | ${m.physicalDimension} (= physical parameters, README claim) | ${m.intrinsicDimension} / ${m.spectralGapDimension} |`,
    ...(m.pcaModel
      ? [
          `| the over-provisioned model: worst evaluation MSE over the 13 lengths; Neural Gauge on its leading principal coordinate, worst error interpolating / extrapolating | — | ${formatNumber(m.pcaModel.maxEvalMse, 3)}; ${formatPercent(m.pcaModel.gaugeMaxRelErrorInterpolate)} / ${formatPercent(m.pcaModel.gaugeMaxRelErrorExtrapolate)} |`,
        ]
      : []),
    `| Neural Gauge, worst relative error in L, interpolating / extrapolating (L = 10) | — | ${formatPercent(m.gaugeMaxRelErrorInterpolate)} / ${formatPercent(m.gaugeMaxRelErrorExtrapolate)} |`,
    `| Neural Gauge on the training lengths, each left out of its fit: relative error in L | — | ${describeLeaveOneOut(m.gaugeLeaveOneOut)} |`,
    `| adapted η monotone in L | — | ${m.etaMonotoneInL ? 'yes' : 'no'} |`,
    `| worst evaluation MSE over the 13 lengths | — | ${formatNumber(m.maxEvalMse, 3)} |`,
    ...(m.lengthsWithinTarget !== undefined ? [`| lengths with evaluation MSE ≤ ${m.mseTarget} | — | ${m.lengthsWithinTarget} / ${m.lengthCount} |`] : []),
    `| adaptation time per length (5 steps) | "within seconds" | ≤ ${m.maxAdaptSeconds.toFixed(2)} s |`,
    `| meta-training wall time | — | ${m.metaTrainSeconds.toFixed(0)} s |`,
    '',
    ...(m.newConditions && summary.moreTables?.['new-conditions']
      ? [
          `From new initial conditions (not in the paper): every length's adapted model and scratch baseline released at rest from θ₀, ${m.newConditions.steps} steps against a tight float64 reference (the training orbit is θ₀ = π/2):`,
          '',
          tableToMarkdown(summary.moreTables['new-conditions'], { digits: 3 }),
          '',
        ]
      : []),
  ].join('\n');
}

