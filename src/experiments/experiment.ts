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
