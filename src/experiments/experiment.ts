/**
 * What every paper experiment shares: its identity, its config scales, and where a run of a given scale writes.
 *
 * Default-scale runs write `results/<id>/` (committed, behind the README's tables). Smoke and paper runs write
 * `results/<scale>/<id>/` so a CI or on-demand run never overwrites the committed numbers; `METADYN_RESULTS_ROOT`
 * moves the whole results root (the test command points it at a temporary directory).
 */
import * as path from 'path';
import { type Scale, type ScaleTable, type Schema, configHash, validateConfig } from '../core/config';
import { ConfigError } from '../core/errors';
import { repoPath, resultsDir } from '../core/paths';
import { type PaperReference, paperReference } from '../core/reference';
import { type Provenance, type ProvenanceRecorder, writeResults } from '../core/results';
import type { PlotlyFigure } from '../viz/plotly';
import { type Table, tableToCsv, tableToMarkdown } from '../viz/table';

export interface ExperimentInfo {
  /** results/<id>/, notebooks/NN-<id>.ipynb */
  id: string;
  paper: string;
  section: string;
  title: string;
}

/** The results directory of experiment `id` at `scale`. */
export function experimentResultsDir(id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  const committed = resultsDir(id); // validates the id
  const root = env.METADYN_RESULTS_ROOT ? repoPath(env.METADYN_RESULTS_ROOT) : path.dirname(committed);
  return scale === 'default' ? path.join(root, id) : path.join(root, scale, id);
}

/** A study's folder for experiment `id` beside the experiments' results of `scale`: results/<study>/<id>, results/<scale>/<study>/<id>. */
export function studyResultsDir(study: string, id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(experimentResultsDir(id, scale, env)), study, id);
}

/** The checkpoints of one config of experiment `id` (git-ignored). */
export function experimentCheckpointDir(id: string, scale: Scale, config: unknown): string {
  return path.join(experimentResultsDir(id, scale), 'checkpoints', configHash(config));
}

/**
 * The config of `scale`, with `overrides` applied on top, validated against `schema` before any work starts.
 * Overrides are how a notebook cell or `--set key=value` changes one setting.
 */
export function resolveConfig<C>(
  schema: Schema,
  scales: ScaleTable<Readonly<Record<string, unknown>>>,
  scale: Scale,
  overrides: Readonly<Record<string, unknown>> = {},
  where = 'config',
): Readonly<C> {
  const base = scales[scale];
  if (!base) throw new ConfigError(`${where} has no scale '${scale}'; its scales: ${Object.keys(scales).join(', ')}`);
  return validateConfig<C>(schema, { ...base, ...overrides }, where);
}

/** What a run writes: its metrics, tables by file stem, figures, and the README section built from the finished provenance. */
export interface ExperimentOutput {
  metrics: Record<string, unknown>;
  tables: Record<string, Table>;
  figures: Record<string, PlotlyFigure>;
  readme: (finished: Provenance, reference: PaperReference) => string;
}

/**
 * Writes a run's results atomically into its results directory: metrics.json with the finished provenance, every
 * table as `<stem>.csv` and `<stem>.md` (3 significant digits), readme.md and the figures. Returns the directory.
 */
export function writeExperimentResults(info: ExperimentInfo, scale: Scale, output: ExperimentOutput, provenance: ProvenanceRecorder): string {
  const dir = experimentResultsDir(info.id, scale);
  const finished = provenance.finish();
  writeResults(dir, {
    metrics: output.metrics,
    provenance: finished,
    tables: {
      ...Object.fromEntries(Object.entries(output.tables).flatMap(([stem, table]) => [[`${stem}.csv`, tableToCsv(table)], [`${stem}.md`, tableToMarkdown(table, { digits: 3 })]])),
      'readme.md': output.readme(finished, paperReference(info.id)),
    },
    figures: output.figures,
  });
  return dir;
}

