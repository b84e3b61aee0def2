/**
 * Mean ± std over seeds of a benchmark table (Paper B reports its numbers over repeated runs; spec §6).
 *
 * Each seed is one complete run of an experiment whose `metrics.json` holds `table`: one row per method with metrics
 * {mean, std} over the test instances. For every method and metric this takes the per-seed means m_s and reports
 *   mean = (1/S) Σ_s m_s,   std = √((1/(S−1)) Σ_s (m_s − mean)²)   (sample std, 0 for S = 1),
 * i.e. the seed-to-seed spread of the instance-averaged error, which is what "± over seeds" measures; the
 * instance-level spread stays in each seed's own table. A method that diverged in any seed (mean null) has a null
 * aggregate and is counted in `diverged`, never silently averaged over the seeds that survived.
 */
import { meanStd } from '../analysis/metrics';
import { DataError } from '../core/errors';
import type { Provenance } from '../core/results';
import { type Table, formatNumber } from '../viz/table';

/** The metrics of a benchmark row that are aggregated, in table order; every seed's row must have them. */
export const SEED_METRICS = ['fieldError', 'trajError', 'ssim', 'energyDrift'] as const;
export type SeedMetric = (typeof SEED_METRICS)[number];
/**
 * Metrics added to the benchmark row after runs were committed without them (ε_field in data, ε_traj over the first
 * third): aggregated when every
 * seed's table has one, left out of the aggregate when none has, and an error when only some have (seeds run by
 * different revisions, to be re-merged rather than averaged over the seeds that happen to carry it).
 */
export const LATER_SEED_METRICS = ['fieldErrorInData', 'trajErrorFirstThird'] as const;
export type LaterSeedMetric = (typeof LATER_SEED_METRICS)[number];

const METRIC_LABELS: Readonly<Record<SeedMetric | LaterSeedMetric, string>> = {
  fieldError: 'ε_field',
  trajError: 'ε_traj',
  ssim: 'SSIM',
  energyDrift: 'energy drift',
  fieldErrorInData: 'ε_field in data',
  trajErrorFirstThird: 'ε_traj, first third',
};

/** What one seed's metrics.json contributes. */
export interface SeedRun {
  seed: number;
  table: readonly { method: string; [metric: string]: unknown }[];
  provenance: Pick<Provenance, 'configHash' | 'backend' | 'tfjsVersion' | 'gitRevision' | 'gitDirty' | 'wallSeconds'>;
}

export interface AggregatedMetric {
  mean: number | null;
  std: number | null;
  /** the instance-averaged value of each seed, in seed order (null: diverged) */
  perSeed: (number | null)[];
  /** seeds in which the method diverged */
  diverged: number;
}

export interface SeedAggregateRow {
  method: string;
  metrics: Record<SeedMetric, AggregatedMetric> & Partial<Record<LaterSeedMetric, AggregatedMetric>>;
}

function perSeedMean(run: SeedRun, method: string, metric: SeedMetric | LaterSeedMetric): number | null {
  const row = run.table.find((r) => r.method === method);
  if (!row) throw new DataError(`seed ${run.seed}: no row for method '${method}'`);
  const cell = row[metric];
  if (typeof cell !== 'object' || cell === null || !('mean' in cell)) throw new DataError(`seed ${run.seed}, ${method}: '${metric}' is not a {mean, std} cell`);
  if (cell.mean === null) return null;
  if (typeof cell.mean !== 'number' || !Number.isFinite(cell.mean)) throw new DataError(`seed ${run.seed}, ${method}.${metric}.mean is not a finite number or null`);
  return cell.mean;
}

export function aggregateMetric(values: readonly (number | null)[]): AggregatedMetric {
  const diverged = values.filter((v) => v === null).length;
  if (values.length === 0) throw new DataError('aggregateMetric: no seeds');
  if (diverged > 0) return { mean: null, std: null, perSeed: [...values], diverged };
  const xs = values as number[];
  return { ...meanStd(xs, 'sample'), perSeed: [...xs], diverged: 0 };
}

/** Aggregates the seeds' tables; every seed must have the same methods in the same order and distinct seeds. */
export function aggregateSeedTables(runs: readonly SeedRun[]): SeedAggregateRow[] {
  if (runs.length === 0) throw new DataError('aggregateSeedTables: no runs');
  const seeds = runs.map((r) => r.seed);
  if (new Set(seeds).size !== seeds.length) throw new DataError(`aggregateSeedTables: repeated seed in ${seeds.join(', ')}`);
  const methods = runs[0].table.map((r) => r.method);
  runs.forEach((run) => {
    const own = run.table.map((r) => r.method);
    if (own.join('\u0000') !== methods.join('\u0000')) throw new DataError(`seed ${run.seed} has methods ${own.join(', ')}, seed ${runs[0].seed} has ${methods.join(', ')}`);
  });
  const later = LATER_SEED_METRICS.filter((m) => {
    const carrying = runs.filter((run) => run.table.every((r) => m in r));
    if (carrying.length > 0 && carrying.length < runs.length) {
      throw new DataError(`'${m}' is in the tables of seeds ${carrying.map((r) => r.seed).join(', ')} only: re-merge the other seeds with this revision`);
    }
    return carrying.length === runs.length;
  });
  return methods.map((method) => ({
    method,
    metrics: Object.fromEntries([...SEED_METRICS, ...later].map((m) => [m, aggregateMetric(runs.map((run) => perSeedMean(run, method, m)))])) as SeedAggregateRow['metrics'],
  }));
}

function cell(a: AggregatedMetric): string {
  if (a.mean === null || a.std === null) return `diverged in ${a.diverged} of ${a.perSeed.length} seeds`;
  return `${formatNumber(a.mean)} ± ${formatNumber(a.std)}`;
}

/** method × metric, each "mean ± std over seeds". */
export function seedAggregateTable(rows: readonly SeedAggregateRow[]): Table {
  const later = LATER_SEED_METRICS.filter((m) => rows.length > 0 && rows.every((r) => r.metrics[m] !== undefined));
  const metrics = [...SEED_METRICS, ...later];
  return {
    columns: ['method', ...metrics.map((m) => `${METRIC_LABELS[m]} (mean ± std over seeds)`)],
    rows: rows.map((r) => [r.method, ...metrics.map((m) => cell(r.metrics[m]!))]),
  };
}
