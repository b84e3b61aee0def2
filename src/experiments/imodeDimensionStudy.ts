/**
 * The intrinsic dimension of η over a dense sample of adapted instances.
 *
 * An iMODE family's experiment adapts η on a training grid and a few unseen draws: 15–25 points per system, where
 * TwoNN's standard error d̂/√N is ±0.4 at d = 2, too coarse to tell a curved one-parameter family from a surface.
 * This study takes the experiment's trained model (its checkpoint of the same config; trained anew when there is
 * none), draws `extraInstances` further parameter points uniformly in the training box from a random stream of
 * their own (FAMILY_STREAM.denseParams and denseData, beside the experiment's: so its own instances, their adaptation
 * windows and hence their η are exactly the experiment's), simulates and adapts each as the experiment does (same inner solver
 * and steps, no scratch baseline), and estimates the dimension of all adapted η (the experiment's and the new):
 *   PCA        the smallest k whose leading components explain 99 % of the variance (linear: a curve counts ≥ 2),
 *   TwoNN      d̂ = (N − 1) / Σ log(r₂/r₁) over each point's two nearest neighbours, ± d̂/√N,
 *   Levina–Bickel maximum likelihood over k = 5 and 10 neighbours (../analysis/intrinsicDimension.ts),
 * and the same on the experiment's η alone, for comparison. Writes results/intrinsic-dimension/<id>/dimension.{json,md}.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomicWrite';
import { initBackend } from '../core/backend';
import type { Scale } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { readJsonOrNull, revisionLabel, startProvenance } from '../core/results';
import { type Rng, streamFor } from '../core/rng';
import { type DimensionEstimate, levinaBickelDimension, twoNearestNeighbourDimension } from '../analysis/intrinsicDimension';
import { intrinsicDimension, pca } from '../analysis/pca';
import { type Table, formatNumber, tableToMarkdown } from '../viz/table';
import { experimentResultsDir, studyResultsDir } from './experiment';
import type { ImodeFamily, ImodeFamilyConfig } from './imode/family';
import { FAMILY_STREAM, adaptAndEvaluateFamily, metaTrainFamily, resolveFamilyConfig, simulateFamily, simulateFamilyDraws } from './imodeFamilyExperiment';

const LEVINA_BICKEL_NEIGHBOURS = [5, 10] as const;

/** `n` parameter points uniform in the training box [paramLow, paramHigh], from `rng`. */
export function uniformBoxDraws(box: { paramLow: readonly number[]; paramHigh: readonly number[] }, n: number, rng: Rng): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`extraInstances must be a positive integer, got ${n}`);
  return Array.from({ length: n }, () => box.paramLow.map((lo, j) => rng.uniformIn(lo, box.paramHigh[j])));
}

export interface DimensionEstimates {
  points: number;
  /** PCA at 99 % explained variance */
  pca99: number;
  explainedVarianceRatio: number[];
  twoNN: DimensionEstimate;
  /** by neighbour count k */
  levinaBickel: Record<string, DimensionEstimate>;
}

/** Every estimate of the header on one set of η (rows). */
export function dimensionEstimates(etas: readonly (readonly number[])[]): DimensionEstimates {
  const ratios = pca(etas).explainedVarianceRatio;
  return {
    points: etas.length,
    pca99: intrinsicDimension(ratios, 0.99),
    explainedVarianceRatio: ratios,
    twoNN: twoNearestNeighbourDimension(etas),
    levinaBickel: Object.fromEntries(LEVINA_BICKEL_NEIGHBOURS.filter((k) => etas.length > k).map((k) => [`k=${k}`, levinaBickelDimension(etas, k)])),
  };
}

export interface DimensionStudy {
  experiment: string;
  scale: Scale;
  physicalDimension: number;
  etaDim: number;
  extraInstances: number;
  /** on the experiment's adapted η only, and on those with the extra instances' */
  experimentOnly: DimensionEstimates;
  dense: DimensionEstimates;
  /** every extra instance: parameters and adapted η */
  extra: { params: number[]; eta: number[] }[];
}

const STUDY = 'intrinsic-dimension';
const STUDY_FILE = 'dimension.json';

/** results/intrinsic-dimension/<id> (default scale) or results/<scale>/intrinsic-dimension/<id>, under METADYN_RESULTS_ROOT when set. */
export function dimensionStudyDir(id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return studyResultsDir(STUDY, id, scale, env);
}

function estimateRow(what: string, e: DimensionEstimates): (string | number)[] {
  const lb = (k: number) => (e.levinaBickel[`k=${k}`] ? formatNumber(e.levinaBickel[`k=${k}`].dimension, 3) : '—');
  return [what, e.points, e.pca99, `${formatNumber(e.twoNN.dimension, 3)} ± ${formatNumber(e.twoNN.standardError, 2)}`, lb(5), lb(10)];
}

export function dimensionStudyTable(s: DimensionStudy): Table {
  return {
    columns: ['η of', 'N', 'PCA (99 %)', 'TwoNN ± s.e.', 'Levina–Bickel k = 5', 'Levina–Bickel k = 10'],
    rows: [estimateRow("the experiment's instances", s.experimentOnly), estimateRow(`the same and ${s.extraInstances} more in the training box`, s.dense)],
  };
}

/** The study of the header for one family; returns the directory it wrote and the study. */
export async function runFamilyDimensionStudy<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  scale: Scale,
  extraInstances: number,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<{ dir: string; study: DimensionStudy }> {
  await initBackend();
  const cfg = resolveFamilyConfig(family, scale, overrides);
  const draws = uniformBoxDraws(cfg, extraInstances, streamFor(cfg.seed, FAMILY_STREAM.denseParams, 0)).map((params) => ({ params, split: 'interpolate' as const }));
  const prov = startProvenance({ experiment: family.info.id, paper: family.info.paper, section: 'intrinsic dimension of η over a dense sample', scale, config: { ...cfg, extraInstances }, seed: cfg.seed });
  const instances = simulateFamily(family, cfg);
  const extras = simulateFamilyDraws(family, cfg, draws, (index) => streamFor(cfg.seed, FAMILY_STREAM.denseData, index));
  const trained = metaTrainFamily(family, cfg, scale, instances);
  // the experiment's instances first, so that their indices, adaptation windows and η are the experiment's
  const results = adaptAndEvaluateFamily(family, { ...cfg, scratchSteps: 0 }, [...instances, ...extras], trained);
  tf.dispose([...trained.params, trained.eta0]);
  const etas = results.map((r) => r.eta);
  const study: DimensionStudy = {
    experiment: family.info.id,
    scale,
    physicalDimension: family.params.length,
    etaDim: cfg.etaDim,
    extraInstances,
    experimentOnly: dimensionEstimates(etas.slice(0, instances.length)),
    dense: dimensionEstimates(etas),
    extra: results.slice(instances.length).map((r) => ({ params: r.params, eta: r.eta })),
  };
  const dir = dimensionStudyDir(family.info.id, scale);
  const provenance = prov.finish();
  writeJsonAtomic(path.join(dir, STUDY_FILE), { ...study, provenance });
  writeFileAtomic(
    path.join(dir, 'dimension.md'),
    `Intrinsic dimension of the adapted η of ${family.info.id} (${scale}; physical dimension ${study.physicalDimension}, η dimension ${study.etaDim}); ` +
      `revision ${revisionLabel(provenance)}, seed ${cfg.seed}, backend ${provenance.backend}; regenerate with \`npm run intrinsic-dimension -- ${family.info.id} --extra ${extraInstances}\`.\n\n` +
      tableToMarkdown(dimensionStudyTable(study)),
  );
  return { dir, study };
}

/** One line for a notebook: PCA, TwoNN and Levina–Bickel on these η, or why an estimate is undefined (repeated η, too few). */
export function describeDimensions(etas: readonly (readonly number[])[]): string {
  let e: DimensionEstimates;
  try {
    e = dimensionEstimates(etas);
  } catch (err) {
    if (err instanceof DataError) return `intrinsic dimension over ${etas.length} adapted η undefined: ${err.message}`;
    throw err;
  }
  const lb = Object.entries(e.levinaBickel).map(([k, v]) => `Levina–Bickel (${k}) ${formatNumber(v.dimension, 3)}`);
  return [`over ${e.points} adapted η: PCA (99 %) ${e.pca99}`, `TwoNN ${formatNumber(e.twoNN.dimension, 3)} ± ${formatNumber(e.twoNN.standardError, 2)}`, ...lb].join(', ');
}

/** The study of `id` at `scale` where it has been run (npm run intrinsic-dimension), or null. */
export function dimensionStudyOf(id: string, scale: Scale): DimensionStudy | null {
  return readDimensionStudy(path.dirname(experimentResultsDir(id, scale)), id);
}

/** The study of `id` under the results folder of one scale, `resultsRoot` (results/ for default), or null. */
export function readDimensionStudy(resultsRoot: string, id: string): DimensionStudy | null {
  return readJsonOrNull<DimensionStudy>(path.join(resultsRoot, STUDY, id, STUDY_FILE));
}
