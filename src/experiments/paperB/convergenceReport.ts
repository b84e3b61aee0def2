/**
 * The convergence study's results (../paperBConvergence.ts runs it): its folder, tables, figures and README section.
 *
 *   saturation the first milestone n after which no later milestone lowers the mean ε_field by `SATURATION_TOLERANCE`
 *              (10 %) or more; none when the last step still did (`saturationIteration`).
 *   cost       seconds per outer iteration, as timed by the process that trained the segment up to the point.
 *   variants   short names of a study's (variant, horizon) pairs in figures and tables (`variantKeys`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { type Scale, configHash } from '../../core/config';
import { DataError } from '../../core/errors';
import { type PaperReference, paperReference } from '../../core/reference';
import { type Provenance, writeResults } from '../../core/results';
import type { PaperBMethodName } from '../../meta/paperBMethods';
import { type LineSeries, lineGridFigure } from '../../viz/lineFigures';
import type { PlotlyFigure } from '../../viz/plotly';
import { type Table, formatNumber, tableToCsv, tableToMarkdown } from '../../viz/table';
import { experimentResultsDir } from '../experiment';
import type { ConvergencePoint, ConvergenceRun } from '../paperBConvergence';
import { resolvePaperBConfig } from './config';
import type { PaperBSystem } from './system';
import { formatMeanStd, paperValue } from './tables';

export const SATURATION_TOLERANCE = 0.1;

/** results/convergence/<id>/ at the default scale, results/<scale>/convergence/<id>/ otherwise (under METADYN_RESULTS_ROOT when set). */
export function convergenceDir(experimentId: string, scale: Scale): string {
  return path.join(experimentResultsDir('convergence', scale), experimentId);
}
/**
 * The first milestone after which no later one lowers the mean ε_field by `tolerance` (relative) or more; null when
 * the last step still did, or when fewer than two points exist (nothing to compare). Diverged points (null mean)
 * count as no improvement.
 */
export function saturationIteration(points: readonly ConvergencePoint[], tolerance = SATURATION_TOLERANCE): number | null {
  if (points.length < 2) return null;
  const error = (p: ConvergencePoint) => p.fieldError.mean ?? Infinity;
  for (let i = 0; i < points.length - 1; i++) {
    const bestLater = Math.min(...points.slice(i + 1).map(error));
    if (bestLater > (1 - tolerance) * error(points[i])) return points[i].iterations;
  }
  return null;
}

/** Mean seconds per outer iteration over the segments a process trained (null if every point was reused). */
export function secondsPerIteration(points: readonly ConvergencePoint[]): number | null {
  const timed = points.map((p) => p.secondsPerIteration).filter((s): s is number => s !== null);
  return timed.length === 0 ? null : timed.reduce((s, v) => s + v, 0) / timed.length;
}

/** One row per (method, width, milestone), with the paper's v2 number beside ours. */
export function convergenceTable(runs: readonly ConvergenceRun[], reference: PaperReference, { keyOf }: VariantKeys): Table {
  const paper = (m: PaperBMethodName, metric: 'fieldError' | 'trajError') => {
    const v = paperValue(reference, 'v2', m, metric);
    return v === null ? '—' : formatNumber(v, 3);
  };
  return {
    columns: ['method', 'width', 'variant', 'outer iterations', 'ε_field', 'ε_field (paper v2)', 'ε_traj', 'ε_traj (paper v2)', 'training loss', 's / iteration'],
    rows: runs.flatMap((r) =>
      r.points.map((p) => [
        r.method,
        r.width,
        keyOf(r),
        p.iterations,
        formatMeanStd(p.fieldError),
        paper(r.method, 'fieldError'),
        formatMeanStd(p.trajError),
        paper(r.method, 'trajError'),
        p.trainLoss,
        p.secondsPerIteration,
      ]),
    ),
  };
}

/** Per (method, width): where ε_field saturates, its last value and what an iteration costs. */
export function saturationTable(runs: readonly ConvergenceRun[], { keyOf }: VariantKeys): Table {
  return {
    columns: ['method', 'width', 'variant', 'milestones', 'saturates at', 'best ε_field (at)', 'last ε_field', 's / iteration', 'hours to the last milestone'],
    rows: runs.map((r) => {
      const last = r.points[r.points.length - 1];
      const cost = secondsPerIteration(r.points);
      const saturation = saturationIteration(r.points);
      const best = r.points.reduce<ConvergencePoint | undefined>((b, p) => (p.fieldError.mean !== null && (b === undefined || p.fieldError.mean < (b.fieldError.mean ?? Infinity)) ? p : b), undefined);
      return [
        r.method,
        r.width,
        keyOf(r),
        r.points.map((p) => p.iterations).join(', '),
        saturation === null ? `not by ${last?.iterations ?? '—'}` : String(saturation),
        best ? `${formatMeanStd(best.fieldError)} (${best.iterations})` : 'diverged',
        last ? formatMeanStd(last.fieldError) : '—',
        cost,
        cost === null || !last ? null : (cost * last.iterations) / 3600,
      ];
    }),
  };
}

/** Short names of a study's (variant, horizon) pairs, and what each stands for. */
export interface VariantKeys {
  keyOf: (r: ConvergenceRun) => string;
  /** each key and what it stands for, in key order */
  describe: { key: string; text: string }[];
}

/**
 * Short names for the (variant, horizon) pairs of a study, so that figures and tables need not repeat long override
 * lists: a scale's name when one of the pair's runs has that scale's config (`scales`: config hash → scale name, e.g.
 * the run the `converged` scale was chosen from), 'default' for the base scale's own config (with '@<horizon>' when it
 * ran to several), then A, B, C, ... in (variant, horizon) order. `describe` says what each stands for.
 */
export function variantKeys(runs: readonly ConvergenceRun[], scales: ReadonlyMap<string, string> = new Map()): VariantKeys {
  const id = (r: ConvergenceRun) => `${r.variant}\u0000${r.config.metaIterations}`;
  const pairs = [...new Map(runs.map((r) => [id(r), { variant: r.variant, horizon: r.config.metaIterations }])).entries()].sort(
    ([, a], [, b]) => (a.variant === '' ? 0 : 1) - (b.variant === '' ? 0 : 1) || a.variant.localeCompare(b.variant) || a.horizon - b.horizon,
  );
  const scaleOf = (k: string) => runs.filter((r) => id(r) === k).map((r) => scales.get(r.configHash)).find((n) => n !== undefined);
  const baseHorizons = pairs.filter(([, p]) => p.variant === '').length;
  let letter = 0;
  const keys = new Map(
    pairs.map(([k, p]) => [k, scaleOf(k) ?? (p.variant === '' ? (baseHorizons > 1 ? `default@${p.horizon}` : 'default') : String.fromCharCode(65 + letter++))]),
  );
  const describe = pairs.map(([k, p]) => {
    const scale = scaleOf(k);
    const at = scale === undefined ? '' : ` (the \`${scale}\` scale at width ${runs.find((r) => id(r) === k && scales.get(r.configHash) === scale)?.width})`;
    return { key: keys.get(k)!, text: `${keys.get(k)}: ${p.variant === '' ? 'the scale\'s config' : p.variant}, ${p.horizon} outer iterations planned${at}` };
  });
  return { keyOf: (r) => keys.get(id(r)) ?? '?', describe };
}

/** config hash → scale name of the experiment's scales a study run can equal (the `converged` scale was chosen from one). */
export function studyScales<P>(sys: PaperBSystem<P>): Map<string, string> {
  return new Map([[configHash(resolvePaperBConfig(sys, 'converged')), 'converged']]);
}

/**
 * ε (mean over test instances) against outer iterations, log–log, a panel per method: a line with markers per
 * (variant, width), named by its short key (variantKeys: the README section and convergence.md say what each key
 * stands for), the paper's v2 value dotted.
 */
export function convergenceFigure(runs: readonly ConvergenceRun[], reference: PaperReference, metric: 'fieldError' | 'trajError', { keyOf }: VariantKeys): PlotlyFigure {
  const methods = [...new Set(runs.map((r) => r.method))];
  const widths = [...new Set(runs.map((r) => r.width))];
  const iterations = runs.flatMap((r) => r.points.map((p) => p.iterations));
  const span = [Math.min(...iterations), Math.max(...iterations)];
  const nameOf = (r: ConvergenceRun) => (widths.length > 1 ? `${keyOf(r)}, width ${r.width}` : keyOf(r));
  const panels = methods.map((m) => {
    const series: LineSeries[] = runs
      .filter((r) => r.method === m)
      .map((r) => ({
        name: nameOf(r),
        x: r.points.map((p) => p.iterations),
        y: r.points.map((p) => p[metric].mean ?? NaN),
        markers: true,
      }));
    const v = paperValue(reference, 'v2', m, metric);
    const paper: LineSeries[] = v === null ? [] : [{ name: 'paper v2', x: span, y: [v, v], color: '#000000', dash: 'dot' }];
    return { title: m, series: [...series, ...paper] };
  });
  const symbol = metric === 'fieldError' ? 'ε_field' : 'ε_traj';
  return lineGridFigure({
    title: `${symbol} against outer iterations (mean over the test instances)`,
    panels,
    xTitle: 'outer iterations',
    yTitle: symbol,
    columns: 2,
    logX: true,
    logY: true,
    legendOrder: [...[...new Set(runs.map(nameOf))].sort(), 'paper v2'],
  });
}

/** The command that trains (or resumes) the runs of one variant and horizon; the variant label read back into --set pairs. */
export function convergenceCommand(id: string, scale: Scale, runs: readonly ConvergenceRun[]): string {
  const methods = [...new Set(runs.map((r) => r.method))];
  const widths = [...new Set(runs.map((r) => r.width))].sort((a, b) => a - b);
  const milestones = [...new Set(runs.flatMap((r) => r.points.map((p) => p.iterations)))].sort((a, b) => a - b);
  const sets = runs[0].variant === '' ? [] : runs[0].variant.split(/, (?=[A-Za-z]\w*=)/).map((pair) => `--set ${pair}`);
  return ['npm run convergence --', id, '--methods', methods.join(','), '--widths', widths.join(','), '--milestones', milestones.join(','), '--horizon', String(runs[0].config.metaIterations), ...(scale === 'default' ? [] : ['--scale', scale]), ...sets].join(' ');
}

/** The README section of a study: the saturation table and, per variant and horizon (by its key), what it is and the command that made it. */
export function convergenceReadmeSnippet(id: string, scale: Scale, runs: readonly ConvergenceRun[], variants: VariantKeys): string {
  const groups = new Map<string, ConvergenceRun[]>();
  runs.forEach((r) => groups.set(variants.keyOf(r), [...(groups.get(variants.keyOf(r)) ?? []), r]));
  const revisions = [...new Set(runs.map((r) => `${r.provenance.gitRevision?.slice(0, 7) ?? 'unknown'}${r.provenance.gitDirty ? ' (dirty)' : ''}`))];
  return [
    `**${id}** — where ε_field stops improving (first milestone that no later one improves on by ${SATURATION_TOLERANCE * 100} % or more), per method, width and variant of the \`${scale}\` config; every point in \`results/convergence/${id}/convergence.md\`, curves in \`figures/convergence-field.png\` and \`convergence-traj.png\` there.`,
    '',
    tableToMarkdown(saturationTable(runs, variants), { digits: 3 }),
    '',
    'Variants, and the command that makes each (it resumes where it stopped):',
    '',
    ...[...groups].map(([key, g]) => `- ${variants.describe.find((d) => d.key === key)?.text ?? key}: \`${convergenceCommand(id, scale, g)}\``),
    '',
    `Runs at revision ${revisions.join(', ')}, backend ${[...new Set(runs.map((r) => r.provenance.backend))].join(', ')}.`,
  ].join('\n');
}

/** The README's convergence section: every study's snippet present under the results root, or how to make one. */
export function convergenceSection(ids: readonly string[]): string {
  const snippets = ids.map((id) => path.join(convergenceDir(id, 'default'), 'readme.md')).filter((f) => fs.existsSync(f));
  return snippets.length === 0 ? '_No convergence study yet: `npm run convergence -- spd-pendulum`._' : snippets.map((f) => fs.readFileSync(f, 'utf8').trim()).join('\n\n');
}

/** convergence.md / .csv, saturation.md / .csv, the README snippet and the two figures, from every run file of the experiment. */
export function writeConvergenceSummary<P>(sys: PaperBSystem<P>, scale: Scale, runs: readonly ConvergenceRun[], provenance: Provenance): string {
  const dir = convergenceDir(sys.info.id, scale);
  if (runs.length === 0) throw new DataError(`no convergence runs of ${sys.info.id} to summarise`, { file: dir });
  const reference = paperReference(sys.info.id);
  const variants = variantKeys(runs, studyScales(sys));
  const table = convergenceTable(runs, reference, variants);
  const saturation = saturationTable(runs, variants);
  const keys = ['', 'Variants:', '', ...variants.describe.map((d) => `- ${d.text}`), ''].join('\n');
  writeResults(dir, {
    metrics: {
      saturationTolerance: SATURATION_TOLERANCE,
      runs: runs.map((r) => ({ method: r.method, width: r.width, variant: r.variant, configHash: r.configHash, saturation: saturationIteration(r.points), secondsPerIteration: secondsPerIteration(r.points), points: r.points, gitRevision: r.provenance.gitRevision, backend: r.provenance.backend })),
    },
    provenance,
    tables: {
      'convergence.csv': tableToCsv(table),
      'convergence.md': tableToMarkdown(table, { digits: 3 }) + keys,
      'saturation.csv': tableToCsv(saturation),
      'saturation.md': tableToMarkdown(saturation, { digits: 3 }) + keys,
      'readme.md': convergenceReadmeSnippet(sys.info.id, scale, runs, variants),
    },
    figures: { 'convergence-field': convergenceFigure(runs, reference, 'fieldError', variants), 'convergence-traj': convergenceFigure(runs, reference, 'trajError', variants) },
  });
  return dir;
}
