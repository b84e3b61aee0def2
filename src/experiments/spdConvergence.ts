/**
 * Convergence study of Paper B's meta-learners (issue "Paper B reproduced in number"): ε_field and ε_traj of each
 * chosen method after n outer iterations, for each milestone n, at each hidden width, on one Hamiltonian or GENERIC
 * system of ./spdHamiltonian.ts.
 *
 *   run        one meta-training run per (method, width) with the base scale's config, `width` and
 *              metaIterations = gradientIterations = the plan's `horizon`; it stops (checkpointed) at each milestone,
 *              where the method is adapted to every test instance with the experiment's own budget and scored with
 *              its own metrics (`adaptAndEvaluateAll`). The outer rates depend only on the iteration and the
 *              horizon (constant, or annealed over the horizon with `outerLrFinalFraction`), so the point at n is the
 *              n-th iterate of the one run of `horizon` iterations, wherever the process was stopped and resumed; and
 *              milestones can be added up to the horizon without a new config (points and checkpoints are kept).
 *              The `converged` scale is the run of this study that reached the plateau at its horizon (a test holds
 *              the two configs equal).
 *   resumable  each (method, width) keeps its points in one JSON file under results/convergence/<id>/points/, with
 *              the config hash of the run: a rerun skips the points it has and trains on from the checkpoint, so two
 *              processes on disjoint (method, width) pairs can share the folder (one core each).
 *   saturation the first milestone n after which no later milestone lowers the mean ε_field by `SATURATION_TOLERANCE`
 *              (10 %) or more; none when the last step still did (`saturationIteration`).
 *   cost       seconds per outer iteration, as timed by the process that trained the segment up to the point.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../core/atomicWrite';
import { initBackend } from '../core/backend';
import { type Scale, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { type PaperReference, paperReference } from '../core/reference';
import { type Provenance, readJsonOrNull, startProvenance, writeResults } from '../core/results';
import { type FieldTask, disposeFieldTasks } from '../meta/fieldTasks';
import { type LineSeries, lineGridFigure } from '../viz/figures';
import type { PlotlyFigure } from '../viz/plotly';
import { type Table, formatNumber, tableToCsv, tableToMarkdown } from '../viz/table';
import { experimentResultsDir } from './experiment';
import {
  type MeanStdJson,
  type SpdConfig,
  type SpdInstance,
  type SpdMethod,
  type SpdSystem,
  SPD_METHODS,
  SPD_METHOD_KINDS,
  adaptAndEvaluateAll,
  disposeTrained,
  formatMeanStd,
  meanStdJson,
  metaTrainMethod,
  paperValue,
  resolveSpdConfig,
  simulateSpd,
  trajectoryFieldTask,
} from './spdHamiltonian';

/** What to train and where to look. */
export interface ConvergencePlan {
  /** meta-learned methods (Scratch has no meta-training to converge) */
  methods: readonly SpdMethod[];
  /** hidden widths of the energy network */
  widths: readonly number[];
  /** outer iterations at which each run is scored, strictly ascending, the last at most `horizon` */
  milestones: readonly number[];
  /** the length of every outer loop in the runs' config (their checkpoints' key): the most any milestone may ask */
  horizon: number;
  /** the scale whose config every run starts from */
  scale: Scale;
  /** further config fields, as `--set` gives them (not width, metaIterations or gradientIterations: the plan sets those) */
  overrides: Readonly<Record<string, unknown>>;
}

export const DEFAULT_CONVERGENCE_PLAN: ConvergencePlan = {
  methods: ['SVD', 'RO', 'FW', 'MAML'],
  widths: [32, 100],
  milestones: [200, 1000, 2000, 5000, 20000],
  horizon: 20000,
  scale: 'default',
  overrides: {},
};

/** One method at one width after `iterations` outer iterations. */
export interface ConvergencePoint {
  method: SpdMethod;
  width: number;
  iterations: number;
  fieldError: MeanStdJson;
  trajError: MeanStdJson;
  /** mean training loss over the last min(50, iterations) outer iterations (the loss the method minimises) */
  trainLoss: number;
  /** seconds per outer iteration of the segment that ended here; null when it was reused from a checkpoint */
  secondsPerIteration: number | null;
}

/** The points of one (method, width) run, with what produced them. */
export interface ConvergenceRun {
  method: SpdMethod;
  width: number;
  /** the plan's overrides as `key=value, …` in key order ('' for none): what sets this run apart from the base scale's */
  variant: string;
  configHash: string;
  config: SpdConfig;
  points: ConvergencePoint[];
  provenance: Provenance;
}

export const SATURATION_TOLERANCE = 0.1;
const LOSS_WINDOW = 50;
const PLAN_FIELDS = ['width', 'metaIterations', 'gradientIterations'] as const;

/** ConfigError unless the plan is runnable: known meta-learned methods, positive widths, ascending milestones. */
export function validateConvergencePlan(plan: ConvergencePlan): void {
  if (plan.methods.length === 0) throw new ConfigError('methods: name at least one method');
  plan.methods.forEach((m) => {
    if (!(SPD_METHODS as readonly string[]).includes(m)) throw new ConfigError(`methods: unknown method '${m}'; known: ${SPD_METHODS.join(', ')}`);
    const kind = SPD_METHOD_KINDS[m];
    if (kind.family === 'gradient' && kind.method === 'scratch') throw new ConfigError('methods: Scratch has no meta-training to converge');
  });
  if (plan.widths.length === 0 || plan.widths.some((w) => !Number.isInteger(w) || w < 1)) throw new ConfigError(`widths: positive integers, got [${plan.widths.join(', ')}]`);
  const m = plan.milestones;
  if (m.length === 0 || m.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= m[i - 1]))) {
    throw new ConfigError(`milestones: strictly ascending positive integers, got [${m.join(', ')}]`);
  }
  if (!Number.isInteger(plan.horizon) || plan.horizon < m[m.length - 1]) throw new ConfigError(`horizon: an integer at least the last milestone ${m[m.length - 1]}, got ${plan.horizon}`);
  PLAN_FIELDS.forEach((f) => {
    if (f in plan.overrides) throw new ConfigError(`overrides: '${f}' is set by the plan (widths, milestones), not by --set`);
  });
}

/** The config of one (method, width) run: the plan's scale and overrides, the width, and the horizon as the length of every outer loop. */
export function convergenceConfig<P>(sys: SpdSystem<P>, plan: ConvergencePlan, width: number): SpdConfig {
  return resolveSpdConfig(sys, plan.scale, { ...plan.overrides, width, metaIterations: plan.horizon, gradientIterations: plan.horizon });
}

/** results/convergence/<id>/ at the default scale, results/<scale>/convergence/<id>/ otherwise (under METADYN_RESULTS_ROOT when set). */
export function convergenceDir(experimentId: string, scale: Scale): string {
  return path.join(experimentResultsDir('convergence', scale), experimentId);
}

/** `key=value, …` of the overrides in key order; '' for none. */
export function variantLabel(overrides: Readonly<Record<string, unknown>>): string {
  return Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${JSON.stringify(overrides[k])}`)
    .join(', ');
}

/** points/<method>-w<width>.json for the base config; a variant's file also carries its config hash, so variants never share a file. */
function runFile(dir: string, method: SpdMethod, width: number, variant: string, hash: string): string {
  return path.join(dir, 'points', `${method.toLowerCase()}-w${width}${variant === '' ? '' : `-${hash.slice(0, 8)}`}.json`);
}

/** A run's saved points when they belong to `hash` (a changed config starts over); DataError on a malformed file. */
export function savedPoints(file: string, hash: string): ConvergencePoint[] {
  const saved = readJsonOrNull<ConvergenceRun>(file);
  if (saved === null || saved.configHash !== hash) return [];
  if (!Array.isArray(saved.points)) throw new DataError('a convergence run file needs a points array', { file });
  return saved.points;
}

function meanOfLast(values: readonly number[], n: number): number {
  const tail = values.slice(-n);
  return tail.reduce((s, v) => s + v, 0) / tail.length;
}

/**
 * Trains and scores every missing point of the plan, in (width, milestone, method) order, so that every method
 * reaches a milestone before any goes past it (a study cut short still compares the methods at the same budget);
 * each run's file is written after every point. Returns the runs (old points included).
 */
export async function runConvergence<P>(sys: SpdSystem<P>, plan: ConvergencePlan): Promise<ConvergenceRun[]> {
  validateConvergencePlan(plan);
  await initBackend();
  const dir = convergenceDir(sys.info.id, plan.scale);
  const runs: ConvergenceRun[] = [];
  for (const width of plan.widths) {
    const cfg = convergenceConfig(sys, plan, width);
    const hash = configHash(cfg);
    const variant = variantLabel(plan.overrides);
    const instances = simulateSpd(sys, cfg);
    const tasks = instances.filter((i) => i.split === 'train').map((i) => trajectoryFieldTask(sys, i.params, i.trajectories));
    const open = plan.methods.map((method) => ({
      method,
      file: runFile(dir, method, width, variant, hash),
      prov: startProvenance({ experiment: `${sys.info.id}/convergence`, paper: sys.info.paper, section: sys.info.section, scale: plan.scale, config: cfg, seed: cfg.seed }),
      points: savedPoints(runFile(dir, method, width, variant, hash), hash).filter((p) => plan.milestones.includes(p.iterations)),
    }));
    try {
      for (const milestone of plan.milestones) {
        for (const { method, file, prov, points } of open) {
          if (points.some((p) => p.iterations === milestone)) continue;
          points.push(scorePoint(sys, cfg, plan.scale, method, tasks, instances, milestone));
          points.sort((a, b) => a.iterations - b.iterations);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          writeJsonAtomic(file, { method, width, variant, configHash: hash, config: cfg, points, provenance: prov.finish() } satisfies ConvergenceRun);
          const p = points.find((q) => q.iterations === milestone)!;
          console.log(`[convergence] ${sys.info.id} ${method} width ${width}${variant && ` (${variant})`} at ${milestone}: ε_field ${formatMeanStd(p.fieldError)}, ε_traj ${formatMeanStd(p.trajError)}`);
        }
      }
    } finally {
      disposeFieldTasks(tasks);
    }
    open.forEach(({ method, prov, points }) => runs.push({ method, width, variant, configHash: hash, config: cfg, points, provenance: prov.finish() }));
  }
  return runs;
}

/** One method trained (on from its checkpoint) to `milestone` outer iterations, adapted to every test instance and scored. */
function scorePoint<P>(
  sys: SpdSystem<P>,
  cfg: SpdConfig,
  scale: Scale,
  method: SpdMethod,
  tasks: readonly FieldTask[],
  instances: readonly SpdInstance[],
  milestone: number,
): ConvergencePoint {
  const trained = metaTrainMethod(sys, cfg, scale, method, tasks, milestone);
  try {
    const scored = adaptAndEvaluateAll(sys, cfg, instances, [trained]).methods[0].instances;
    return {
      method,
      width: cfg.width,
      iterations: milestone,
      fieldError: meanStdJson(scored.map((r) => r.fieldError)),
      trajError: meanStdJson(scored.map((r) => r.trajError)),
      trainLoss: meanOfLast(trained.lossHistory, LOSS_WINDOW),
      secondsPerIteration: trained.iterationsRun > 0 ? trained.seconds / trained.iterationsRun : null,
    };
  } finally {
    disposeTrained([trained]);
  }
}

/** Every run file of the experiment's study (any plan that wrote there), in (method, width) order. */
export function readConvergenceRuns(experimentId: string, scale: Scale): ConvergenceRun[] {
  const dir = path.join(convergenceDir(experimentId, scale), 'points');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readJsonOrNull<ConvergenceRun>(path.join(dir, f)))
    .filter((r): r is ConvergenceRun => r !== null)
    .map((r) => ({ ...r, variant: r.variant ?? '' }))
    .sort((a, b) => SPD_METHODS.indexOf(a.method) - SPD_METHODS.indexOf(b.method) || a.width - b.width || a.variant.localeCompare(b.variant));
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
  const paper = (m: SpdMethod, metric: 'fieldError' | 'trajError') => {
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
export function studyScales<P>(sys: SpdSystem<P>): Map<string, string> {
  return new Map([[configHash(resolveSpdConfig(sys, 'converged')), 'converged']]);
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
export function writeConvergenceSummary<P>(sys: SpdSystem<P>, scale: Scale, runs: readonly ConvergenceRun[], provenance: Provenance): string {
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

/** The study as the command runs it: every missing point of the plan (unless `summaryOnly`), then the summary of every run file. */
export async function convergenceStudy<P>(sys: SpdSystem<P>, plan: ConvergencePlan, options: { summaryOnly: boolean }): Promise<string> {
  validateConvergencePlan(plan);
  const cfg = convergenceConfig(sys, plan, plan.widths[0]);
  const prov = startProvenance({ experiment: `${sys.info.id}/convergence`, paper: sys.info.paper, section: sys.info.section, scale: plan.scale, config: plan, seed: cfg.seed });
  if (!options.summaryOnly) await runConvergence(sys, plan);
  return writeConvergenceSummary(sys, plan.scale, readConvergenceRuns(sys.info.id, plan.scale), prov.finish());
}
