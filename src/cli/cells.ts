/**
 * Cells: the units of work of a reproduction that can run apart from each other, each in its own process, resumable,
 * in any order, on any machine that shares the checkout (`npm run cell`, the local pool of `npm run reproduce --
 * --cells`, the Slurm job array of `npm run reproduce -- --slurm`).
 *
 *   Paper B (spd-*)   a cell per (experiment, seed, method) for every method of PAPER_B_METHOD_NAMES but Scratch, which has no
 *                     meta-training (its random initialisation is drawn when the experiment runs). The cell simulates
 *                     the instances and meta-trains that one method exactly as runPaperBHamiltonian does (same config,
 *                     same training tasks, same checkpoint store under the config hash): the experiment's full run
 *                     afterwards (the merge) finds every method finished and only adapts and evaluates.
 *   iMODE (imode-*)   a cell per (experiment, seed): the whole experiment run (its meta-training has no per-method
 *                     split, and its own checkpoints make an interrupted cell resume); the merge has nothing to add.
 *
 * Where a cell writes: the seed of the experiment's config (after --set) is its ordinary run, into the ordinary results
 * directory (results/<id>/, results/<scale>/<id>/, under METADYN_RESULTS_ROOT when set); any other seed runs under
 * results/seeds/<id>/<scale>/seed-<s>/ as its results root, where `npm run seeds` keeps its seeds, so that a later
 * `npm run seeds -- <id> --seeds …` over those seeds reads them instead of running them again.
 *
 * The merge runs each (experiment, seed) once more in full, `run(scale, { ...overrides, seed })`, under the same root:
 * metrics.json, tables, figures, readme.md and provenance are then those of an ordinary local run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic } from '../core/atomicWrite';
import { initBackend } from '../core/backend';
import { type Scale, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { baseResultsRoot, withResultsRootAt } from '../core/paths';
import { disposeFieldTasks } from '../data/fieldTask';
import { type ExperimentInfo, experimentResultsDir } from '../experiments/experiment';
import { EXPERIMENTS, experimentById } from '../experiments/registry';
import { paperBDno } from '../experiments/paperBDno';
import { paperBDuffing } from '../experiments/paperBDuffing';
import { trajectoryFieldTask } from '../analysis/paperBEvaluation';
import { PAPER_B_METHOD_NAMES, type PaperBMethodName } from '../meta/paperBMethods';
import { resolvePaperBConfig } from '../experiments/paperB/config';
import type { PaperBSystem } from '../experiments/paperB/system';
import { disposeTrained, metaTrainMethod, simulatePaperB } from '../experiments/paperBHamiltonian';
import { paperBMassSpring } from '../experiments/paperBMassSpring';
import { paperBPendulum } from '../experiments/paperBPendulum';
import { paperBTgc } from '../experiments/paperBTgc';
import { REPO_ROOT, parseScale } from './commandLine';
import { runProcess } from './processes';
import { isRunOfConfig, seedsDir, storedMetrics } from './seeds';

/** One separately runnable unit of a reproduction. */
export interface Cell {
  /** `<experiment>[/<method>]/<scale>/seed-<seed>`, e.g. 'spd-pendulum/svd/smoke/seed-2508' (see cellId) */
  id: string;
  experiment: string;
  /** the Paper B method this cell meta-trains; absent for an iMODE cell (the whole experiment) */
  method?: PaperBMethodName;
  seed: number;
  scale: Scale;
  /** --set overrides of every cell of the listing, without the seed */
  overrides: Record<string, unknown>;
  /** the METADYN_RESULTS_ROOT the cell and its merge run under; null: the repository's results/ */
  resultsRoot: string | null;
}

/** The Paper B methods that have a cell: all but Scratch, which has no meta-training. */
export const CELL_METHODS: readonly PaperBMethodName[] = PAPER_B_METHOD_NAMES.filter((m) => m !== 'Scratch');

/** What one Paper B cell did. */
export interface MethodTraining {
  /** outer iterations run now (0: a finished checkpoint was reused) */
  iterationsRun: number;
  seconds: number;
}

/** A Paper B system as its cells see it (the system's type parameter stays inside the closure, as in the registry). */
interface PaperBCellSystem {
  info: ExperimentInfo;
  train(scale: Scale, overrides: Readonly<Record<string, unknown>>, method: PaperBMethodName): MethodTraining;
}

/**
 * Meta-trains one method as runPaperBHamiltonian's metaTrainAll does, on the same tasks and into the same checkpoint
 * store, so that the experiment's run finds it done; resumes an interrupted checkpoint, reuses a finished one.
 */
function metaTrainOneMethod<P>(sys: PaperBSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>>, method: PaperBMethodName): MethodTraining {
  const cfg = resolvePaperBConfig(sys, scale, overrides);
  const tasks = simulatePaperB(sys, cfg)
    .filter((i) => i.split === 'train')
    .map((i) => trajectoryFieldTask(sys, i.params, i.trajectories));
  try {
    const trained = metaTrainMethod(sys, cfg, scale, method, tasks);
    disposeTrained([trained]);
    return { iterationsRun: trained.iterationsRun, seconds: trained.seconds };
  } finally {
    disposeFieldTasks(tasks);
  }
}

const paperBCellSystem = <P>(sys: PaperBSystem<P>): PaperBCellSystem => ({ info: sys.info, train: (scale, overrides, method) => metaTrainOneMethod(sys, scale, overrides, method) });

/** The experiments with a cell per method, by id (the other experiments have a cell per seed). */
const PAPER_B_CELL_SYSTEMS: ReadonlyMap<string, PaperBCellSystem> = new Map(
  [paperBCellSystem(paperBMassSpring), paperBCellSystem(paperBPendulum), paperBCellSystem(paperBDuffing), paperBCellSystem(paperBDno), paperBCellSystem(paperBTgc)].map((s) => [s.info.id, s]),
);

/** Whether experiment `id` has a cell per method (Paper B) rather than one per seed. */
export function hasMethodCells(id: string): boolean {
  return PAPER_B_CELL_SYSTEMS.has(id);
}

export function cellId(cell: Pick<Cell, 'experiment' | 'method' | 'scale' | 'seed'>): string {
  return [cell.experiment, ...(cell.method ? [cell.method.toLowerCase()] : []), cell.scale, `seed-${cell.seed}`].join('/');
}

/** A method named case-insensitively ('svd', 'MR-v1'), checked to have a cell. */
export function parseCellMethod(name: string, experiment: string): PaperBMethodName {
  const method = PAPER_B_METHOD_NAMES.find((m) => m.toLowerCase() === name.toLowerCase());
  if (method === 'Scratch') throw new ConfigError(`Scratch has no meta-training, so it has no cell: the merge (the experiment's full run) initialises and adapts it`);
  if (!method) throw new ConfigError(`unknown method '${name}' for ${experiment}; the methods with a cell: ${CELL_METHODS.join(', ')}`);
  return method;
}

const CELL_ID_USAGE = '<experiment>[/<method>]/<scale>/seed-<seed>, e.g. spd-pendulum/svd/smoke/seed-2508 or imode-bistable/default/seed-2024';

/** The parts of a cell id (the inverse of cellId); ConfigError naming the expected form otherwise. */
export function parseCellId(id: string): Pick<Cell, 'experiment' | 'method' | 'scale' | 'seed'> {
  const parts = id.split('/');
  const seedMatch = /^seed-(\d+)$/.exec(parts[parts.length - 1] ?? '');
  if (parts.length < 3 || parts.length > 4 || !seedMatch) throw new ConfigError(`'${id}' is not a cell id; expected ${CELL_ID_USAGE}`);
  const experiment = experimentById(parts[0]).info.id;
  const scale = parseScale(parts[parts.length - 2], `the scale of cell '${id}'`);
  if (hasMethodCells(experiment) !== (parts.length === 4)) {
    throw new ConfigError(`'${id}': ${experiment} has ${hasMethodCells(experiment) ? 'a cell per method, so its cell id names one' : 'one cell per seed, so its cell id names no method'}; expected ${CELL_ID_USAGE}`);
  }
  return { experiment, method: parts.length === 4 ? parseCellMethod(parts[1], experiment) : undefined, scale, seed: Number(seedMatch[1]) };
}

export interface CellListing {
  /** experiment ids in the order wanted; empty: every experiment of the registry */
  ids: readonly string[];
  scale: Scale;
  /** seeds; empty: the seed of each experiment's config */
  seeds?: readonly number[];
  /** --set overrides for every cell (not the seed: give seeds with `seeds`) */
  overrides?: Readonly<Record<string, unknown>>;
  /** the Paper B methods to give cells (default CELL_METHODS); the others are trained by the merge */
  methods?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Every cell of a reproduction, validated before any work (unknown experiment, method or config field, a scale the
 * experiment lacks: ConfigError), in a stable order: experiments as given, then seeds, then methods in PAPER_B_METHOD_NAMES order.
 */
export function listCells(listing: CellListing): Cell[] {
  const overrides = { ...(listing.overrides ?? {}) };
  const seeds = listing.seeds ?? [];
  const env = listing.env ?? process.env;
  if ('seed' in overrides && seeds.length > 0) throw new ConfigError('--set seed=… conflicts with --seeds; give the seeds with --seeds');
  const ids = listing.ids.length > 0 ? listing.ids.map((id) => experimentById(id).info.id) : EXPERIMENTS.map((e) => e.info.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new ConfigError(`experiment '${repeated}' is named twice`);
  const methodNames = listing.methods ?? [];
  if (methodNames.length > 0 && !ids.some(hasMethodCells)) {
    throw new ConfigError(`--methods applies to the Paper B experiments (${[...PAPER_B_CELL_SYSTEMS.keys()].join(', ')}), and none is chosen`);
  }
  const { seed: _seed, ...rest } = overrides;
  return ids.flatMap((experiment) => {
    const registered = experimentById(experiment);
    const configSeed = (registered.config(listing.scale, overrides) as { seed: number }).seed;
    const wanted = methodNames.map((m) => parseCellMethod(m, experiment));
    // undefined: the experiment's one cell per seed (iMODE)
    const methods = !hasMethodCells(experiment) ? [undefined] : CELL_METHODS.filter((m) => wanted.length === 0 || wanted.includes(m));
    return (seeds.length > 0 ? seeds : [configSeed]).flatMap((seed) => {
      registered.config(listing.scale, { ...rest, seed }); // the seed is valid for this experiment
      const resultsRoot = seed === configSeed ? (env.METADYN_RESULTS_ROOT ? baseResultsRoot(env) : null) : path.join(seedsDir(experiment, listing.scale, env), `seed-${seed}`);
      return methods.map((method): Cell => {
        const parts = { experiment, ...(method ? { method } : {}), seed, scale: listing.scale };
        return { id: cellId(parts), ...parts, overrides: rest, resultsRoot };
      });
    });
  });
}

export interface CellOutcome {
  id: string;
  /** Paper B: what the method's meta-training did */
  training?: MethodTraining;
  /** iMODE: the results directory the experiment's run wrote */
  resultsDir?: string;
  seconds: number;
}

/** Runs one cell's training (see the file comment); killed and run again, it resumes from its checkpoints. */
export async function runCell(cell: Cell): Promise<CellOutcome> {
  const started = Date.now();
  const overrides = { ...cell.overrides, seed: cell.seed };
  return withResultsRootAt(cell.resultsRoot, async () => {
    const paperB = PAPER_B_CELL_SYSTEMS.get(cell.experiment);
    if (paperB) {
      if (!cell.method) throw new ConfigError(`cell ${cell.id}: a Paper B cell names its method`);
      await initBackend();
      return { id: cell.id, training: paperB.train(cell.scale, overrides, cell.method), seconds: (Date.now() - started) / 1000 };
    }
    const resultsDir = await experimentById(cell.experiment).run(cell.scale, overrides);
    return { id: cell.id, resultsDir, seconds: (Date.now() - started) / 1000 };
  });
}

/** One experiment run of the merge: an (experiment, seed) and the cells it follows. */
export interface MergeGroup {
  experiment: string;
  seed: number;
  scale: Scale;
  overrides: Record<string, unknown>;
  resultsRoot: string | null;
  cells: string[];
}

/** The cells grouped by (experiment, seed), in cell order. */
export function mergeGroups(cells: readonly Cell[]): MergeGroup[] {
  const groups = new Map<string, MergeGroup>();
  for (const c of cells) {
    const key = `${c.experiment}\u0000${c.seed}\u0000${c.scale}\u0000${c.resultsRoot}`;
    const group = groups.get(key) ?? { experiment: c.experiment, seed: c.seed, scale: c.scale, overrides: c.overrides, resultsRoot: c.resultsRoot, cells: [] };
    group.cells.push(c.id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export interface MergeOutcome {
  experiment: string;
  seed: number;
  dir: string;
  /** false when the cell's own run already wrote these results (iMODE) */
  ran: boolean;
  seconds: number;
}

/**
 * The full run of one (experiment, seed) on its finished cells: a Paper B experiment adapts and evaluates every method
 * (training only what had no cell: Scratch, and methods left out with --methods); an iMODE cell was the full run, so
 * its results are kept when they are of this config (else it runs, as a cell would).
 */
export async function runMerge(group: MergeGroup): Promise<MergeOutcome> {
  const started = Date.now();
  const experiment = experimentById(group.experiment);
  const overrides = { ...group.overrides, seed: group.seed };
  return withResultsRootAt(group.resultsRoot, async () => {
    const dir = experimentResultsDir(group.experiment, group.scale);
    const stored = hasMethodCells(group.experiment) ? null : storedMetrics(dir);
    const done = stored !== null && isRunOfConfig(stored.provenance, experiment.config(group.scale, overrides));
    if (!done) await experiment.run(group.scale, overrides);
    return { experiment: group.experiment, seed: group.seed, dir, ran: !done, seconds: (Date.now() - started) / 1000 };
  });
}

/** What `npm run reproduce -- --cells|--slurm` writes beside its logs: the cells, by index (Slurm's array index). */
export interface CellManifest {
  createdAt: string;
  /** the command line that made it */
  command: string;
  scale: Scale;
  cells: Cell[];
}

export const MANIFEST_FILE = 'cells.json';

/**
 * results/<kind>/<UTC time>-<hash of the cell ids>/ under the base results root: a manifest's directory (kind 'slurm'
 * for a submission, 'cells' for the local pool; both git-ignored).
 */
export function runDirectory(kind: 'slurm' | 'cells', cells: readonly Cell[], now: Date, env: NodeJS.ProcessEnv = process.env): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join(baseResultsRoot(env), kind, `${stamp}-${configHash(cells.map((c) => c.id)).slice(0, 8)}`);
}

export function writeManifest(dir: string, manifest: CellManifest): string {
  const file = path.join(dir, MANIFEST_FILE);
  writeJsonAtomic(file, manifest);
  return file;
}

export function readManifest(file: string): CellManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`cannot read the cell manifest (${(e as Error).message})`, { file });
  }
  const cells = (parsed as { cells?: unknown }).cells;
  if (!Array.isArray(cells) || cells.some((c) => typeof c?.id !== 'string' || typeof c?.experiment !== 'string')) {
    throw new DataError('not a cell manifest: no list of cells with id and experiment', { file });
  }
  return parsed as CellManifest;
}

/** The cell at `index` of a manifest (Slurm's SLURM_ARRAY_TASK_ID); ConfigError naming the range otherwise. */
export function manifestCell(manifest: CellManifest, index: number, file: string): Cell {
  if (!Number.isInteger(index) || index < 0 || index >= manifest.cells.length) {
    throw new ConfigError(`--index must be an integer in [0, ${manifest.cells.length - 1}] for ${file}, got ${index}`);
  }
  return manifest.cells[index];
}

/**
 * Regenerates the README's tables from results/ (`npm run readme-tables`), as `npm run reproduce` does after a
 * default-scale run; true when it succeeded.
 */
export async function regenerateReadmeTables(log: (line: string) => void = (line) => console.log(line)): Promise<boolean> {
  log('regenerating README tables: tsx src/cli/readmeTables.ts');
  const tables = await runProcess(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'src', 'cli', 'readmeTables.ts')]);
  if (tables.code !== 0) log(`FAILED readme tables (exit code ${tables.code})`);
  return tables.code === 0;
}

/**
 * Whether a merge should regenerate the README: only after default-scale runs into the repository's own results/
 * (the README shows those, and readme-tables reads them from there).
 */
export function mergeUpdatesReadme(groups: readonly Pick<MergeGroup, 'scale' | 'resultsRoot'>[]): boolean {
  return groups.some((g) => g.scale === 'default' && g.resultsRoot === null);
}

/**
 * Every group's merge in turn, continuing past a failure (one broken experiment does not cost the others their
 * results), then the README tables when mergeUpdatesReadme; true when all succeeded.
 */
export async function mergeAll(groups: readonly MergeGroup[], log: (line: string) => void = (line) => console.log(line)): Promise<boolean> {
  let ok = true;
  for (const group of groups) {
    const what = `${group.experiment} (${group.scale}, seed ${group.seed})`;
    log(`[merge] ${what}: the experiment's run on ${group.cells.length} finished cell(s)`);
    try {
      const outcome = await runMerge(group);
      log(`[merge] ${what}: ${outcome.ran ? 'ran' : "kept its cell's run"} in ${outcome.seconds.toFixed(1)} s -> ${outcome.dir}`);
    } catch (e) {
      ok = false;
      const err = e as Error;
      log(`[merge] FAILED ${what}: ${err instanceof ConfigError ? err.message : err.stack ?? String(e)}`);
    }
  }
  if (mergeUpdatesReadme(groups)) ok = (await regenerateReadmeTables(log)) && ok;
  return ok;
}
