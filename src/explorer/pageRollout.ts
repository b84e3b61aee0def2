/**
 * The rollout the iMODE explorer page runs, and the model file it reads: one function for the browser and for Node.
 *
 * The page holds a trained iMODE model as plain JSON (./modelExport.ts writes the pendulum's, ./familyModelExport.ts
 * a simulated family's): its field, its weights θ, the rollout solver and the data of every adapted instance. The
 * field is either
 *   'conservative': the pendulum's reflection-symmetric potential V_θ(q, η), q̇ = v, v̇ = F(q, η) = −∂V/∂q
 *                   (../nn/conservativeForce.ts), in the data's units;
 *   'family':       the family's own model (bistable, double pendulum, Van der Pol, Slinky, reaction–diffusion) built
 *                   from the training config by the code the experiment trains it with
 *                   (../experiments/imode/families.ts), in the loss's units x̃ = x ⊘ s: the page divides the initial
 *                   state by s and multiplies the trajectory by it.
 * Moving the η slider integrates the learned dynamics from the nearest instance's initial state with the same odeint
 * (../nn/odeint.ts) that training and evaluation use, so the page's curve is the model's, not a re-implementation of
 * it. The parity test runs this very function in Node.
 *
 * This module and what it imports use only @tensorflow/tfjs, so that the page's bundle (./explorerPage.ts) holds them.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorJson } from '../core/checkpoint';
import { DataError } from '../core/errors';
import { IMODE_FAMILY_FIELDS } from '../experiments/imode/families';
import { type ConservativeForceSpec, conservativeVectorField, potentialMlpSpec } from '../nn/conservativeForce';
import { mlpFromTensors } from '../nn/mlp';
import { type OdeintOptions, type TensorVectorField, odeint } from '../nn/odeint';

export const EXPLORER_MODEL_FORMAT = 'metadyn-explorer-model';
export const EXPLORER_MODEL_VERSION = 2;

/** One adapted instance: its physical parameters, adapted η and one data window that the page draws beside the model. */
export interface ExplorerInstance {
  label: string;
  split: string;
  /** the adapted η (etaDim values) */
  eta: number[];
  /** [steps][stateDim] data states, `dt` apart; window[0] is the rollout's initial state */
  window: number[][];
}

/** How the page builds the field from the weights (module comment). */
export type ExplorerField =
  | { kind: 'conservative'; spec: ConservativeForceSpec }
  | { kind: 'family'; config: Readonly<Record<string, unknown>> };

/** A trained iMODE model and its instances as plain JSON. */
export interface ExplorerModel {
  format: typeof EXPLORER_MODEL_FORMAT;
  version: number;
  /** the experiment id (for a 'family' field, the family whose model it is) */
  experiment: string;
  field: ExplorerField;
  /** θ in the order the field takes them */
  weights: TensorJson[];
  solver: OdeintOptions;
  /** sampling interval of the data windows */
  dt: number;
  /** per η component, the [min, max] over the adapted instances: the slider's range before its margin */
  etaRange: [number, number][];
  /** the meta-learned start η0 of the inner loop */
  eta0: number[];
  instances: ExplorerInstance[];
  /** the two state components the phase portrait plots, and their axis titles */
  portrait: { x: number; y: number; xTitle: string; yTitle: string };
}

/** The number of η components the model's field takes. */
export function explorerEtaDim(model: Pick<ExplorerModel, 'field'>): number {
  return model.field.kind === 'conservative' ? model.field.spec.etaDim : Number(model.field.config.etaDim);
}

/** The field at one η row for weights `params`, and the scale s of the units it works in (x̃ = x ⊘ s). */
function explorerField(model: ExplorerModel, params: tf.Tensor[], etaRow: tf.Tensor2D): { field: TensorVectorField; scale: readonly number[] } {
  const f = model.field;
  if (f.kind === 'conservative') {
    return { field: conservativeVectorField(f.spec, mlpFromTensors(potentialMlpSpec(f.spec), params), etaRow), scale: Array<number>(2 * f.spec.positionDim).fill(1) };
  }
  const family = IMODE_FAMILY_FIELDS[model.experiment];
  if (!family) throw new DataError(`no iMODE family '${model.experiment}'; known: ${Object.keys(IMODE_FAMILY_FIELDS).join(', ')}`);
  return { field: family.scaledModel(f.config).makeField(params, etaRow), scale: family.stateScale(f.config) };
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
  const etaDim = explorerEtaDim(model);
  const stateDim = model.instances[0].window[0].length;
  if (eta.length !== etaDim) throw new DataError(`η needs ${etaDim} values, got ${eta.length}`);
  if (x0.length !== stateDim) throw new DataError(`the initial state needs ${stateDim} values, got ${x0.length}`);
  if (!Number.isInteger(steps) || steps < 2) throw new DataError(`a rollout needs at least 2 steps, got ${steps}`);
  const ts = Array.from({ length: steps }, (_, k) => k * model.dt);
  return tf.tidy(() => {
    const params = model.weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
    const { field, scale } = explorerField(model, params, tf.tensor2d([Array.from(eta)]));
    const states = odeint(field, tf.tensor2d([x0.map((v, i) => v / scale[i])]), ts, model.solver);
    const flat = states.dataSync();
    return ts.map((_, k) => Array.from(flat.subarray(k * stateDim, (k + 1) * stateDim), (v, i) => v * scale[i]));
  });
}
