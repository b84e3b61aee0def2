/**
 * The meta-trained SVD-modulated HNN of spd-pendulum (Paper B) as the latent explorer's JSON
 * (./latentPageRollout.ts): Θ and the training latents z_k from the finished checkpoint
 * (results/spd-pendulum/checkpoints/<config hash>/svd/), the PCA of the z_k (../analysis/pca.ts) whose two leading
 * components the sliders move along, the evaluation's RK4 solver, the field grid of the benchmark's ε_field, and each
 * training instance's first trajectory (re-simulated: deterministic in the seed, ../experiments/paperBHamiltonian.ts).
 *
 * Nothing is trained here: a missing or unfinished checkpoint is an error that says which run makes it.
 */
import * as tf from '@tensorflow/tfjs';
import { type Scale, configHash } from '../core/config';
import { checkpointStore, tensorFromJson } from '../core/checkpoint';
import { ConfigError, DataError } from '../core/errors';
import { vectorFieldGrid } from '../analysis/metrics';
import { pca } from '../analysis/pca';
import type { SavedLatentMeta } from '../meta/latentModulation';
import { hnnLatentModel } from '../models/hnn';
import { modulationSpec } from '../modulation/modulation';
import { experimentCheckpointDir } from '../experiments/experiment';
import { resolvePaperBConfig } from '../experiments/paperB/config';
import { baseSpec, simulatePaperB } from '../experiments/paperBHamiltonian';
import { paperBPendulum } from '../experiments/paperBPendulum';
import { LATENT_EXPLORER_FORMAT, LATENT_EXPLORER_VERSION, type LatentExplorerModel } from './latentPageRollout';

/** Sliders: the two leading principal components of the training latents (issue 28 §3). */
const SLIDER_COMPONENTS = 2;
/** Grid points per axis of the |ẋ| heatmap (the ε_field grid's box, coarser than its 50: one field evaluation of 961 rows per redraw). */
const GRID_POINTS = 31;

/** The explorer model of the finished spd-pendulum SVD run at `scale`; ConfigError when its meta-training has not finished. */
export function spdPendulumExplorerModel(scale: Scale = 'default'): LatentExplorerModel {
  const sys = paperBPendulum;
  const cfg = resolvePaperBConfig(sys, scale);
  const store = checkpointStore<SavedLatentMeta>(`${experimentCheckpointDir(sys.info.id, scale, cfg)}/svd`, configHash(cfg));
  const saved = store.load();
  if (saved === null || saved.iteration < cfg.metaIterations) {
    throw new ConfigError(`${sys.info.id} (${scale}) has no finished SVD meta-training checkpoint; run npm run experiment -- ${sys.info.id} first`);
  }
  const spec = modulationSpec(baseSpec(cfg, sys.system.stateDim), 'svd', { latentDim: cfg.latentDim, rank: cfg.rank });
  // The checkpoint's tensors must be this model's: fromTensors checks their count, the shapes below their sizes.
  const tensors = saved.params.map(tensorFromJson);
  try {
    const latent = hnnLatentModel(spec);
    const expected = latent.tensors(latent.fromTensors(tensors)).map((t) => t.shape.join('x'));
    const found = tensors.map((t) => t.shape.join('x'));
    if (expected.join() !== found.join()) throw new DataError(`the SVD checkpoint's tensors [${found}] are not the model's [${expected}]`, { file: store.file });
  } finally {
    tf.dispose(tensors);
  }
  const train = simulatePaperB(sys, cfg).filter((i) => i.split === 'train');
  if (saved.codes.length !== train.length) throw new DataError(`${saved.codes.length} training latents for ${train.length} training instances`, { file: store.file });
  const fit = pca(saved.codes);
  const components = fit.components.slice(0, SLIDER_COMPONENTS);
  const coordinates = fit.projected.map((row) => row.slice(0, SLIDER_COMPONENTS));
  const [gridX, gridY] = vectorFieldGrid(sys.fieldGrid.box, GRID_POINTS, sys.fieldGrid.fixed).axes;
  return {
    format: LATENT_EXPLORER_FORMAT,
    version: LATENT_EXPLORER_VERSION,
    experiment: sys.info.id,
    method: 'SVD',
    spec,
    weights: saved.params,
    solver: { method: 'rk4', substeps: cfg.rolloutSubsteps },
    dt: cfg.dt,
    mean: fit.mean,
    components,
    explained: fit.explainedVarianceRatio.slice(0, SLIDER_COMPONENTS),
    coordinateRange: components.map((_, i) => [Math.min(...coordinates.map((c) => c[i])), Math.max(...coordinates.map((c) => c[i]))]),
    grid: { x: gridX, y: gridY },
    instances: train.map((ins, k) => ({ label: ins.label, coordinates: coordinates[k], window: ins.trajectories[0].map((x) => Array.from(x)) })),
    stateLabels: ['q', 'p'],
  };
}
