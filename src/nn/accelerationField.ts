/**
 * iMODE's general (non-conservative) acceleration field: an MLP on the state x = (q, v) ∈ ℝ²ⁿ and the per-instance
 * adaptation parameters η, used as the second-order dynamics
 *
 *   q̇ = v,   v̇ = a(q, v, η),   a(q, v, η) = a_net([q, v, η])                               (plain), or
 *   a(q, v, η) = ½ (a_net([q, v, η]) − a_net([−q, −v, η]))                               (oddInState),
 *
 * for systems without a potential such as Van der Pol, x'' = μ(1 − x²)x' − x. Averaging over the orbit of the
 * reflection (q, v) ↦ (−q, −v) makes a exactly odd, a(−q, −v) = −a(q, v), whatever the weights; Van der Pol's
 * acceleration has this symmetry. The network: depth × [Linear(→ width), σ] with σ = tanh or Softplus(β), then
 * Linear(width → n).
 *
 * The odd, η-conditioned evaluation `etaConditionedNet` is shared with the mass-matrix field (its generalised force).
 * Every row carries its own η (etaRows: [rows, dη]), so all tasks of a meta-batch share one rollout. Only slice,
 * concat, mul and matMul enter the graph, all with gradients on the cpu and wasm backends.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, requirePositiveInteger } from '../core/errors';
import type { Rng } from '../core/rng';
import { type Activation, type MlpParams, type MlpSpec, initMlp, mlpApply, mlpFromTensors, mlpTensors, validateMlpSpec } from './mlp';
import type { TensorVectorField } from './odeint';

export type HiddenActivation = 'tanh' | 'softplus';
export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ['tanh', 'softplus'];

/** The hidden layers shared by the iMODE field networks. */
export interface HiddenLayers {
  /** width of every hidden layer */
  width: number;
  /** number of [Linear, σ] hidden layers (≥ 1) */
  depth: number;
  activation: HiddenActivation;
  /** Softplus sharpness β (used when activation = 'softplus') */
  beta: number;
}

export interface AccelerationFieldSpec extends HiddenLayers {
  /** n, the number of position coordinates (the state has 2n entries) */
  positionDim: number;
  etaDim: number;
  /** average over (q, v) ↦ (−q, −v) so that a is odd in the state */
  oddInState: boolean;
}

/** depth × [Linear(→ width), σ], then Linear(width → outputs), all with biases. */
export function hiddenLayersMlpSpec(h: HiddenLayers, inputs: number, outputs: number): MlpSpec {
  requirePositiveInteger('width', h.width);
  requirePositiveInteger('depth', h.depth);
  if (!HIDDEN_ACTIVATIONS.includes(h.activation)) {
    throw new ConfigError(`activation must be one of ${HIDDEN_ACTIVATIONS.join(', ')}, got '${String(h.activation)}'`);
  }
  const hidden: Activation = h.activation === 'tanh' ? { kind: 'tanh' } : { kind: 'softplus', beta: h.beta };
  const spec: MlpSpec = {
    sizes: [inputs, ...Array<number>(h.depth).fill(h.width), outputs],
    activations: [...Array<Activation>(h.depth).fill(hidden), { kind: 'identity' }],
    biases: Array<boolean>(h.depth + 1).fill(true),
  };
  validateMlpSpec(spec);
  return spec;
}

/**
 * Checks a state batch against the field's width and its per-row η (the shapes of a rollout are fixed, so a
 * mismatch is a configuration error, reported before tfjs fails inside a concat).
 */
export function requireStateShape(field: string, x: tf.Tensor2D, positionDim: number, etaRows: tf.Tensor2D): void {
  if (x.rank !== 2 || x.shape[1] !== 2 * positionDim) {
    throw new ConfigError(`${field}: state must be [rows, 2·positionDim = ${2 * positionDim}], got [${x.shape.join(', ')}]`);
  }
  if (x.shape[0] !== etaRows.shape[0]) {
    throw new ConfigError(`${field}: state has ${x.shape[0]} rows but etaRows has ${etaRows.shape[0]}`);
  }
}

/** Checks that every row carries a full η. */
export function requireEtaRows(field: string, etaRows: tf.Tensor2D, etaDim: number): void {
  if (etaRows.rank !== 2 || etaRows.shape[1] !== etaDim) {
    throw new ConfigError(`${field}: etaRows must be [rows, etaDim = ${etaDim}], got [${etaRows.shape.join(', ')}]`);
  }
}

/** Linear(2n + dη → width), …, Linear(width → n). */
export function accelerationMlpSpec(s: AccelerationFieldSpec): MlpSpec {
  requirePositiveInteger('positionDim', s.positionDim);
  requirePositiveInteger('etaDim', s.etaDim);
  return hiddenLayersMlpSpec(s, 2 * s.positionDim + s.etaDim, s.positionDim);
}

/** PyTorch-default initialised weights as the flat list the training code optimises (`mlpTensors` order). */
export function accelerationFieldParamsInit(s: AccelerationFieldSpec, rng: Rng): tf.Tensor[] {
  return mlpTensors(initMlp(accelerationMlpSpec(s), rng));
}

/**
 * u ↦ net([u, η]), or its odd part ½(net([u, η]) − net([R u, η])) under the diagonal reflection R = diag(reflection)
 * of the varying inputs u. Both orbit points go through the network in one pass over [u; R u] stacked along rows;
 * the stacked η is built once per field, not once per evaluation. u: [rows, k] -> [rows, out].
 */
export function etaConditionedNet(
  spec: MlpSpec,
  net: MlpParams,
  etaRows: tf.Tensor2D,
  reflection: readonly number[] | null,
): (u: tf.Tensor2D) => tf.Tensor2D {
  if (reflection === null) return (u) => mlpApply(spec, net, tf.concat([u, etaRows], 1) as tf.Tensor2D);
  const signs = tf.tensor2d([Array.from(reflection)], [1, reflection.length]);
  const etaTwice = tf.concat([etaRows, etaRows], 0) as tf.Tensor2D;
  return (u) => {
    const rows = u.shape[0];
    const both = mlpApply(spec, net, tf.concat([tf.concat([u, tf.mul(u, signs)], 0), etaTwice], 1) as tf.Tensor2D);
    const direct = tf.slice(both, [0, 0], [rows, -1]);
    const reflected = tf.slice(both, [rows, 0], [rows, -1]);
    return tf.mul(tf.sub(direct, reflected), 0.5) as tf.Tensor2D;
  };
}

function isTensorList(net: MlpParams | readonly tf.Tensor[]): net is readonly tf.Tensor[] {
  return Array.isArray(net);
}

/**
 * The first-order field on x = (q, v): ẋ = (v, a(q, v, η)). x: [rows, 2n] -> [rows, 2n].
 * `net` is the network's MlpParams or the flat tensor list of `accelerationFieldParamsInit` (what a FieldFactory
 * receives).
 */
export function accelerationVectorField(
  s: AccelerationFieldSpec,
  net: MlpParams | readonly tf.Tensor[],
  etaRows: tf.Tensor2D,
): TensorVectorField {
  const spec = accelerationMlpSpec(s);
  requireEtaRows('accelerationVectorField', etaRows, s.etaDim);
  const n = s.positionDim;
  const params = isTensorList(net) ? mlpFromTensors(spec, net) : net;
  const acceleration = etaConditionedNet(spec, params, etaRows, s.oddInState ? Array<number>(2 * n).fill(-1) : null);
  return (_t, x) => {
    requireStateShape('accelerationVectorField', x, n, etaRows);
    return tf.concat([tf.slice(x, [0, n], [-1, n]), acceleration(x)], 1) as tf.Tensor2D;
  };
}
