/**
 * The meta-trained SVD-modulated field of a Paper B system as the latent explorer's JSON (./latentPageRollout.ts):
 * the HNN of spd-pendulum, spd-mass-spring and spd-duffing, the GENERIC network of spd-dno and spd-tgc. Θ and the
 * training latents z_k from the finished checkpoint (results/<id>/checkpoints/<config hash>/svd/), the PCA of the
 * z_k (../analysis/pca.ts) whose two leading components the sliders move along, the evaluation's RK4 solver, the
 * field grid of the benchmark's ε_field (its (q, p) box, the other coordinates at its fixed values), and each
 * training instance's first trajectory (re-simulated: deterministic in the seed, ../experiments/paperBHamiltonian.ts).
 *
 * The page builds its field from the JSON's field kind (a GENERIC system's with the layout its structure carries,
 * ../experiments/paperB/system.ts), so the export checks that the page's field is the experiment's own: both at a
 * training latent on the grid, to float32 rounding.
 *
 * Nothing is trained here: a missing or unfinished checkpoint is an error that says which run makes it.
 */
import * as tf from '@tensorflow/tfjs';
import { type Scale, configHash } from '../core/config';
import { type TensorJson, checkpointStore, tensorFromJson } from '../core/checkpoint';
import { ConfigError, DataError } from '../core/errors';
import { vectorFieldGrid } from '../analysis/metrics';
import { pca } from '../analysis/pca';
import type { SavedLatentMeta } from '../meta/latentModulation';
import type { LatentFieldModel } from '../models/fieldModel';
import { modulationSpec } from '../modulation/modulation';
import { experimentCheckpointDir } from '../experiments/experiment';
import { resolvePaperBConfig } from '../experiments/paperB/config';
import { baseSpec, simulatePaperB } from '../experiments/paperBHamiltonian';
import { paperBDno } from '../experiments/paperBDno';
import { paperBDuffing } from '../experiments/paperBDuffing';
import { paperBMassSpring } from '../experiments/paperBMassSpring';
import { paperBPendulum } from '../experiments/paperBPendulum';
import { paperBTgc } from '../experiments/paperBTgc';
import { type PaperBSystem, structureOf } from '../experiments/paperB/system';
import { LATENT_EXPLORER_FORMAT, LATENT_EXPLORER_VERSION, type LatentExplorerModel, type LatentFieldKind, latentFieldModel } from './latentPageRollout';

/** Sliders: the two leading principal components of the training latents (issue 28 §3). */
const SLIDER_COMPONENTS = 2;
/** Grid points per axis of the |ẋ| heatmap (the ε_field grid's box, coarser than its 50: one field evaluation of 961 rows per redraw). */
const GRID_POINTS = 31;
/** Largest |ẋ_page − ẋ_experiment| on the grid, relative to max |ẋ|, for the two to be one field (float32: ~1e-7 each). */
const SAME_FIELD_TOLERANCE = 1e-5;

/** The systems the latent explorer covers; each page builds the field family its methods learn (./paperB/system.ts). */
const PAPER_B_EXPLORER_SYSTEMS: Readonly<Record<string, (scale: Scale) => LatentExplorerModel>> = {
  'spd-pendulum': (scale) => latentExplorerModel(paperBPendulum, scale),
  'spd-mass-spring': (scale) => latentExplorerModel(paperBMassSpring, scale),
  'spd-duffing': (scale) => latentExplorerModel(paperBDuffing, scale),
  'spd-dno': (scale) => latentExplorerModel(paperBDno, scale),
  'spd-tgc': (scale) => latentExplorerModel(paperBTgc, scale),
};

/** The page's field family of `sys`: GENERIC with the structure's layout, else the HNN. */
function fieldKindOf<P>(sys: PaperBSystem<P>): LatentFieldKind {
  const layout = structureOf(sys).layout;
  return layout ? { kind: 'generic', layout } : { kind: 'hnn' };
}

export const PAPER_B_EXPLORER_IDS: readonly string[] = Object.keys(PAPER_B_EXPLORER_SYSTEMS);

/** The explorer model of the finished SVD run of the Paper B system `experimentId` at `scale`; ConfigError for another id or when its meta-training has not finished. */
export function paperBExplorerModel(experimentId: string, scale: Scale = 'default'): LatentExplorerModel {
  const exportModel = PAPER_B_EXPLORER_SYSTEMS[experimentId];
  if (!exportModel) throw new ConfigError(`no latent explorer for '${experimentId}'; available: ${PAPER_B_EXPLORER_IDS.join(', ')}`);
  return exportModel(scale);
}

function latentExplorerModel<P>(sys: PaperBSystem<P>, scale: Scale): LatentExplorerModel {
  const field = fieldKindOf(sys);
  const cfg = resolvePaperBConfig(sys, scale);
  const store = checkpointStore<SavedLatentMeta>(`${experimentCheckpointDir(sys.info.id, scale, cfg)}/svd`, configHash(cfg));
  const saved = store.load();
  if (saved === null || saved.iteration < cfg.metaIterations) {
    throw new ConfigError(`${sys.info.id} (${scale}) has no finished SVD meta-training checkpoint; run npm run experiment -- ${sys.info.id} first`);
  }
  const spec = modulationSpec(baseSpec(cfg, sys.system.stateDim), 'svd', { latentDim: cfg.latentDim, rank: cfg.rank });
  const grid = vectorFieldGrid(sys.fieldGrid.box, GRID_POINTS, sys.fieldGrid.fixed);
  checkPageField({ own: structureOf(sys).latentModel(spec), page: latentFieldModel(field, spec), weights: saved.params, code: saved.codes[0], states: grid.points.map((x) => Array.from(x)), file: store.file });
  const train = simulatePaperB(sys, cfg).filter((i) => i.split === 'train');
  if (saved.codes.length !== train.length) throw new DataError(`${saved.codes.length} training latents for ${train.length} training instances`, { file: store.file });
  const fit = pca(saved.codes);
  const components = fit.components.slice(0, SLIDER_COMPONENTS);
  const coordinates = fit.projected.map((row) => row.slice(0, SLIDER_COMPONENTS));
  const [gridX, gridY] = grid.axes;
  return {
    format: LATENT_EXPLORER_FORMAT,
    version: LATENT_EXPLORER_VERSION,
    experiment: sys.info.id,
    method: 'SVD',
    field,
    spec,
    weights: saved.params,
    solver: { method: 'rk4', substeps: cfg.rolloutSubsteps },
    dt: cfg.dt,
    mean: fit.mean,
    components,
    explained: fit.explainedVarianceRatio.slice(0, SLIDER_COMPONENTS),
    coordinateRange: components.map((_, i) => [Math.min(...coordinates.map((c) => c[i])), Math.max(...coordinates.map((c) => c[i]))]),
    grid: { x: gridX, y: gridY, fixed: [...(sys.fieldGrid.fixed ?? [])] },
    instances: train.map((ins, k) => ({ label: ins.label, coordinates: coordinates[k], window: ins.trajectories[0].map((x) => Array.from(x)) })),
    stateLabels: ['q', 'p'],
  };
}

/**
 * The checkpoint's tensors must be the experiment's model's (`own`: fromTensors checks their count, the shapes below
 * their sizes), and the page's model (`page`) must give the same field from them at latent `code` on `states`.
 */
export function checkPageField(o: { own: LatentFieldModel<unknown>; page: LatentFieldModel<unknown>; weights: readonly TensorJson[]; code: readonly number[]; states: number[][]; file: string }): void {
  tf.tidy(() => {
    const tensors = o.weights.map(tensorFromJson);
    const ownParams = o.own.fromTensors(tensors);
    const expected = o.own.tensors(ownParams).map((t) => t.shape.join('x'));
    const found = tensors.map((t) => t.shape.join('x'));
    if (expected.join() !== found.join()) throw new DataError(`the SVD checkpoint's tensors [${found}] are not the model's [${expected}]`, { file: o.file });
    const codes = tf.tile(tf.tensor2d([Array.from(o.code)]), [o.states.length, 1]) as tf.Tensor2D;
    const x = tf.tensor2d(o.states);
    const ownField = o.own.field(ownParams, { codes })(0, x);
    const pageField = o.page.field(o.page.fromTensors(tensors), { codes })(0, x);
    const gap = tf.max(tf.abs(tf.sub(ownField, pageField))).dataSync()[0];
    const size = tf.max(tf.abs(ownField)).dataSync()[0];
    if (!(gap <= SAME_FIELD_TOLERANCE * size)) throw new DataError(`the page's field differs from the experiment's by ${gap} (max |ẋ| ${size}): the explorer's field kind is not the experiment's`, { file: o.file });
  });
}
