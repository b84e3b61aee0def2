/**
 * Is the latent code identifiable? The Neural Gauge reads the η that test-time adaptation finds from η0, and maps it
 * to the physical parameters. That only works if the model explains an instance's data by one η: the inner loop is
 * local (K Levenberg–Marquardt steps), so where the loss over η has several basins the η found depends on the start,
 * and an instance can land in a basin its neighbours in parameter space do not share.
 *
 * For the model the gauge reads (the d_η = p gauge model when the config has one, else the first model) every
 * instance is adapted again on the windows step 2 used, from η0 and from each training instance's adapted η
 * (../meta/imode.ts `adaptFromStarts`). Per instance we report the fit from η0 (what the gauge reads), the best fit
 * over all starts, their loss ratio, and the distance between the two η in units of the training η's spread
 * s = sqrt(mean_i |η_i − mean η|²). A ratio well below 1 at a distance of order 1 is a second, better basin: the
 * model's map from η to dynamics is not one-to-one there, and the gauge error of that instance says more about the
 * model than about the gauge.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../core/backend';
import { type Scale } from '../core/config';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomicWrite';
import { readJsonOrNull, revisionLabel, startProvenance } from '../core/results';
import { progress } from '../core/progress';
import { type StartFit, adaptFromStarts } from '../meta/imode';
import { disposeTaskBatch } from '../meta/taskBatch';
import { type Table, tableToMarkdown } from '../viz/table';
import { studyResultsDir } from './experiment';
import { type ImodeFamily, type ImodeFamilyConfig, innerOf, scaledModel, solverOf } from './imode/family';
import {
  type FamilyInstance,
  adaptAndEvaluateFamily,
  disposeGaugeModel,
  familyAdaptBatch,
  metaTrainFamily,
  resolveFamilyConfig,
  retrainForGauge,
  simulateFamily,
} from './imodeFamilyExperiment';
import type { Split } from '../data/imodeInstances';
import type { ImodeModelFactory, InstanceResult } from '../meta/imodeEvaluation';
import type { ImodeTrained } from '../meta/imodeTraining';

export interface InstanceBasins {
  label: string;
  split: Split;
  params: number[];
  /** adaptation from η0: the η the gauge reads */
  fromEta0: StartFit;
  /** the lowest loss over all starts, and the start it came from ('η0' or a training instance's label) */
  best: StartFit & { start: string };
  /** best.loss / fromEta0.loss (1 when η0's basin is the best found) */
  lossRatio: number;
  /** |best.eta − fromEta0.eta| / s, s the RMS spread of the training η about their mean */
  distance: number;
}

/** sqrt(mean_i |η_i − mean η|²) of the given η (0 for a single point). */
export function etaSpread(etas: readonly (readonly number[])[]): number {
  const d = etas[0].length;
  const mean = Array.from({ length: d }, (_, j) => etas.reduce((n, e) => n + e[j], 0) / etas.length);
  return Math.sqrt(etas.reduce((n, e) => n + e.reduce((m, v, j) => m + (v - mean[j]) ** 2, 0), 0) / etas.length);
}

/**
 * Every instance adapted from η0 and from every training instance's η under `model` with weights `trained`
 * (`results` are step 2's adaptations of this model: their training η are the starts and set the spread).
 */
export function familyBasins<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  cfg: C,
  instances: readonly FamilyInstance[],
  trained: ImodeTrained,
  model: ImodeModelFactory,
  results: readonly InstanceResult[],
): InstanceBasins[] {
  const train = results.filter((r) => r.split === 'train');
  const starts = [{ label: 'η0', eta: Array.from(trained.eta0.dataSync()) }, ...train.map((r) => ({ label: r.label, eta: r.eta }))];
  const spread = etaSpread(train.map((r) => r.eta));
  const bar = progress(instances.length, `adapting from ${starts.length} starts`);
  const out = instances.map((ins, index) => {
    const batch = familyAdaptBatch(family, cfg, ins, index);
    const fits = adaptFromStarts(model.makeField, trained.params, starts.map((s) => s.eta), batch, solverOf(cfg), innerOf(cfg));
    disposeTaskBatch(batch);
    const bestIndex = fits.reduce((b, f, i) => (f.loss < fits[b].loss ? i : b), 0);
    const fromEta0 = fits[0];
    const best = fits[bestIndex];
    const distance = Math.sqrt(best.eta.reduce((n, v, j) => n + (v - fromEta0.eta[j]) ** 2, 0)) / spread;
    bar.update(index + 1, ins.label);
    return { label: ins.label, split: ins.split, params: ins.params, fromEta0, best: { ...best, start: starts[bestIndex].label }, lossRatio: best.loss / fromEta0.loss, distance };
  });
  bar.done();
  return out;
}

export function basinsTable(entries: readonly InstanceBasins[]): Table {
  const eta = (e: readonly number[]) => e.map((v) => v.toFixed(3)).join(' ');
  return {
    columns: ['instance', 'split', 'η from η0', 'loss from η0', 'best η', 'best loss', 'best start', 'loss ratio', 'distance / spread'],
    rows: entries.map((e) => [e.label, e.split, eta(e.fromEta0.eta), e.fromEta0.loss, eta(e.best.eta), e.best.loss, e.best.start, e.lossRatio, e.distance]),
  };
}

/** results/basins/<id> (default scale) or results/<scale>/basins/<id>, under METADYN_RESULTS_ROOT when set. */
export function basinsDir(id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return studyResultsDir('basins', id, scale, env);
}

/**
 * The check for one family at one scale: the experiment's steps 1–3a from its checkpoints (trained anew when there
 * are none), then `familyBasins` on the model the gauge reads; writes basins.json (entries, config, provenance) and
 * basins.md. Returns the directory and the entries.
 */
export async function runFamilyBasins<C extends ImodeFamilyConfig>(
  family: ImodeFamily<C>,
  scale: Scale,
  overrides: Readonly<Record<string, unknown>> = {},
): Promise<{ dir: string; entries: InstanceBasins[]; model: 'gauge model' | 'first model' }> {
  await initBackend();
  const cfg = resolveFamilyConfig(family, scale, overrides);
  const prov = startProvenance({ experiment: family.info.id, paper: family.info.paper, section: 'identifiability of η (adaptation from several starts)', scale, config: cfg, seed: cfg.seed });
  const instances = simulateFamily(family, cfg);
  const trained = metaTrainFamily(family, cfg, scale, instances);
  const results = adaptAndEvaluateFamily(family, { ...cfg, scratchSteps: 0 }, instances, trained);
  const gaugeModel = retrainForGauge(family, cfg, scale, instances, { trained, results });
  const entries = gaugeModel
    ? familyBasins(family, { ...cfg, etaDim: gaugeModel.etaDim }, instances, gaugeModel.trained, gaugeModel.model, gaugeModel.results)
    : familyBasins(family, cfg, instances, trained, scaledModel(family, cfg), results);
  const model = gaugeModel ? 'gauge model' : 'first model';
  const dir = basinsDir(family.info.id, scale);
  const provenance = prov.finish();
  writeJsonAtomic(path.join(dir, 'basins.json'), { experiment: family.info.id, scale, model, entries, provenance });
  writeFileAtomic(
    path.join(dir, 'basins.md'),
    `Adaptation of every instance from η0 and from each training instance's η, ${model} of ${family.info.id} (${scale}); ` +
      `revision ${revisionLabel(provenance)}, seed ${cfg.seed}, backend ${provenance.backend}.\n\n` +
      tableToMarkdown(basinsTable(entries), { digits: 3 }),
  );
  tf.dispose([...trained.params, trained.eta0]);
  disposeGaugeModel(gaugeModel);
  return { dir, entries, model };
}

/** A start that fits at least this much better (loss ratio below it) counts as another basin. */
export const BETTER_BASIN_RATIO = 0.9;
/** The same threshold as a percentage of the loss from η0, for the text. */
export const BETTER_BASIN_PERCENT = Math.round((1 - BETTER_BASIN_RATIO) * 100);

/**
 * The README's view of the checks that exist under `resultsRoot`/basins: per family, how many instances fit at least
 * 10 % better from a start other than η0, how many of them are unseen, the lowest loss ratio with its instance and
 * distance, the revision, and whether the check ran on the config of the experiment's results; null when there are none.
 */
export function basinsSummarySection(resultsRoot: string, ids: readonly string[]): string | null {
  const rows = ids.flatMap((id) => {
    const run = readJsonOrNull<{ model: string; entries: InstanceBasins[]; provenance: { gitRevision: string | null; gitDirty: boolean | null; configHash: string } }>(path.join(resultsRoot, 'basins', id, 'basins.json'));
    if (!run) return [];
    // a check of another config than the experiment's committed results is stale: say so beside it
    const results = readJsonOrNull<{ configHash: string }>(path.join(resultsRoot, id, 'provenance.json'));
    const sameConfig = results ? (results.configHash === run.provenance.configHash ? 'yes' : 'no (stale)') : 'no results';
    const better = run.entries.filter((e) => e.lossRatio < BETTER_BASIN_RATIO);
    const lowest = run.entries.reduce((a, e) => (e.lossRatio < a.lossRatio ? e : a), run.entries[0]);
    return [[id, run.model, run.entries.length, `${better.length} (${better.filter((e) => e.split !== 'train').length} unseen)`, `${lowest.lossRatio.toFixed(2)} (${lowest.label}, ${lowest.split})`, lowest.distance.toFixed(2), revisionLabel(run.provenance), sameConfig]];
  });
  if (rows.length === 0) return null;
  return tableToMarkdown({
    columns: ['experiment', 'model', 'instances', `fit ≥ ${BETTER_BASIN_PERCENT} % better from another start`, 'lowest loss ratio (instance)', 'its distance / spread', 'revision', "same config as the experiment's results"],
    rows,
  });
}
