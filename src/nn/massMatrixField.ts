/**
 * A mass-matrix-aware iMODE field for mechanical systems with a configuration-dependent inertia, such as the double
 * pendulum M(θ) θ̈ = Q(θ, ω) (src/systems/doublePendulum.ts). On the state x = (θ, ω) ∈ ℝ⁴ (n = 2 angles):
 *
 *   θ̇ = ω,   ω̇ = M_net(θ, η)⁻¹ Q_net(θ, ω, η),
 *
 *   M_net = L Lᵀ + ε I,   L = [[softplus(o₁), 0], [o₂, softplus(o₃)]],   o = mass_net([cos(θ₁ − θ₂), η]),
 *   Q_net = force_net([sin θ, cos θ, ω, η])                                                     (plain), or
 *   Q_net = ½ (force_net([sin θ, cos θ, ω, η]) − force_net([−sin θ, cos θ, −ω, η]))            (oddInState).
 *
 * Why this form:
 * - M = L Lᵀ + εI is symmetric with smallest eigenvalue ≥ ε = massFloor for any weights, so the solve is always
 *   defined and ‖M⁻¹‖ ≤ 1/ε bounds how far an untrained network can blow up a rollout. The softplus diagonal makes L
 *   the Cholesky factor of M − εI, one factor per matrix, rather than leaving the network a sign ambiguity.
 * - Like the true M (which depends on cos Δ, Δ = θ₁ − θ₂), M_net sees the configuration only through cos Δ: it is
 *   invariant under θ ↦ θ + c and even under θ ↦ −θ by construction.
 * - Angles enter force_net through sin and cos because the dynamics are 2π-periodic in each angle. The reflection
 *   (θ, ω) ↦ (−θ, −ω) acts on those features as (sin θ, cos θ, ω) ↦ (−sin θ, cos θ, −ω); the orbit average makes
 *   Q_net(−θ, −ω) = −Q_net(θ, ω), which the true Q satisfies. With M even, the whole field is then odd in x.
 * - The 2×2 solve is Cramer's rule, det M = m₁₁m₂₂ − m₁₂² ≥ ε² > 0:
 *     ω̇₁ = (m₂₂ Q₁ − m₁₂ Q₂) / det,   ω̇₂ = (m₁₁ Q₂ − m₁₂ Q₁) / det.
 *
 * Parameters are one flat list, the mass network's tensors then the force network's (`mlpTensors` order each), as
 * the training code's FieldFactory takes them. Only n = 2 is implemented (the closed-form solve is 2×2).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import {
  type HiddenLayers,
  etaConditionedNet,
  hiddenLayersMlpSpec,
  requireEtaRows,
  requirePositiveInteger,
  requireStateShape,
} from './accelerationField';
import { type MlpParams, type MlpSpec, initMlp, mlpApply, mlpFromTensors, mlpTensors } from './mlp';
import type { TensorVectorField } from './odeint';

export interface MassMatrixFieldSpec extends HiddenLayers {
  /** number of angles; only 2 is implemented */
  positionDim: 2;
  etaDim: number;
  /** average Q_net over (θ, ω) ↦ (−θ, −ω) so that it is odd in the state */
  oddInState: boolean;
  /** ε > 0 in M = L Lᵀ + εI: the smallest eigenvalue M can have */
  massFloor: number;
}

/** Reflection (θ, ω) ↦ (−θ, −ω) on the force network's features (sin θ₁, sin θ₂, cos θ₁, cos θ₂, ω₁, ω₂). */
const FORCE_FEATURE_REFLECTION = [-1, -1, 1, 1, -1, -1] as const;

/** The two networks: mass [cos Δ, η] → (o₁, o₂, o₃) and force [sin θ, cos θ, ω, η] → Q. */
export function massMatrixMlpSpecs(s: MassMatrixFieldSpec): { mass: MlpSpec; force: MlpSpec } {
  if (s.positionDim !== 2) throw new ConfigError(`positionDim must be 2 (the mass-matrix field solves 2×2 systems), got ${s.positionDim}`);
  requirePositiveInteger('etaDim', s.etaDim);
  if (!(s.massFloor > 0)) throw new ConfigError(`massFloor must be > 0, got ${s.massFloor}`);
  return {
    mass: hiddenLayersMlpSpec(s, 1 + s.etaDim, 3),
    force: hiddenLayersMlpSpec(s, FORCE_FEATURE_REFLECTION.length + s.etaDim, 2),
  };
}

function tensorCount(spec: MlpSpec): number {
  return spec.biases.length + spec.biases.filter(Boolean).length;
}

/** PyTorch-default initialised weights, mass network's tensors then the force network's. */
export function massMatrixFieldParamsInit(s: MassMatrixFieldSpec, rng: Rng): tf.Tensor[] {
  const specs = massMatrixMlpSpecs(s);
  return [...mlpTensors(initMlp(specs.mass, rng)), ...mlpTensors(initMlp(specs.force, rng))];
}

function splitParams(specs: { mass: MlpSpec; force: MlpSpec }, params: readonly tf.Tensor[]): { mass: MlpParams; force: MlpParams } {
  const massCount = tensorCount(specs.mass);
  const forceCount = tensorCount(specs.force);
  if (params.length !== massCount + forceCount) {
    throw new ConfigError(`params: expected ${massCount} mass-network then ${forceCount} force-network tensors, got ${params.length}`);
  }
  return { mass: mlpFromTensors(specs.mass, params.slice(0, massCount)), force: mlpFromTensors(specs.force, params.slice(massCount)) };
}

/** The distinct entries of M = L Lᵀ + εI, each [rows, 1]. θ: [rows, 2] */
function massEntries(s: MassMatrixFieldSpec, spec: MlpSpec, net: MlpParams, theta: tf.Tensor2D, etaRows: tf.Tensor2D) {
  const cosDelta = tf.cos(tf.sub(tf.slice(theta, [0, 0], [-1, 1]), tf.slice(theta, [0, 1], [-1, 1])));
  const o = mlpApply(spec, net, tf.concat([cosDelta, etaRows], 1) as tf.Tensor2D);
  const l11 = tf.softplus(tf.slice(o, [0, 0], [-1, 1]));
  const l21 = tf.slice(o, [0, 1], [-1, 1]);
  const l22 = tf.softplus(tf.slice(o, [0, 2], [-1, 1]));
  return {
    m11: tf.add(tf.square(l11), s.massFloor) as tf.Tensor2D,
    m12: tf.mul(l11, l21) as tf.Tensor2D,
    m22: tf.add(tf.add(tf.square(l21), tf.square(l22)), s.massFloor) as tf.Tensor2D,
  };
}

/** M(θ, η) = L Lᵀ + εI. q: [rows, 2] angles, etaRows: [rows, dη] -> [rows, 2, 2] */
export function massMatrix(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], q: tf.Tensor2D, etaRows: tf.Tensor2D): tf.Tensor3D {
  const specs = massMatrixMlpSpecs(s);
  requireEtaRows('massMatrix', etaRows, s.etaDim);
  if (q.rank !== 2 || q.shape[1] !== 2 || q.shape[0] !== etaRows.shape[0]) {
    throw new ConfigError(`massMatrix: q must be [rows = ${etaRows.shape[0]}, positionDim = 2], got [${q.shape.join(', ')}]`);
  }
  const { m11, m12, m22 } = massEntries(s, specs.mass, splitParams(specs, params).mass, q, etaRows);
  return tf.reshape(tf.concat([m11, m12, m12, m22], 1), [-1, 2, 2]) as tf.Tensor3D;
}

/** The first-order field on x = (θ, ω): ẋ = (ω, M_net⁻¹ Q_net). x: [rows, 4] -> [rows, 4] */
export function massMatrixVectorField(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], etaRows: tf.Tensor2D): TensorVectorField {
  const specs = massMatrixMlpSpecs(s);
  requireEtaRows('massMatrixVectorField', etaRows, s.etaDim);
  const nets = splitParams(specs, params);
  const force = etaConditionedNet(specs.force, nets.force, etaRows, s.oddInState ? FORCE_FEATURE_REFLECTION : null);
  return (_t, x) => {
    requireStateShape('massMatrixVectorField', x, 2, etaRows);
    const theta = tf.slice(x, [0, 0], [-1, 2]) as tf.Tensor2D;
    const omega = tf.slice(x, [0, 2], [-1, 2]) as tf.Tensor2D;
    const { m11, m12, m22 } = massEntries(s, specs.mass, nets.mass, theta, etaRows);
    const Q = force(tf.concat([tf.sin(theta), tf.cos(theta), omega], 1) as tf.Tensor2D);
    const q1 = tf.slice(Q, [0, 0], [-1, 1]);
    const q2 = tf.slice(Q, [0, 1], [-1, 1]);
    const det = tf.sub(tf.mul(m11, m22), tf.square(m12));
    const a1 = tf.div(tf.sub(tf.mul(m22, q1), tf.mul(m12, q2)), det);
    const a2 = tf.div(tf.sub(tf.mul(m11, q2), tf.mul(m12, q1)), det);
    return tf.concat([omega, a1, a2], 1) as tf.Tensor2D;
  };
}
