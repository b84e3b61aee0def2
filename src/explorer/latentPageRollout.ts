/**
 * What the latent explorer page of a Paper B modulation model computes, for the browser and for Node alike.
 *
 * The model (./latentModelExport.ts writes it) is a field whose energy network is modulated by a latent code
 * z ∈ ℝ^{d_z}: an HNN ẋ = J∇H̃_Θ(x; z) (../models/hnn.ts `hnnLatentModel`, `field.kind` 'hnn') or a GENERIC
 * network ẋ = L∇Ẽ_Θ(x; z) + M̃∇S̃ (../models/generic.ts `genericLatentModel`, 'generic', with its state layout).
 * Its sliders move the coordinates c of z in the plane of the two leading principal components of the training
 * latents z_k:
 *
 *   z(c) = z̄ + Σ_i c_i PC_i   (z̄ the mean training latent, PC_i unit rows of ../analysis/pca.ts, computed in Node),
 *
 * and the page draws |ẋ| of the field at z(c) on a grid of the (q, p) plane, the state's other coordinates held at
 * the grid's `fixed` values and |ẋ| the norm of ẋ's (q, p) components (as ../experiments/paperB/figures.ts draws the
 * field), and the RK4 rollout (../nn/odeint.ts, the evaluation's solver) from the nearest training instance's
 * initial state beside that instance's data.
 *
 * Like ./pageRollout.ts, this uses only @tensorflow/tfjs and the repo's modules that import nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorJson } from '../core/checkpoint';
import { DataError } from '../core/errors';
import type { LatentFieldModel } from '../models/fieldModel';
import { type GenericLayout, genericLatentModel } from '../models/generic';
import { hnnLatentModel } from '../models/hnn';
import type { ModulationSpec } from '../modulation/modulation';
import { type OdeintOptions, type TensorVectorField, odeint } from '../nn/odeint';
import { nearestPointIndex } from './pageRollout';

export const LATENT_EXPLORER_FORMAT = 'metadyn-latent-explorer-model';
export const LATENT_EXPLORER_VERSION = 2;

/** The latent field family: the HNN, or the GENERIC network with its layout (which coordinates are entropies). */
export type LatentFieldKind = { kind: 'hnn' } | { kind: 'generic'; layout: GenericLayout };

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
  field: LatentFieldKind;
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
  /** the grid |ẋ| is drawn on: x values of the first state component, y values of the second, the rest held at `fixed` */
  grid: { x: number[]; y: number[]; fixed: number[] };
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
  return nearestPointIndex(model.instances.map((ins) => ins.coordinates), coordinates, 'latent explorer model');
}

/** The latent model of `field`'s family for `spec`. */
export function latentFieldModel(field: LatentFieldKind, spec: ModulationSpec): LatentFieldModel<unknown> {
  return field.kind === 'hnn' ? hnnLatentModel(spec) : genericLatentModel(spec, field.layout);
}

/**
 * `use` given the field at latent z for batches of `rows` states, z tiled over the rows as ../meta/latentMethod.ts
 * does (conditioned once per batch size, not per evaluation); every tensor is freed after.
 */
function withField<T extends tf.TensorContainer>(model: LatentExplorerModel, z: readonly number[], use: (fieldOf: (rows: number) => TensorVectorField) => T): T {
  if (z.length !== model.spec.latentDim) throw new DataError(`z needs ${model.spec.latentDim} values, got ${z.length}`);
  return tf.tidy(() => {
    const latent = latentFieldModel(model.field, model.spec);
    const params = latent.fromTensors(model.weights.map((w) => tf.tensor(w.values, w.shape, 'float32')));
    const code = tf.tensor2d([Array.from(z)]);
    return use((rows) => latent.field(params, { codes: tf.tile(code, [rows, 1]) as tf.Tensor2D }));
  });
}

/** |ẋ| of ẋ's first two components at latent z on model.grid: [y.length][x.length] (rows follow y, as a Plotly heatmap's z). */
export function fieldMagnitude(model: LatentExplorerModel, z: readonly number[]): number[][] {
  const { x, y, fixed } = model.grid;
  const states = y.flatMap((q2) => x.map((q1) => [q1, q2, ...fixed]));
  const speeds = withField(model, z, (fieldOf) => {
    const xdot = fieldOf(states.length)(0, tf.tensor2d(states));
    return Array.from(tf.norm(tf.slice(xdot, [0, 0], [-1, 2]), 'euclidean', 1).dataSync());
  });
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
