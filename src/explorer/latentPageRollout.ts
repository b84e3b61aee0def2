/**
 * What the latent explorer page of a Paper B modulation model computes, for the browser and for Node alike.
 *
 * The model (./latentModelExport.ts writes it) is an HNN ẋ = J∇H̃_Θ(x; z) whose energy network is modulated by a
 * latent code z ∈ ℝ^{d_z} (../models/hnn.ts `hnnLatentModel`). Its sliders move the coordinates c of z in the plane
 * of the two leading principal components of the training latents z_k:
 *
 *   z(c) = z̄ + Σ_i c_i PC_i   (z̄ the mean training latent, PC_i unit rows of ../analysis/pca.ts, computed in Node),
 *
 * and the page draws |ẋ| = |J∇H̃(x; z(c))| on a grid of the state plane and the RK4 rollout (../nn/odeint.ts, the
 * evaluation's solver) from the nearest training instance's initial state beside that instance's data.
 *
 * Like ./pageRollout.ts, this uses only @tensorflow/tfjs and the repo's modules that import nothing else (with
 * ../core/nativeMatMul.ts resolved to ./browserMatMul.ts in the page's bundle).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorJson } from '../core/checkpoint';
import { DataError } from '../core/errors';
import { hnnLatentModel } from '../models/hnn';
import type { ModulationSpec } from '../modulation/modulation';
import { type OdeintOptions, type TensorVectorField, odeint } from '../nn/odeint';

export const LATENT_EXPLORER_FORMAT = 'metadyn-latent-explorer-model';
export const LATENT_EXPLORER_VERSION = 1;

export interface LatentExplorerInstance {
  label: string;
  /** the training latent's coordinates on the leading components */
  coordinates: number[];
  /** [steps][stateDim] data states, `dt` apart; window[0] is the rollout's initial state */
  window: number[][];
}

/** A meta-trained latent-modulated HNN, the PCA of its training latents and its training instances, as plain JSON. */
export interface LatentExplorerModel {
  format: typeof LATENT_EXPLORER_FORMAT;
  version: number;
  experiment: string;
  method: string;
  spec: ModulationSpec;
  /** Θ in the latent model's tensors order */
  weights: TensorJson[];
  solver: OdeintOptions;
  dt: number;
  /** z̄ (d_z values) */
  mean: number[];
  /** the leading principal components (unit rows of d_z values), as many as there are sliders */
  components: number[][];
  /** the share of the latents' variance each component explains */
  explained: number[];
  /** per component, [min, max] of the training latents' coordinates */
  coordinateRange: [number, number][];
  /** the grid |ẋ| is drawn on: x values of the first state component, y values of the second */
  grid: { x: number[]; y: number[] };
  instances: LatentExplorerInstance[];
  stateLabels: [string, string];
}

/** z(c) = z̄ + Σ_i c_i PC_i. */
export function latentAt(model: LatentExplorerModel, coordinates: readonly number[]): number[] {
  if (coordinates.length !== model.components.length) throw new DataError(`need ${model.components.length} coordinates, got ${coordinates.length}`);
  return model.mean.map((m, j) => coordinates.reduce((s, c, i) => s + c * model.components[i][j], m));
}

/** The training instance whose latent's coordinates are nearest to `coordinates` (index into model.instances). */
export function nearestLatentInstance(model: LatentExplorerModel, coordinates: readonly number[]): number {
  let best = -1;
  let bestDistance = Infinity;
  model.instances.forEach((ins, i) => {
    const d = ins.coordinates.reduce((s, v, j) => s + (v - coordinates[j]) ** 2, 0);
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  if (best < 0) throw new DataError('the latent explorer model has no instances');
  return best;
}

/**
 * `use` given the field at latent z for batches of `rows` states, z tiled over the rows as ../meta/latentMethod.ts
 * does (conditioned once per batch size, not per evaluation); every tensor is freed after.
 */
function withField<T extends tf.TensorContainer>(model: LatentExplorerModel, z: readonly number[], use: (fieldOf: (rows: number) => TensorVectorField) => T): T {
  if (z.length !== model.spec.latentDim) throw new DataError(`z needs ${model.spec.latentDim} values, got ${z.length}`);
  return tf.tidy(() => {
    const latent = hnnLatentModel(model.spec);
    const params = latent.fromTensors(model.weights.map((w) => tf.tensor(w.values, w.shape, 'float32')));
    const code = tf.tensor2d([Array.from(z)]);
    return use((rows) => latent.field(params, { codes: tf.tile(code, [rows, 1]) as tf.Tensor2D }));
  });
}

/** |ẋ| at latent z on model.grid: [y.length][x.length] (rows follow y, as a Plotly heatmap's z). */
export function fieldMagnitude(model: LatentExplorerModel, z: readonly number[]): number[][] {
  const { x, y } = model.grid;
  const states = y.flatMap((q2) => x.map((q1) => [q1, q2]));
  const speeds = withField(model, z, (fieldOf) => Array.from(tf.norm(fieldOf(states.length)(0, tf.tensor2d(states)), 'euclidean', 1).dataSync()));
  return y.map((_, r) => speeds.slice(r * x.length, (r + 1) * x.length));
}

/** The model's trajectory at latent z from x0: `steps` states model.dt apart ([steps][d], x0 first). */
export function latentRollout(model: LatentExplorerModel, z: readonly number[], x0: readonly number[], steps: number): number[][] {
  if (!Number.isInteger(steps) || steps < 2) throw new DataError(`a rollout needs at least 2 steps, got ${steps}`);
  const ts = Array.from({ length: steps }, (_, k) => k * model.dt);
  const flat = withField(model, z, (fieldOf) => odeint(fieldOf(1), tf.tensor2d([Array.from(x0)]), ts, model.solver).dataSync() as Float32Array);
  const d = x0.length;
  return ts.map((_, k) => Array.from(flat.subarray(k * d, (k + 1) * d)));
}
