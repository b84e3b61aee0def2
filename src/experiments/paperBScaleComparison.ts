/**
 * Paper B's reported numbers beside ours at two scales (issue "Paper B reproduced in number"): per method and ε
 * metric, the paper's value (v2's main table; v1's Table 1 for an ε_traj that only v1 reports), ours at `default`
 * and at `converged`, and converged ÷ paper, the ratio the issue's 2× target reads.
 *
 * Each scale's column reads the best source under the results root, in this order:
 *   seeds        the mean over seeds of `npm run seeds` (results/seeds/<id>/<scale>/summary.json)
 *   one run      one run's metrics.json (results/<scale>/<id>/, results/<id>/ at default)
 *   convergence  the convergence study's points at exactly the scale's config (same config hash, at its last outer
 *                iteration): one seed, only the methods studied
 * and the caption says which, with its seeds; a scale with none of them is a column of '—'.
 */
import * as fs from 'fs';
import * as path from 'path';
import { type Scale, configHash } from '../core/config';
import { type PaperReference, paperReference } from '../core/reference';
import { type MetricsFile, readJsonOrNull } from '../core/results';
import { type Table, formatNumber, tableToMarkdown } from '../viz/table';
import { experimentResultsDir } from './experiment';
import { experimentById } from './registry';
import type { SeedAggregateRow } from './seedAggregate';
import { readConvergenceRuns } from './paperBConvergence';
import { PAPER_B_METHOD_NAMES, type PaperBMethodName } from '../meta/paperBMethods';
import { type PaperBTableRow, paperCell, paperValue, rankingCheck, rankingSentence } from './paperB/tables';

type Metric = 'fieldError' | 'trajError';
const METRICS: readonly Metric[] = ['fieldError', 'trajError'];
const SYMBOL: Record<Metric, string> = { fieldError: 'ε_field', trajError: 'ε_traj' };
/** The issue's target: within this factor of the paper's value, or better. */
export const PAPER_RATIO_TARGET = 2;

/** One scale's numbers for an experiment: the mean per method and metric (null: diverged; absent: not run), and where they come from. */
export interface ScaleColumn {
  scale: Scale;
  source: 'seeds' | 'one run' | 'convergence' | 'none';
  seeds: number[];
  values: Partial<Record<PaperBMethodName, Record<Metric, number | null>>>;
  /** ε_field in data per method, where the source has it (runs since it was added; not the convergence study) */
  inData: Partial<Record<PaperBMethodName, number | null>>;
  /** ε_traj over the first third of the samples per method, likewise where the source has it */
  trajFirstThird: Partial<Record<PaperBMethodName, number | null>>;
  revision: string | null;
}

/** The numbers of `scale` for experiment `id`, from the best source present (module comment). */
export function scaleColumn(id: string, scale: Scale): ScaleColumn {
  const summary = readJsonOrNull<{ seeds: number[]; gitRevision?: string; table: SeedAggregateRow[] }>(
    path.join(path.dirname(experimentResultsDir(id, 'default')), 'seeds', id, scale, 'summary.json'),
  );
  if (summary !== null) {
    const values = Object.fromEntries(summary.table.map((r) => [r.method, { fieldError: r.metrics.fieldError.mean, trajError: r.metrics.trajError.mean }]));
    const later = (m: 'fieldErrorInData' | 'trajErrorFirstThird') => Object.fromEntries(summary.table.flatMap((r) => (r.metrics[m] ? [[r.method, r.metrics[m]!.mean]] : [])));
    return { scale, source: 'seeds', seeds: summary.seeds, values, inData: later('fieldErrorInData'), trajFirstThird: later('trajErrorFirstThird'), revision: summary.gitRevision ?? null };
  }
  const metrics = readJsonOrNull<MetricsFile & { table: PaperBTableRow[] }>(path.join(experimentResultsDir(id, scale), 'metrics.json'));
  if (metrics !== null) {
    const values = Object.fromEntries(metrics.table.map((r) => [r.method, { fieldError: r.fieldError.mean, trajError: r.trajError.mean }]));
    // rows written before ε_field in data or ε_traj over the first third existed lack them
    const later = (m: 'fieldErrorInData' | 'trajErrorFirstThird') => Object.fromEntries(metrics.table.flatMap((r) => (r[m] ? [[r.method, r[m].mean]] : [])));
    return { scale, source: 'one run', seeds: [metrics.provenance.seed], values, inData: later('fieldErrorInData'), trajFirstThird: later('trajErrorFirstThird'), revision: metrics.provenance.gitRevision };
  }
  const config = experimentById(id).config(scale, {}) as { seed: number; metaIterations: number };
  const hash = configHash(config);
  const runs = readConvergenceRuns(id, 'default').filter((r) => r.configHash === hash);
  const points = runs.flatMap((r) => r.points.filter((p) => p.iterations === config.metaIterations).map((p) => ({ method: r.method, p, revision: r.provenance.gitRevision })));
  if (points.length === 0) return { scale, source: 'none', seeds: [], values: {}, inData: {}, trajFirstThird: {}, revision: null };
  const values = Object.fromEntries(points.map(({ method, p }) => [method, { fieldError: p.fieldError.mean, trajError: p.trajError.mean }]));
  return { scale, source: 'convergence', seeds: [config.seed], values, inData: {}, trajFirstThird: {}, revision: points[0].revision };
}

const cell = (c: ScaleColumn, m: PaperBMethodName, metric: Metric): string => {
  const v = c.values[m];
  if (v === undefined) return '—';
  return v[metric] === null ? 'diverged' : formatNumber(v[metric] as number, 3);
};

/** ours ÷ paper as `1.9×`, with ✓ when within PAPER_RATIO_TARGET; '—' when either is missing. */
export function paperRatio(ours: number | null | undefined, paper: number | null): string {
  if (paper === null || ours === undefined) return '—';
  if (ours === null) return 'diverged';
  const ratio = ours / paper;
  return `${formatNumber(ratio, 3)}×${ratio <= PAPER_RATIO_TARGET ? ' ✓' : ''}`;
}

/**
 * Our ε_traj over the first third of the horizon and its ratio to the paper's ε_traj, which is over a horizon the
 * paper does not state: a diagnostic of how much of a miss the horizon can make, not a cell of the 2× target
 * (so no ✓).
 */
export function firstThirdCell(ours: number | null | undefined, paper: number | null): string {
  if (ours === undefined) return '—';
  if (ours === null) return 'diverged';
  return paper === null ? formatNumber(ours, 3) : `${formatNumber(ours, 3)} (${formatNumber(ours / paper, 3)}×)`;
}

/** The paper's value of a method's metric: v2, else v1 (marked), as the benchmark tables show it. */
function paperNumber(reference: PaperReference, m: PaperBMethodName, metric: Metric): { text: string; value: number | null } {
  const v2 = paperValue(reference, 'v2', m, metric);
  if (v2 !== null || metric === 'fieldError') return { text: paperCell(reference, 'v2', m, metric), value: v2 };
  const v1 = paperValue(reference, 'v1', m, metric);
  return v1 === null ? { text: paperCell(reference, 'v2', m, metric), value: null } : { text: `${formatNumber(v1, 3)} (v1)`, value: v1 };
}

/** method × (paper, default, converged, converged ÷ paper) for ε_field and ε_traj. */
export function scaleComparisonTable(id: string, columns: { default: ScaleColumn; converged: ScaleColumn }): Table {
  const reference = paperReference(id);
  return {
    columns: ['method', ...METRICS.flatMap((m) => [`${SYMBOL[m]} paper`, `${SYMBOL[m]} default`, `${SYMBOL[m]} converged`, 'converged ÷ paper'])],
    rows: PAPER_B_METHOD_NAMES.map((method) => [
      method,
      ...METRICS.flatMap((metric) => {
        const paper = paperNumber(reference, method, metric);
        return [paper.text, cell(columns.default, method, metric), cell(columns.converged, method, metric), paperRatio(columns.converged.values[method]?.[metric], paper.value)];
      }),
    ]),
  };
}

function describeColumn(c: ScaleColumn): string {
  const seeds = c.seeds.join(', ');
  const at = c.revision ? ` at revision ${c.revision.slice(0, 7)}` : '';
  switch (c.source) {
    case 'seeds':
      return `\`${c.scale}\`: mean over seeds ${seeds} (\`npm run seeds\`)${at}`;
    case 'one run':
      return `\`${c.scale}\`: one run, seed ${seeds}${at}`;
    case 'convergence':
      return `\`${c.scale}\`: the convergence study's run of exactly this config, seed ${seeds}, methods ${Object.keys(c.values).join(', ')} only${at}`;
    default:
      return `\`${c.scale}\`: not run yet`;
  }
}

/** The paper's ranking claim on a column's means, when it has every method; null otherwise. */
export function columnRanking(c: ScaleColumn): string | null {
  if (PAPER_B_METHOD_NAMES.some((m) => c.values[m] === undefined)) return null;
  const rows = PAPER_B_METHOD_NAMES.map((m) => ({ method: m, fieldError: { mean: c.values[m]!.fieldError, std: null }, trajError: { mean: c.values[m]!.trajError, std: null } }));
  return METRICS.map((metric) => rankingSentence(rankingCheck(rows, metric))).join(' ');
}

/** One experiment's block of the README section: caption, table, ranking at converged, the commands. */
export function scaleComparisonSnippet(id: string): string {
  const columns = { default: scaleColumn(id, 'default'), converged: scaleColumn(id, 'converged') };
  const ranking = columnRanking(columns.converged);
  const againstPaper = paperReference(id).values === null ? 'The paper reports no number for this system: ours only.' : `✓: within ${PAPER_RATIO_TARGET}× of the paper or better.`;
  return [
    `**${id}** — ${describeColumn(columns.default)}; ${describeColumn(columns.converged)}. ${againstPaper} Converged over seeds: \`npm run reproduce -- --cells --scale converged --seeds 2508,2509,2510 ${id}\`, then \`npm run seeds -- ${id} --seeds 2508,2509,2510 --scale converged\`.`,
    '',
    tableToMarkdown(scaleComparisonTable(id, columns)).trimEnd(),
    ...(ranking === null ? [] : ['', `The paper's ranking at \`converged\` — ${ranking}`]),
  ].join('\n');
}

/** The side-by-side section for the given Paper B experiments that have results (those the paper gives no number for, TGC, too). */
export function scaleComparisonSection(ids: readonly string[]): string {
  const withResults = ids.filter((id) => fs.existsSync(experimentResultsDir(id, 'default')));
  return withResults.length === 0 ? '_No Paper B results yet: `npm run reproduce -- spd-pendulum`._' : withResults.map(scaleComparisonSnippet).join('\n\n');
}

/** How a headline row's number was obtained, in words: its scale, and seeds or the one seed. */
function sourceLabel(c: ScaleColumn): string {
  if (c.source === 'seeds') return `${c.scale}, mean over ${c.seeds.length} seeds`;
  if (c.source === 'one run') return `${c.scale}, seed ${c.seeds.join(', ')}`;
  return `${c.scale}, seed ${c.seeds.join(', ')} (convergence study)`;
}

/**
 * The README's headline for Paper B: one row per (system, method) with a number in the paper (v2; v1 where only v1
 * has one; the paper's "diverged" included), the paper's ε_field and ε_traj beside ours and ours ÷ paper. Ours is
 * the `converged` scale where that method has a converged number, else `default`; the last column says which and
 * from how many seeds.
 */
export function paperHeadlineTable(ids: readonly string[]): Table {
  const rows = ids.flatMap((id) => {
    const reference = paperReference(id);
    if (reference.values === null) return [];
    const columns = [scaleColumn(id, 'converged'), scaleColumn(id, 'default')];
    return PAPER_B_METHOD_NAMES.flatMap((method) => {
      const paper = METRICS.map((metric) => paperNumber(reference, method, metric));
      if (paper.every((p) => p.text === '—')) return [];
      const column = columns.find((c) => c.values[method] !== undefined);
      const ours = column?.values[method];
      const inData = column?.inData[method];
      const firstThird = column?.trajFirstThird[method];
      return [[
        id,
        method,
        ...METRICS.flatMap((metric, k) => [paper[k].text, column ? cell(column, method, metric) : '—', paperRatio(ours?.[metric], paper[k].value)]),
        inData === undefined ? '—' : inData === null ? 'diverged' : formatNumber(inData, 3),
        firstThirdCell(firstThird, paper[1].value),
        column ? sourceLabel(column) : 'not run yet',
      ]];
    });
  });
  return {
    columns: ['system', 'method', ...METRICS.flatMap((m) => [`${SYMBOL[m]} paper`, `${SYMBOL[m]} ours`, 'ours ÷ paper']), 'ε_field in data, ours', 'ε_traj first third, ours (÷ paper)', 'ours from'],
    rows,
  };
}

/** The table without `column` when every row has the same value there, and that value (else the table as it is, and null). */
export function statedOnceWhenUniform(t: Table, column: string): { table: Table; value: string | null } {
  const j = t.columns.indexOf(column);
  if (j < 0) throw new Error(`no column '${column}'`);
  const values = new Set(t.rows.map((r) => r[j]));
  if (values.size !== 1) return { table: t, value: null };
  const drop = <T>(cells: readonly T[]) => cells.filter((_, k) => k !== j);
  return { table: { columns: drop(t.columns), rows: t.rows.map(drop) }, value: String(t.rows[0][j]) };
}

/** The headline table with its caption, for the README. */
export function paperHeadlineSection(ids: readonly string[]): string {
  const full = paperHeadlineTable(ids);
  if (full.rows.length === 0) return '_No Paper B results yet: `npm run reproduce -- spd-pendulum`._';
  const { table, value: source } = statedOnceWhenUniform(full, 'ours from');
  return [
    `Every cell Paper B reports, beside ours (✓: within ${PAPER_RATIO_TARGET}× of the paper or better). Two diagnostics of ours, where runs have them: ε_field in data is ε_field over the grid points inside the energy range of the instance's data; ε_traj first third is ε_traj over the first third of the rollout horizon, with its ratio to the paper's ε_traj, whose horizon the paper does not state (ε_traj grows with the horizon: the \`trajectory-horizon\` figure of each experiment). The paper's values are from \`results/reference/papers.json\`; ours from \`results/\`, ${source === null ? 'at the `converged` scale where that method has been run there, else `default`' : `every row at ${source}`}. Every method, both scales and the commands: [docs/results.md](docs/results.md#paper-b-the-paper-default-and-converged-side-by-side).`,
    '',
    tableToMarkdown(table).trimEnd(),
  ].join('\n');
}
