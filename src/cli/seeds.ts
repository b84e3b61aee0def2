/**
 * npm run seeds -- <id> --seeds 2508,2509,2510 [--scale default|paper|smoke] [--set key=value ...]
 *
 * Runs one experiment once per seed and writes a table over seeds to results/seeds/<id>/<scale>/summary.{json,md,csv}:
 * for a benchmark experiment (metrics.json holds a method `table`: the spd-* experiments) the mean ± std over seeds
 * (src/experiments/seedAggregate.ts); for an iMODE experiment every seed's headline numbers (intrinsic dimension,
 * gauge errors, held-out MSE) and their median (src/experiments/imodeSummary.ts).
 * Each seed's complete result set lives under results/seeds/<id>/<scale>/seed-<s>/ (git-ignored: figures are
 * megabytes); summary.json keeps every seed's per-seed values, config hash, backend and git revision.
 *
 * Resumable: a seed whose metrics.json exists and was made with the config a run would now use (same config hash), on
 * the engine it would now use (backend and matrix products), is read, not rerun (one of another config or engine is
 * rerun), and an interrupted seed resumes from its meta-training checkpoints. Config and seed list are validated before the first run starts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '../core/atomicWrite';
import { computeEngine, engineName, initBackend } from '../core/backend';
import { type Scale, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { repoRoot, withResultsRootAt } from '../core/paths';
import { type MetricsFile, gitInfo, readMetrics, revisionLabel } from '../core/results';
import { experimentResultsDir } from '../experiments/experiment';
import { experimentById } from '../experiments/registry';
import { type SeedRun, aggregateSeedTables, seedAggregateTable } from '../experiments/seedAggregate';
import { imodeSeedTable, isImodeExperimentId } from '../experiments/imodeSummary';
import { type Table, tableToCsv, tableToMarkdown } from '../viz/table';
import { parseOverrides, parseScale, runCli } from './commandLine';

const USAGE = 'npm run seeds -- <id> --seeds 2508,2509,2510 [--scale default|paper|smoke] [--set key=value ...]';

export function parseSeedList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const seeds = parts.map(Number);
  if (parts.some((s) => s === '') || seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 4294967295)) {
    throw new ConfigError(`--seeds takes a comma-separated list of integers in [0, 2^32), got '${text}'`);
  }
  if (new Set(seeds).size !== seeds.length) throw new ConfigError(`--seeds has a repeated seed: '${text}'`);
  return seeds;
}

/** results/seeds/<id>/<scale>/, under METADYN_RESULTS_ROOT when it is set (as every result directory) */
export function seedsDir(id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(experimentResultsDir(id, 'default', env)), 'seeds', id, scale);
}

/** A seed's stored metrics, or null when it has none (or none that reads). */
export function storedMetrics(dir: string): MetricsFile | null {
  try {
    return readMetrics(dir);
  } catch (e) {
    if (e instanceof DataError) return null;
    throw e;
  }
}

/**
 * Where a seed's run may already be, in the order it is looked for: its folder under `seedsDir`, and, for the seed of
 * the experiment's own config, the scale's own results folder, where `npm run experiment` / `reproduce` (and the
 * cells of `reproduce -- --cells | --slurm`, ./cells.ts) put that seed's run. A run found there is reused only if
 * it was made with the config a run would now use (`isRunOfConfig`).
 */
export function seedRunDirs(id: string, scale: Scale, seed: number, configSeed: number, env: NodeJS.ProcessEnv = process.env): string[] {
  const own = experimentResultsDir(id, scale, { METADYN_RESULTS_ROOT: path.join(seedsDir(id, scale, env), `seed-${seed}`) });
  return seed === configSeed ? [own, experimentResultsDir(id, scale, env)] : [own];
}

/**
 * Whether a run (a result's provenance, or a seed's record in summary.json) was made with `config`: a seed's run is
 * reused only then, so that a changed default (or --set) reruns it instead of summarising results of the old config
 * under the new one, and a summary of another config is marked stale in the README.
 */
export function isRunOfConfig(run: { configHash: string }, config: Readonly<Record<string, unknown>>): boolean {
  return run.configHash === configHash(config);
}

/** The engine a run's provenance names (../core/backend.ts computeEngine's words). */
export function runEngine(p: { backend: string; matMul?: string }): string {
  return engineName(p.backend, p.matMul);
}

/** The command that regenerates a summary. */
export function seedsCommand(id: string, scale: Scale, seeds: readonly number[], sets: readonly string[]): string {
  return ['npm run seeds --', id, '--seeds', seeds.join(','), '--scale', scale, ...sets.map((s) => `--set ${s}`)].join(' ');
}

/**
 * Which code ran each seed, grouped by revision: a summary can outlive the code that made it (a seed's results are
 * reused, not rerun), so the README says next to the table which revision each column comes from.
 */
export function seedRunRevisions(runs: readonly { seed: number; gitRevision: string; gitDirty: boolean }[]): string {
  const groups = new Map<string, number[]>();
  for (const r of runs) {
    const key = revisionLabel(r);
    groups.set(key, [...(groups.get(key) ?? []), r.seed]);
  }
  const parts = [...groups].map(([revision, seeds]) => `${seeds.length > 1 ? 'seeds' : 'seed'} ${seeds.join(', ')} at revision ${revision}`);
  return `Runs: ${parts.join('; ')}.`;
}

/**
 * A summary outlives a change of its experiment's default config: `npm run seeds` then reruns its seeds, but until
 * someone does, the README would show the old config's numbers as the current one's. Empty when every seed ran the
 * config the default would now use (same hash); else the fields that differ and the command that refreshes them.
 */
export function staleSeedsNote(
  id: string,
  summary: { command?: string; overrides?: Record<string, unknown>; runs: readonly { seed: number; configHash?: string; config?: Record<string, unknown> }[] },
): string {
  const experiment = experimentById(id);
  const changed = new Map<string, string>();
  const staleSeeds = summary.runs.filter((run) => {
    const { configHash: hash, config } = run;
    if (hash === undefined || config === undefined) return false;
    const now = experiment.config('default', { ...(summary.overrides ?? {}), seed: run.seed });
    if (isRunOfConfig({ configHash: hash }, now)) return false;
    const keys = new Set([...Object.keys(now), ...Object.keys(config)]);
    for (const k of keys) {
      const [was, is] = [JSON.stringify(config[k]), JSON.stringify(now[k])];
      if (was !== is) changed.set(k, `${k} ${was ?? '(absent)'} → ${is ?? '(absent)'}`);
    }
    return true;
  });
  if (staleSeeds.length === 0) return '';
  const fields = changed.size > 0 ? [...changed.values()].join(', ') : 'the config hash only';
  return `**Stale:** ${staleSeeds.length === summary.runs.length ? 'every seed' : `seed ${staleSeeds.map((r) => r.seed).join(', ')}`} ran another config than the current default (${fields}); \`${summary.command ?? `npm run seeds -- ${id}`}\` reruns ${staleSeeds.length > 1 ? 'them' : 'it'}.`;
}

/**
 * The README's section over seeds: every default-scale summary.md under `resultsRoot`/seeds/<id>/default/ for the
 * given ids, in their order, or `emptyHint` (the command that makes one) when there is none.
 */
export function seedSummariesSection(resultsRoot: string, ids: readonly string[], emptyHint: string): string {
  const parts = ids.flatMap((id) => {
    const dir = path.join(resultsRoot, 'seeds', id, 'default');
    const file = path.join(dir, 'summary.md');
    if (!fs.existsSync(file)) return [];
    const json = path.join(dir, 'summary.json');
    const summary = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : null;
    const notes = summary ? [seedRunRevisions(summary.runs), staleSeedsNote(id, summary)].filter((n) => n !== '') : [];
    return [[`**${id}** — ${fs.readFileSync(file, 'utf8').trim()}`, ...notes].join('\n\n')];
  });
  return parts.length > 0 ? parts.join('\n\n') : `_No runs over seeds yet: \`${emptyHint}\`._`;
}

/**
 * The table over seeds: mean ± std of a benchmark's method table, or an iMODE experiment's headline numbers per seed.
 * `rows` is what summary.json keeps.
 */
export function tableOverSeeds(id: string, runs: readonly { seed: number; metrics: MetricsFile }[]): { rows: unknown; table: Table; description: string } {
  if (isImodeExperimentId(id)) {
    const table = imodeSeedTable(runs);
    return { rows: table.rows, table, description: "each seed's value and the median over seeds" };
  }
  const benchmark = runs.map(({ seed, metrics }) => {
    if (!Array.isArray(metrics.table)) throw new DataError(`${id}, seed ${seed}: no method table in metrics.json; mean ± std over seeds applies to the benchmark experiments (spd-*)`);
    return { seed, table: metrics.table as SeedRun['table'], provenance: metrics.provenance };
  });
  const rows = aggregateSeedTables(benchmark);
  return { rows, table: seedAggregateTable(rows), description: "mean ± sample std over seeds of each seed's mean over the test instances" };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { scale: { type: 'string', default: 'default' }, seeds: { type: 'string' }, set: { type: 'string', multiple: true, default: [] } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new ConfigError(`give exactly one experiment id; usage: ${USAGE}`);
  if (values.seeds === undefined) throw new ConfigError(`--seeds is required; usage: ${USAGE}`);
  const id = positionals[0];
  const experiment = experimentById(id);
  const scale = parseScale(values.scale as string);
  const seeds = parseSeedList(values.seeds);
  const overrides = parseOverrides(values.set as string[]);
  if ('seed' in overrides) throw new ConfigError('--set seed=… conflicts with --seeds; give the seeds with --seeds');
  const out = seedsDir(id, scale);

  const configSeed = (experiment.config(scale, overrides) as { seed: number }).seed;
  // A seed's run is reused only from the engine this one computes with: float32 rounding of another engine's products
  // changes iMODE's trained models by as much as a seed does (docs/decisions/performance.md), so one table mixes none.
  await initBackend();
  const engine = computeEngine();
  const runs: { seed: number; metrics: MetricsFile }[] = [];
  for (const seed of seeds) {
    const root = path.join(out, `seed-${seed}`);
    const config = experiment.config(scale, { ...overrides, seed });
    const candidates = seedRunDirs(id, scale, seed, configSeed).map((d) => ({ d, m: storedMetrics(d) }));
    const found = candidates.find(({ m }) => m !== null && isRunOfConfig(m.provenance, config) && runEngine(m.provenance) === engine);
    const { d: dir, m: stored } = candidates[0];
    let metrics;
    if (found) {
      metrics = found.m!;
      console.log(`[seeds] ${id} seed ${seed}: reusing ${path.relative(repoRoot(), found.d)}`);
    } else {
      if (stored && isRunOfConfig(stored.provenance, config)) {
        // its checkpoints are that engine's too: going on would mix two engines' bits (../core/checkpoint.ts)
        throw new DataError(
          `seed ${seed} was run on ${runEngine(stored.provenance)}, this run computes on ${engine}: run with the engine it names (METADYN_BACKEND, METADYN_MATMUL, METADYN_BLAS_THREADS) or move the folder aside to run the seed anew`,
          { file: dir },
        );
      }
      const why = stored ? `, replacing a run of another config (hash ${stored.provenance.configHash}, now ${configHash(config)})` : '';
      console.log(`[seeds] ${id} seed ${seed} (${scale}) -> ${path.relative(repoRoot(), dir)}${why}`);
      await withResultsRootAt(root, () => experiment.run(scale, { ...overrides, seed }));
      metrics = readMetrics(dir);
    }
    if (metrics.provenance.seed !== seed) throw new DataError(`metrics.json says seed ${metrics.provenance.seed}, expected ${seed}`, { file: path.join(dir, 'metrics.json') });
    runs.push({ seed, metrics });
  }

  const { rows, table, description } = tableOverSeeds(id, runs);
  const command = seedsCommand(id, scale, seeds, values.set as string[]);
  const git = gitInfo(repoRoot());
  const summary = {
    experiment: id,
    scale,
    command,
    seeds,
    overrides,
    aggregatedAt: new Date().toISOString(),
    gitRevision: git.revision,
    gitDirty: git.dirty,
    runs: runs.map(({ seed, metrics }) => Object.assign({ seed }, metrics.provenance)),
    table: rows,
  };
  writeFileAtomic(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(path.join(out, 'summary.csv'), tableToCsv(table));
  const md = `${id}, scale \`${scale}\`, seeds ${seeds.join(', ')} (${description}); regenerate with \`${command}\`.\n\n${tableToMarkdown(table)}\n`;
  writeFileAtomic(path.join(out, 'summary.md'), md);
  console.log(md);
  console.log(`[seeds] wrote ${path.relative(repoRoot(), out)}/summary.{json,md,csv}`);
  return 0;
}

if (require.main === module) runCli(main);
