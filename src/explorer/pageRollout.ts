/**
 * The rollout the latent explorer page runs, and the model file it reads: one function for the browser and for Node.
 *
 * The page holds a trained iMODE energy model as plain JSON (./modelExport.ts writes it): the spec of the
 * reflection-symmetric potential V_θ(q, η), its weights θ, the rollout solver and the data of every adapted instance.
 * Moving the η slider integrates the learned dynamics q̇ = v, v̇ = F(q, η) = −∂V/∂q (../nn/conservativeForce.ts) from
 * the nearest instance's initial state with the same odeint (../nn/odeint.ts) that training and evaluation use, so the
 * page's curve is the model's, not a re-implementation of it. The parity test runs this very function in Node.
 *
 * This module and what it imports use only @tensorflow/tfjs (the one Node-only import below them,
 * ../core/nativeMatMul.ts, is resolved to ./browserMatMul.ts in the page's bundle, see ./explorerPage.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorJson } from '../core/checkpoint';
import { DataError } from '../core/errors';
import { type ConservativeForceSpec, conservativeVectorField, potentialMlpSpec } from '../nn/conservativeForce';
import { mlpFromTensors } from '../nn/mlp';
import { type OdeintOptions, odeint } from '../nn/odeint';

export const EXPLORER_MODEL_FORMAT = 'metadyn-explorer-model';
export const EXPLORER_MODEL_VERSION = 1;

/** One adapted instance: its physical parameters, adapted η and one data window that the page draws beside the model. */
export interface ExplorerInstance {
  label: string;
  split: string;
  /** the adapted η (etaDim values) */
  eta: number[];
  /** [steps][stateDim] data states, `dt` apart; window[0] is the rollout's initial state */
  window: number[][];
}

/** A trained iMODE energy model and its instances as plain JSON. */
export interface ExplorerModel {
  format: typeof EXPLORER_MODEL_FORMAT;
  version: number;
  experiment: string;
  spec: ConservativeForceSpec;
  /** θ in mlpTensors order (weights, then the biases present) */
  weights: TensorJson[];
  solver: OdeintOptions;
  /** sampling interval of the data windows */
  dt: number;
  /** per η component, the [min, max] over the adapted instances: the slider's range before its margin */
  etaRange: [number, number][];
  /** the meta-learned start η0 of the inner loop */
  eta0: number[];
  instances: ExplorerInstance[];
  /** axis titles of the phase portrait's two state components */
  stateLabels: [string, string];
}

/** The index of the point of `points` nearest to `query` (Euclidean); `what` names the points in the error when there are none. */
export function nearestPointIndex(points: readonly (readonly number[])[], query: readonly number[], what: string): number {
  let best = -1;
  let bestDistance = Infinity;
  points.forEach((p, i) => {
    const d = p.reduce((s, v, j) => s + (v - query[j]) ** 2, 0);
    if (d < bestDistance) [best, bestDistance] = [i, d];
  });
  if (best < 0) throw new DataError(`the ${what} has no instances`);
  return best;
}

/** The instance whose adapted η is nearest to `eta` (Euclidean), as an index into model.instances. */
export function nearestInstance(model: ExplorerModel, eta: readonly number[]): number {
  return nearestPointIndex(model.instances.map((ins) => ins.eta), eta, 'explorer model');
}

/**
 * The model's trajectory for adaptation parameters `eta` from state `x0`: `steps` states `model.dt` apart ([steps][d],
 * x0 first), float32 on the active tfjs backend. No tensor outlives the call.
 */
export function pageRollout(model: ExplorerModel, eta: readonly number[], x0: readonly number[], steps: number): number[][] {
  if (eta.length !== model.spec.etaDim) throw new DataError(`η needs ${model.spec.etaDim} values, got ${eta.length}`);
  if (x0.length !== 2 * model.spec.positionDim) throw new DataError(`the initial state needs ${2 * model.spec.positionDim} values, got ${x0.length}`);
  if (!Number.isInteger(steps) || steps < 2) throw new DataError(`a rollout needs at least 2 steps, got ${steps}`);
  const ts = Array.from({ length: steps }, (_, k) => k * model.dt);
  return tf.tidy(() => {
    const net = mlpFromTensors(potentialMlpSpec(model.spec), model.weights.map((w) => tf.tensor(w.values, w.shape, 'float32')));
    const field = conservativeVectorField(model.spec, net, tf.tensor2d([Array.from(eta)]));
    const states = odeint(field, tf.tensor2d([Array.from(x0)]), ts, model.solver);
    const d = x0.length;
    const flat = states.dataSync();
    return ts.map((_, k) => Array.from(flat.subarray(k * d, (k + 1) * d)));
  });
}
