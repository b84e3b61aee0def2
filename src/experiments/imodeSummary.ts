/**
 * The iMODE summary across systems (issue: "system × intrinsic dimension found vs physical dimension, gauge error,
 * adapted-model evaluation error vs scratch, adaptation time"), built only from the metrics.json files the
 * experiments wrote, so that no number in it is typed by hand. Systems without results are listed as missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../core/errors';
import { median } from '../analysis/metrics';
import { readMetrics } from '../core/results';
import { type Table, formatNumber, tableToCsv, tableToMarkdown } from '../viz/table';
import { worstGaugeError } from './imodeLatent';

/** The iMODE experiments in notebook order. */
export const IMODE_EXPERIMENT_IDS = ['imode-pendulum', 'imode-bistable', 'imode-double-pendulum', 'imode-van-der-pol', 'imode-slinky', 'imode-reaction-diffusion'] as const;

interface SummaryMetrics {
  physicalDimension: number;
  etaDim: number;
  intrinsicDimension: number;
  spectralGapDimension: number;
  gauge: { split: string; relError: number }[];
  evalError: { value: number }[];
  scratchEvalError: { value: number | null }[];
  adaptSeconds: { value: number }[];
  /** the model retrained with d_η = the physical dimension, and its gauge (absent when not retrained) */
  gaugeModel?: { medianEvalError: number | null; gauge: { split: string; relError: number }[] } | null;
}

const medianOrNull = (xs: readonly number[]): number | null => (xs.length ? median(xs) : null);
const worst = (xs: readonly number[]): number | null => (xs.length ? Math.max(...xs) : null);
const percent = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(1)} %`);

/** One row per iMODE system from results/<id>/metrics.json under `resultsRoot`. */
export function imodeSummaryTable(resultsRoot: string): { table: Table; missing: string[] } {
  const rows: Table['rows'] = [];
  const missing: string[] = [];
  for (const id of IMODE_EXPERIMENT_IDS) {
    const dir = path.join(resultsRoot, id);
    if (!fs.existsSync(path.join(dir, 'metrics.json'))) {
      missing.push(id);
      continue;
    }
    const m = readMetrics(dir) as unknown as SummaryMetrics & { provenance: { scale: string } };
    const absent = (['physicalDimension', 'etaDim', 'intrinsicDimension', 'spectralGapDimension', 'gauge', 'evalError', 'scratchEvalError', 'adaptSeconds'] as const).filter(
      (k) => m[k] === undefined,
    );
    if (absent.length) throw new DataError(`${id}: metrics.json lacks ${absent.join(', ')}; it predates the results contract: rerun \`npm run reproduce -- ${id}\``, { file: path.join(dir, 'metrics.json') });
    const retrained = m.gaugeModel && Array.isArray(m.gaugeModel.gauge) ? m.gaugeModel.gauge : null;
    const scratch = m.scratchEvalError.map((e) => e.value).filter((v): v is number => v !== null);
    const scratchMedian = medianOrNull(scratch);
    const oursMedian = medianOrNull(m.evalError.map((e) => e.value));
    rows.push([
      id,
      m.physicalDimension,
      m.etaDim,
      m.intrinsicDimension,
      m.spectralGapDimension,
      percent(worstGaugeError(m.gauge, 'interpolate')),
      percent(worstGaugeError(m.gauge, 'extrapolate')),
      retrained ? `${percent(worstGaugeError(retrained, 'interpolate'))} / ${percent(worstGaugeError(retrained, 'extrapolate'))}` : '—',
      oursMedian === null ? '—' : formatNumber(oursMedian, 3),
      scratchMedian === null ? '—' : formatNumber(scratchMedian, 3),
      m.gaugeModel && m.gaugeModel.medianEvalError !== null ? formatNumber(m.gaugeModel.medianEvalError, 3) : '—',
      (worst(m.adaptSeconds.map((a) => a.value)) ?? 0).toFixed(2),
    ]);
  }
  return {
    table: {
      columns: [
        'experiment',
        'physical dim.',
        'η dim.',
        'intrinsic dim. (PCA, 99 %)',
        'intrinsic dim. (sharpest drop)',
        'gauge worst error, interpolating',
        'gauge worst error, extrapolating',
        'gauge worst error, interp. / extrap., model with η dim. = physical',
        'eval MSE iMODE (median, unseen)',
        'eval MSE scratch (median, unseen)',
        'eval MSE, model with η dim. = physical (median, unseen)',
        'adaptation (s, max)',
      ],
      rows,
    },
    missing,
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
    'these systems (spec §5); its claims are that the intrinsic dimension equals the physical one and that the gauge measures unseen systems.',
    '',
    markdown,
    ...(missing.length ? ['', `No default-scale results yet for: ${missing.join(', ')} (\`npm run reproduce -- <id>\`).`] : []),
    '',
  ].join('\n');
}
