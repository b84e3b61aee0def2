/**
 * The iMODE summary across systems (issue: "system × intrinsic dimension found vs physical dimension, gauge error,
 * adapted-model evaluation error vs scratch, adaptation time"), built only from the metrics.json files the
 * experiments wrote, so that no number in it is typed by hand. Systems without results are listed as missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../core/errors';
import { twoNearestNeighbourDimension } from '../analysis/intrinsicDimension';
import { median } from '../analysis/metrics';
import { readMetrics } from '../core/results';
import { type Table, formatNumber, formatPercent, tableToCsv, tableToMarkdown } from '../viz/table';
import { worstGaugeError } from './imodeLatent';
import { type DimensionStudy, readDimensionStudy } from './imodeDimensionStudy';

/** The iMODE experiments in notebook order. */
export const IMODE_EXPERIMENT_IDS = ['imode-pendulum', 'imode-bistable', 'imode-double-pendulum', 'imode-van-der-pol', 'imode-slinky', 'imode-reaction-diffusion'] as const;

export function isImodeExperimentId(id: string): boolean {
  return (IMODE_EXPERIMENT_IDS as readonly string[]).includes(id);
}

interface SummaryMetrics {
  physicalDimension: number;
  etaDim: number;
  intrinsicDimension: number;
  spectralGapDimension: number;
  gauge: { split: string; relError: number }[];
  evalError: { value: number }[];
  scratchEvalError: { value: number | null }[];
  adaptSeconds: { value: number }[];
  /** the median leave-one-out gauge error on the training instances (absent in runs that predate it) */
  gaugeLeaveOneOutMedian?: number | null;
  /** the model retrained with d_η = the physical dimension, and its gauge (absent when not retrained) */
  gaugeModel?: SecondModelMetrics | null;
  /** the pendulum's over-provisioned model for the PCA (absent elsewhere, and in runs that predate it) */
  pcaModel?: (SecondModelMetrics & { etaDim: number; lengths?: { eta: number[] }[] }) | null;
  /** a family's adapted instances, each with its η (the over-provisioned model's) */
  instances?: { eta: number[] }[];
}

interface SecondModelMetrics {
  medianEvalError: number | null;
  gauge: { split: string; relError: number }[];
  gaugeLeaveOneOutMedian?: number | null;
}

const medianOrNull = (xs: readonly number[]): number | null => (xs.length ? median(xs) : null);
const worst = (xs: readonly number[]): number | null => (xs.length ? Math.max(...xs) : null);
const mse = (v: number | null) => (v === null ? '—' : formatNumber(v, 3));

/** Column and row names shared by the table across systems and the table over seeds. */
const LABEL = {
  spectralGapDimension: 'intrinsic dim. (sharpest drop)',
  twoNN: 'intrinsic dim. (TwoNN ± s.e., over N adapted η)',
  denseSample: 'intrinsic dim. over a dense sample (TwoNN ± s.e. / PCA 99 %, N adapted η)',
  gaugeInterpolate: 'gauge worst error, interpolating',
  gaugeExtrapolate: 'gauge worst error, extrapolating',
  evalMedian: 'eval MSE iMODE (median, unseen)',
  scratchEvalMedian: 'eval MSE scratch (median, unseen)',
  gaugeModelEvalMedian: 'eval MSE, model with η dim. = physical (median, unseen)',
  gaugeLeaveOneOut: 'gauge error left one out, training instances (median)',
} as const;

/** The numbers an iMODE run is summarised by, read from its metrics.json (null: the run has none). */
export interface ImodeHeadline {
  physicalDimension: number;
  etaDim: number;
  intrinsicDimension: number;
  spectralGapDimension: number;
  /** TwoNN on the over-provisioned model's adapted η (../analysis/intrinsicDimension.ts): null where no η is stored */
  twoNNDimension: number | null;
  twoNNStandardError: number | null;
  twoNNPoints: number;
  gaugeInterpolate: number | null;
  gaugeExtrapolate: number | null;
  /** the same for the gauge of the model with d_η = the physical dimension */
  gaugeModelInterpolate: number | null;
  gaugeModelExtrapolate: number | null;
  /** the median leave-one-out gauge error on the training instances, of each gauge */
  gaugeLeaveOneOut: number | null;
  gaugeModelLeaveOneOut: number | null;
  /** medians over the unseen instances of the held-out rollout MSE */
  evalMedian: number | null;
  scratchEvalMedian: number | null;
  gaugeModelEvalMedian: number | null;
  maxAdaptSeconds: number | null;
}

/** Reads the headline numbers of one run; `where` names it in the error when metrics.json predates the contract. */
export function imodeHeadline(metrics: Readonly<Record<string, unknown>>, where: string): ImodeHeadline {
  const m = metrics as unknown as SummaryMetrics;
  const absent = (['physicalDimension', 'etaDim', 'intrinsicDimension', 'spectralGapDimension', 'gauge', 'evalError', 'scratchEvalError', 'adaptSeconds'] as const).filter(
    (k) => m[k] === undefined,
  );
  if (absent.length) throw new DataError(`${where}: metrics.json lacks ${absent.join(', ')}; it predates the results contract: rerun it`);
  const main: SecondModelMetrics = { gauge: m.gauge, gaugeLeaveOneOutMedian: m.gaugeLeaveOneOutMedian, medianEvalError: medianOrNull(m.evalError.map((e) => e.value)) };
  // The pendulum's main model has as many η dimensions as physical parameters (the authors' code) and its
  // over-provisioned model is `pcaModel`. Read so, its row means what a family's does: the first columns are the
  // over-provisioned model's, the "model with η dim. = physical" ones the other's.
  const overProvisioned = m.pcaModel ?? main;
  const physical = m.pcaModel ? main : (m.gaugeModel ?? null);
  const physicalGauge = physical && Array.isArray(physical.gauge) ? physical.gauge : null;
  const etas = (m.pcaModel ? m.pcaModel.lengths : m.instances)?.map((i) => i.eta) ?? [];
  const twoNN = etas.length >= 3 ? twoNearestNeighbourDimension(etas) : null;
  return {
    physicalDimension: m.physicalDimension,
    etaDim: m.pcaModel ? m.pcaModel.etaDim : m.etaDim,
    intrinsicDimension: m.intrinsicDimension,
    spectralGapDimension: m.spectralGapDimension,
    twoNNDimension: twoNN?.dimension ?? null,
    twoNNStandardError: twoNN?.standardError ?? null,
    twoNNPoints: etas.length,
    gaugeInterpolate: worstGaugeError(overProvisioned.gauge, 'interpolate'),
    gaugeExtrapolate: worstGaugeError(overProvisioned.gauge, 'extrapolate'),
    gaugeModelInterpolate: physicalGauge ? worstGaugeError(physicalGauge, 'interpolate') : null,
    gaugeModelExtrapolate: physicalGauge ? worstGaugeError(physicalGauge, 'extrapolate') : null,
    gaugeLeaveOneOut: overProvisioned.gaugeLeaveOneOutMedian ?? null,
    gaugeModelLeaveOneOut: physical?.gaugeLeaveOneOutMedian ?? null,
    evalMedian: overProvisioned.medianEvalError,
    scratchEvalMedian: medianOrNull(m.scratchEvalError.map((e) => e.value).filter((v): v is number => v !== null)),
    gaugeModelEvalMedian: physical ? physical.medianEvalError : null,
    maxAdaptSeconds: worst(m.adaptSeconds.map((a) => a.value)),
  };
}

/** The dense-sample study's TwoNN and PCA (`npm run intrinsic-dimension`), '—' where it has not run. */
function denseSampleCell(study: DimensionStudy | null): string {
  if (study === null) return '—';
  const e = study.dense;
  return `${formatNumber(e.twoNN.dimension, 2)} ± ${formatNumber(e.twoNN.standardError, 1)} / ${e.pca99} (${e.points})`;
}

/** One row per iMODE system from results/<id>/metrics.json under `resultsRoot` (and the dense-sample study's, where it ran). */
export function imodeSummaryTable(resultsRoot: string): { table: Table; missing: string[] } {
  const rows: Table['rows'] = [];
  const missing: string[] = [];
  for (const id of IMODE_EXPERIMENT_IDS) {
    const dir = path.join(resultsRoot, id);
    if (!fs.existsSync(path.join(dir, 'metrics.json'))) {
      missing.push(id);
      continue;
    }
    const h = imodeHeadline(readMetrics(dir), `${id} (${path.join(dir, 'metrics.json')})`);
    rows.push([
      id,
      h.physicalDimension,
      h.etaDim,
      h.intrinsicDimension,
      h.spectralGapDimension,
      h.twoNNDimension === null ? '—' : `${formatNumber(h.twoNNDimension, 2)} ± ${formatNumber(h.twoNNStandardError ?? NaN, 1)} (${h.twoNNPoints})`,
      denseSampleCell(readDimensionStudy(resultsRoot, id)),
      formatPercent(h.gaugeInterpolate),
      formatPercent(h.gaugeExtrapolate),
      h.gaugeModelInterpolate === null && h.gaugeModelExtrapolate === null ? '—' : `${formatPercent(h.gaugeModelInterpolate)} / ${formatPercent(h.gaugeModelExtrapolate)}`,
      mse(h.evalMedian),
      mse(h.scratchEvalMedian),
      mse(h.gaugeModelEvalMedian),
      (h.maxAdaptSeconds ?? 0).toFixed(2),
    ]);
  }
  return {
    table: {
      columns: [
        'experiment',
        'physical dim.',
        'η dim.',
        'intrinsic dim. (PCA, 99 %)',
        LABEL.spectralGapDimension,
        LABEL.twoNN,
        LABEL.denseSample,
        LABEL.gaugeInterpolate,
        LABEL.gaugeExtrapolate,
        'gauge worst error, interp. / extrap., model with η dim. = physical',
        LABEL.evalMedian,
        LABEL.scratchEvalMedian,
        LABEL.gaugeModelEvalMedian,
        'adaptation (s, max)',
      ],
      rows,
    },
    missing,
  };
}

/** What one seed's run of an iMODE experiment contributes to the table over seeds. */
export interface ImodeSeedRun {
  seed: number;
  metrics: Readonly<Record<string, unknown>>;
}

type HeadlineKey = Exclude<keyof ImodeHeadline, 'physicalDimension' | 'etaDim' | 'twoNNStandardError' | 'twoNNPoints'>;

const SEED_ROWS: readonly { key: HeadlineKey; label: (h: ImodeHeadline) => string; format: (v: number | null) => string }[] = [
  { key: 'intrinsicDimension', label: (h) => `intrinsic dim. (PCA, 99 %; physical ${h.physicalDimension}, η dim. ${h.etaDim})`, format: (v) => (v === null ? '—' : String(v)) },
  { key: 'spectralGapDimension', label: () => LABEL.spectralGapDimension, format: (v) => (v === null ? '—' : String(v)) },
  { key: 'twoNNDimension', label: (h) => `intrinsic dim. (TwoNN, over ${h.twoNNPoints} adapted η)`, format: (v) => (v === null ? '—' : formatNumber(v, 2)) },
  { key: 'gaugeInterpolate', label: () => LABEL.gaugeInterpolate, format: formatPercent },
  { key: 'gaugeExtrapolate', label: () => LABEL.gaugeExtrapolate, format: formatPercent },
  { key: 'gaugeModelInterpolate', label: () => `${LABEL.gaugeInterpolate}, model with η dim. = physical`, format: formatPercent },
  { key: 'gaugeModelExtrapolate', label: () => `${LABEL.gaugeExtrapolate}, model with η dim. = physical`, format: formatPercent },
  { key: 'gaugeLeaveOneOut', label: () => LABEL.gaugeLeaveOneOut, format: formatPercent },
  { key: 'gaugeModelLeaveOneOut', label: () => `${LABEL.gaugeLeaveOneOut}, model with η dim. = physical`, format: formatPercent },
  { key: 'evalMedian', label: () => LABEL.evalMedian, format: mse },
  { key: 'scratchEvalMedian', label: () => LABEL.scratchEvalMedian, format: mse },
  { key: 'gaugeModelEvalMedian', label: () => LABEL.gaugeModelEvalMedian, format: mse },
];

/**
 * One iMODE experiment over seeds: a row per headline number, a column per seed, and the median over the seeds that
 * have the number. With three seeds a mean ± std would describe a distribution that three values cannot show, so
 * every seed's value is printed. Every run must have the same physical and η dimensions.
 */
export function imodeSeedTable(runs: readonly ImodeSeedRun[]): Table {
  if (runs.length === 0) throw new DataError('imodeSeedTable: no runs');
  const headlines = runs.map((r) => imodeHeadline(r.metrics, `seed ${r.seed}`));
  headlines.forEach((h, i) => {
    if (h.physicalDimension !== headlines[0].physicalDimension || h.etaDim !== headlines[0].etaDim) {
      throw new DataError(`seed ${runs[i].seed} has physical / η dimensions ${h.physicalDimension} / ${h.etaDim}, seed ${runs[0].seed} ${headlines[0].physicalDimension} / ${headlines[0].etaDim}`);
    }
  });
  return {
    columns: ['quantity', ...runs.map((r) => `seed ${r.seed}`), 'median over seeds'],
    rows: SEED_ROWS.map((row) => {
      const values = headlines.map((h) => h[row.key]);
      return [row.label(headlines[0]), ...values.map(row.format), row.format(medianOrNull(values.filter((v): v is number => v !== null)))];
    }),
  };
}

/** Writes results/imode-summary.{md,csv} and returns the README section. */
export function writeImodeSummary(resultsRoot: string): string {
  const { table, missing } = imodeSummaryTable(resultsRoot);
  const markdown = tableToMarkdown(table);
  fs.writeFileSync(path.join(resultsRoot, 'imode-summary.md'), `${markdown}\n`);
  fs.writeFileSync(path.join(resultsRoot, 'imode-summary.csv'), tableToCsv(table));
  return [
    'Generated from `results/<id>/metrics.json` by `npm run readme-tables` (also `results/imode-summary.md`, `.csv`). The paper reports no numbers for',
    'these systems (spec §5); it claims that the intrinsic dimension equals the physical one and that the gauge measures unseen systems.',
    'Each system has two models: one with an over-provisioned η (η dim.), whose PCA and TwoNN give the intrinsic dimension and whose leading components',
    'the first gauge columns read, and one with as many η dimensions as physical parameters (the pendulum\'s main model, the authors\' 1-D η).',
    'The dense-sample column (`npm run intrinsic-dimension -- <id>`) adapts N more instances inside the training box: TwoNN reads the smallest',
    'neighbour scale, which scatter of the adapted η raises, PCA the largest.',
    '',
    markdown,
    ...(missing.length ? ['', `No default-scale results yet for: ${missing.join(', ')} (\`npm run reproduce -- <id>\`).`] : []),
    '',
  ].join('\n');
}
