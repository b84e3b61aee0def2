/**
 * Convergence study of Paper B's meta-learners (issue "Paper B reproduced in number"): ε_field and ε_traj of each
 * chosen method after n outer iterations, for each milestone n, at each hidden width, on one Hamiltonian or GENERIC
 * system of ./paperBHamiltonian.ts.
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
 *   summary    where ε_field saturates, what an iteration costs, tables, figures and the README section:
 *              ./paperB/convergenceReport.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { type MeanStdJson, meanStdJson } from '../analysis/metrics';
import { type PaperBInstance, adaptAndEvaluateAll, trajectoryFieldTask } from '../analysis/paperBEvaluation';
import { writeJsonAtomic } from '../core/atomicWrite';
import { initBackend } from '../core/backend';
import { type Scale, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { type Provenance, readJsonOrNull, startProvenance } from '../core/results';
import { type FieldTask, disposeFieldTasks } from '../data/fieldTask';
import { PAPER_B_METHODS, PAPER_B_METHOD_NAMES, type PaperBMethodName } from '../meta/paperBMethods';
import { type PaperBConfig, resolvePaperBConfig } from './paperB/config';
import { convergenceDir, writeConvergenceSummary } from './paperB/convergenceReport';
import type { PaperBSystem } from './paperB/system';
import { formatMeanStd } from './paperB/tables';
import { disposeTrained, metaTrainMethod, simulatePaperB } from './paperBHamiltonian';

/** What to train and where to look. */
export interface ConvergencePlan {
  /** meta-learned methods (Scratch has no meta-training to converge) */
  methods: readonly PaperBMethodName[];
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
  method: PaperBMethodName;
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
  method: PaperBMethodName;
  width: number;
  /** the plan's overrides as `key=value, …` in key order ('' for none): what sets this run apart from the base scale's */
  variant: string;
  configHash: string;
  config: PaperBConfig;
  points: ConvergencePoint[];
  provenance: Provenance;
}

const LOSS_WINDOW = 50;
const PLAN_FIELDS = ['width', 'metaIterations', 'gradientIterations'] as const;

/** ConfigError unless the plan is runnable: known meta-learned methods, positive widths, ascending milestones. */
export function validateConvergencePlan(plan: ConvergencePlan): void {
  if (plan.methods.length === 0) throw new ConfigError('methods: name at least one method');
  plan.methods.forEach((m) => {
    if (!(PAPER_B_METHOD_NAMES as readonly string[]).includes(m)) throw new ConfigError(`methods: unknown method '${m}'; known: ${PAPER_B_METHOD_NAMES.join(', ')}`);
    if (PAPER_B_METHODS[m].family === 'scratch') throw new ConfigError('methods: Scratch has no meta-training to converge');
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
export function convergenceConfig<P>(sys: PaperBSystem<P>, plan: ConvergencePlan, width: number): PaperBConfig {
  return resolvePaperBConfig(sys, plan.scale, { ...plan.overrides, width, metaIterations: plan.horizon, gradientIterations: plan.horizon });
}


/** `key=value, …` of the overrides in key order; '' for none. */
export function variantLabel(overrides: Readonly<Record<string, unknown>>): string {
  return Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${JSON.stringify(overrides[k])}`)
    .join(', ');
}

/** points/<method>-w<width>.json for the base config; a variant's file also carries its config hash, so variants never share a file. */
function runFile(dir: string, method: PaperBMethodName, width: number, variant: string, hash: string): string {
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
export async function runConvergence<P>(sys: PaperBSystem<P>, plan: ConvergencePlan): Promise<ConvergenceRun[]> {
  validateConvergencePlan(plan);
  await initBackend();
  const dir = convergenceDir(sys.info.id, plan.scale);
  const runs: ConvergenceRun[] = [];
  for (const width of plan.widths) {
    const cfg = convergenceConfig(sys, plan, width);
    const hash = configHash(cfg);
    const variant = variantLabel(plan.overrides);
    const instances = simulatePaperB(sys, cfg);
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
  sys: PaperBSystem<P>,
  cfg: PaperBConfig,
  scale: Scale,
  method: PaperBMethodName,
  tasks: readonly FieldTask[],
  instances: readonly PaperBInstance[],
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
    .sort((a, b) => PAPER_B_METHOD_NAMES.indexOf(a.method) - PAPER_B_METHOD_NAMES.indexOf(b.method) || a.width - b.width || a.variant.localeCompare(b.variant));
}

/** The study as the command runs it: every missing point of the plan (unless `summaryOnly`), then the summary of every run file. */
export async function convergenceStudy<P>(sys: PaperBSystem<P>, plan: ConvergencePlan, options: { summaryOnly: boolean }): Promise<string> {
  validateConvergencePlan(plan);
  const cfg = convergenceConfig(sys, plan, plan.widths[0]);
  const prov = startProvenance({ experiment: `${sys.info.id}/convergence`, paper: sys.info.paper, section: sys.info.section, scale: plan.scale, config: plan, seed: cfg.seed });
  if (!options.summaryOnly) await runConvergence(sys, plan);
  return writeConvergenceSummary(sys, plan.scale, readConvergenceRuns(sys.info.id, plan.scale), prov.finish());
}
