/**
 * A mass-matrix-aware iMODE field for mechanical systems with a configuration-dependent inertia, such as the double
 * pendulum M(θ) θ̈ = Q(θ, ω) (src/systems/doublePendulum.ts). On the state x = (θ, ω) ∈ ℝ⁴ (n = 2 angles):
 *
 *   θ̇ = ω,   ω̇ = M_net(θ, η)⁻¹ Q_net(θ, ω, η),
 *
 *   M_net = L Lᵀ + ε I,   L = [[softplus(o₁), 0], [o₂, softplus(o₃)]],   o = mass_net([cos(θ₁ − θ₂), η]),
 * and the generalised force Q_net is one of two things (`forceModel`):
 *   'general':     Q_net = force_net([sin θ, cos θ, ω, η])                                         (plain), or
 *                  Q_net = ½ (force_net([sin θ, cos θ, ω, η]) − force_net([−sin θ, cos θ, −ω, η]))  (oddInState);
 *   'lagrangian':  Q_net = −∇_θ V_net − Ṁ ω + ½ [ωᵀ (∂M/∂θ_i) ω]_i,   V_net = potential_net([cos θ₁, cos θ₂, sin θ₁ sin θ₂, η]),
 *                  the Euler–Lagrange equations of L = ½ ωᵀ M_net ω − V_net. With M a function of Δ = θ₁ − θ₂,
 *                  ∂M/∂θ₁ = −∂M/∂θ₂ = M' = dM/dΔ and Ṁ = M' (ω₁ − ω₂), so
 *                    Q_net = −∇_θ V_net − (ω₁ − ω₂) M' ω + ½ (ωᵀ M' ω) (1, −1).
 *                  The energy ½ ωᵀ M_net ω + V_net is then conserved exactly by the flow, for any weights.
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
 * - 'lagrangian' is the double pendulum's own structure (its M depends on cos Δ, its V on cos θ₁, cos θ₂), so the
 *   network has only M(Δ, η) and V(θ, η) to learn, not the velocity-dependent Coriolis terms. The potential's inputs
 *   (cos θ₁, cos θ₂, sin θ₁ sin θ₂) generate every 2π-periodic function even under θ ↦ −θ, so V_net is even, ∇V odd
 *   and, M' being odd in Δ, the field is odd in x without averaging. M' comes from the mass network's forward-mode
 *   derivative in its cos Δ input (mlpValueAndInputTangent) times −sin Δ, ∇V from the analytic input gradient.
 * - The 2×2 solve is Cramer's rule, det M = m₁₁m₂₂ − m₁₂² ≥ ε² > 0:
 *     ω̇₁ = (m₂₂ Q₁ − m₁₂ Q₂) / det,   ω̇₂ = (m₁₁ Q₂ − m₁₂ Q₁) / det.
 *
 * How η enters (`etaConditioning`):
 *   'input':          η is concatenated to each network's input, as above (the iMODE paper's way).
 *   'outputWeights':  the networks see the configuration only, and their readouts are networks of η:
 *                       o = h_m(cos Δ) W(η) + b(η),   V = h_V(cos θ₁, cos θ₂, sin θ₁ sin θ₂) · w(η),
 *                     h_m, h_V the hidden layers of the mass and potential networks, (W, b) and w the outputs of two
 *                     MLPs of η. This is the form of the double pendulum's own Lagrangian, whose entries are
 *                     products of a function of the lengths and a function of the configuration: with unit masses
 *                     M = [[2l₁², l₁l₂ cos Δ], [l₁l₂ cos Δ, l₂²]], so L₁₁ = √2 l₁, L₂₁ = l₂ cos Δ / √2,
 *                     L₂₂ = l₂ (1 − cos² Δ / 2)^½, and V = −g (2 l₁ cos θ₁ + l₂ cos θ₂). A network fed [x, η] has to
 *                     build such products from its activations' curvature. M' needs only h_m's tangent, ∇V is the
 *                     backward pass started at w (conditionOutputWeights), so both stay analytic. The readouts are
 *                     divided by √width: a readout network's PyTorch-initialised output has a spread of about
 *                     √(width / 3) · σ(h) times an output layer's initial weights, so without it M and V would start
 *                     several times larger than with 'input', and their gradients with them.
 *
 * Parameters are one flat list, the mass network's tensors then the force network's (`mlpTensors` order each), then
 * with 'outputWeights' the mass readout network's and the potential readout network's, as the training code's
 * FieldFactory takes them. Only n = 2 is implemented (the closed-form solve is 2×2).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, requirePositiveInteger } from '../core/errors';
import type { Rng } from '../core/rng';
import {
  type HiddenLayers,
  etaConditionedNet,
  hiddenLayersMlpSpec,
  requireEtaRows,
  requireStateShape,
} from './accelerationField';
import {
  type MlpParams,
  type MlpSpec,
  initMlp,
  mlpApply,
  mlpFromTensors,
  mlpTensors,
  mlpValueAndInputTangent,
} from './mlp';
import { type ConditionedMlp, conditionMlp, conditionOutputWeights, conditionedValue } from './conditionedMlp';
import { conditionedInputGradient } from './inputGradient';
import type { TensorVectorField } from './odeint';

export interface MassMatrixFieldSpec extends HiddenLayers {
  /** number of angles; only 2 is implemented */
  positionDim: 2;
  etaDim: number;
  /** average Q_net over (θ, ω) ↦ (−θ, −ω) so that it is odd in the state (forceModel 'general'; a 'lagrangian' field is odd by construction) */
  oddInState: boolean;
  /** ε > 0 in M = L Lᵀ + εI: the smallest eigenvalue M can have */
  massFloor: number;
  /** Q_net from a general force network, or from the Euler–Lagrange equations of a learned potential */
  forceModel: 'general' | 'lagrangian';
  /**
   * How η enters: 'input' (absent: the same) concatenates it to each network's input; 'outputWeights' ('lagrangian'
   * only) makes each network's readout a network of η, so o and V are sums of learned functions of the configuration
   * with η-dependent coefficients (see the module comment).
   */
  etaConditioning?: 'input' | 'outputWeights';
}

/** Reflection (θ, ω) ↦ (−θ, −ω) on the force network's features (sin θ₁, sin θ₂, cos θ₁, cos θ₂, ω₁, ω₂). */
const FORCE_FEATURE_REFLECTION = [-1, -1, 1, 1, -1, -1] as const;

/** Inputs of the potential network besides η: cos θ₁, cos θ₂, sin θ₁ sin θ₂. */
const POTENTIAL_FEATURES = 3;

export interface MassMatrixMlpSpecs {
  mass: MlpSpec;
  force: MlpSpec;
  /**
   * 'outputWeights': the readout networks, η → (W, b) of the mass network, [width · 3 + 3] (W row-major
   * [width, 3]), and η → w of the potential network, [width]; null with 'input'
   */
  readouts: Readouts<MlpSpec> | null;
}

interface Readouts<T> {
  mass: T;
  potential: T;
}

/**
 * The networks: mass [cos Δ, η] → (o₁, o₂, o₃), and `force`, which is force [sin θ, cos θ, ω, η] → Q ('general')
 * or potential [cos θ₁, cos θ₂, sin θ₁ sin θ₂, η] → V ('lagrangian', no output bias). With 'outputWeights' the mass
 * and potential networks are their hidden layers alone, on the configuration features, and two readout networks
 * take η.
 */
export function massMatrixMlpSpecs(s: MassMatrixFieldSpec): MassMatrixMlpSpecs {
  if (s.positionDim !== 2) throw new ConfigError(`positionDim must be 2 (the mass-matrix field solves 2×2 systems), got ${s.positionDim}`);
  requirePositiveInteger('etaDim', s.etaDim);
  if (!(s.massFloor > 0)) throw new ConfigError(`massFloor must be > 0, got ${s.massFloor}`);
  if (s.forceModel !== 'general' && s.forceModel !== 'lagrangian') throw new ConfigError(`forceModel must be 'general' or 'lagrangian', got '${String(s.forceModel)}'`);
  const conditioning = s.etaConditioning ?? 'input';
  if (conditioning !== 'input' && conditioning !== 'outputWeights') throw new ConfigError(`etaConditioning must be 'input' or 'outputWeights', got '${String(conditioning)}'`);
  if (conditioning === 'outputWeights') {
    if (s.forceModel !== 'lagrangian') throw new ConfigError("etaConditioning 'outputWeights' needs forceModel 'lagrangian' (its readouts are those of M and V)");
    return {
      mass: hiddenLayersOf(hiddenLayersMlpSpec(s, 1, 3)),
      force: hiddenLayersOf(hiddenLayersMlpSpec(s, POTENTIAL_FEATURES, 1)),
      readouts: { mass: hiddenLayersMlpSpec(s, s.etaDim, 3 * (s.width + 1)), potential: hiddenLayersMlpSpec(s, s.etaDim, s.width) },
    };
  }
  return {
    mass: hiddenLayersMlpSpec(s, 1 + s.etaDim, 3),
    force: s.forceModel === 'general' ? hiddenLayersMlpSpec(s, FORCE_FEATURE_REFLECTION.length + s.etaDim, 2) : potentialSpec(s),
    readouts: null,
  };
}

/** The potential network, without an output bias: a constant in V changes no force and would get no gradient. */
function potentialSpec(s: MassMatrixFieldSpec): MlpSpec {
  const spec = hiddenLayersMlpSpec(s, POTENTIAL_FEATURES + s.etaDim, 1);
  return { ...spec, biases: [...spec.biases.slice(0, -1), false] };
}

/** The spec without its (identity) output layer: input → the last hidden layer. */
function hiddenLayersOf(spec: MlpSpec): MlpSpec {
  return { sizes: spec.sizes.slice(0, -1), activations: spec.activations.slice(0, -1), biases: spec.biases.slice(0, -1) };
}

function tensorCount(spec: MlpSpec): number {
  return spec.biases.length + spec.biases.filter(Boolean).length;
}

const readoutSpecs = (specs: MassMatrixMlpSpecs): MlpSpec[] => (specs.readouts ? [specs.readouts.mass, specs.readouts.potential] : []);

/** PyTorch-default initialised weights: the mass network's tensors, the force network's, then the readouts'. */
export function massMatrixFieldParamsInit(s: MassMatrixFieldSpec, rng: Rng): tf.Tensor[] {
  const specs = massMatrixMlpSpecs(s);
  return [specs.mass, specs.force, ...readoutSpecs(specs)].flatMap((spec) => mlpTensors(initMlp(spec, rng)));
}

interface MassMatrixNets {
  mass: MlpParams;
  force: MlpParams;
  /** with 'outputWeights', else null */
  readouts: Readouts<MlpParams> | null;
}

function splitParams(specs: MassMatrixMlpSpecs, params: readonly tf.Tensor[]): MassMatrixNets {
  const all = [specs.mass, specs.force, ...readoutSpecs(specs)];
  const counts = all.map(tensorCount);
  const expected = counts.reduce((a, b) => a + b, 0);
  if (params.length !== expected) {
    const names = ['mass-network', 'force-network', 'mass-readout', 'potential-readout'];
    throw new ConfigError(`params: expected ${counts.map((c, i) => `${c} ${names[i]}`).join(' then ')} tensors, got ${params.length}`);
  }
  let k = 0;
  const nets = all.map((spec, i) => {
    const net = mlpFromTensors(spec, params.slice(k, k + counts[i]));
    k += counts[i];
    return net;
  });
  return { mass: nets[0], force: nets[1], readouts: nets.length === 4 ? { mass: nets[2], potential: nets[3] } : null };
}

interface MassEntries {
  m11: tf.Tensor2D;
  m12: tf.Tensor2D;
  m22: tf.Tensor2D;
}

const column = (t: tf.Tensor2D, j: number) => tf.slice(t, [0, j], [-1, 1]) as tf.Tensor2D;
const angleDifference = (theta: tf.Tensor2D) => tf.sub(column(theta, 0), column(theta, 1)) as tf.Tensor2D;

/** M = L Lᵀ + εI from the mass network's outputs o: [rows, 3]; entries [rows, 1]. */
function massFromOutputs(s: MassMatrixFieldSpec, o: tf.Tensor2D): MassEntries & { l11: tf.Tensor2D; l21: tf.Tensor2D; l22: tf.Tensor2D } {
  const l11 = tf.softplus(column(o, 0));
  const l21 = column(o, 1);
  const l22 = tf.softplus(column(o, 2));
  return {
    l11,
    l21,
    l22,
    m11: tf.add(tf.square(l11), s.massFloor) as tf.Tensor2D,
    m12: tf.mul(l11, l21) as tf.Tensor2D,
    m22: tf.add(tf.add(tf.square(l21), tf.square(l22)), s.massFloor) as tf.Tensor2D,
  };
}

/** The mass network's outputs o and do/d cos Δ as functions of cos Δ: [rows, 1] → [rows, 3], for fixed rows of η. */
interface ConditionedMass {
  outputs: (cosDelta: tf.Tensor2D) => tf.Tensor2D;
  outputsAndTangent: (cosDelta: tf.Tensor2D) => { value: tf.Tensor2D; tangent: tf.Tensor2D };
}

/** Built once per field: with 'outputWeights' the readout o = h W(η) + b(η), do/d cos Δ = ḣ W(η), from one evaluation of the readout network. */
function conditionMass(specs: MassMatrixMlpSpecs, nets: MassMatrixNets, etaRows: tf.Tensor2D): ConditionedMass {
  if (!specs.readouts || !nets.readouts) {
    const input = (cosDelta: tf.Tensor2D) => tf.concat([cosDelta, etaRows], 1) as tf.Tensor2D;
    return {
      outputs: (cosDelta) => mlpApply(specs.mass, nets.mass, input(cosDelta)),
      outputsAndTangent: (cosDelta) => mlpValueAndInputTangent(specs.mass, nets.mass, input(cosDelta), 0),
    };
  }
  const rows = etaRows.shape[0];
  const width = specs.mass.sizes[specs.mass.sizes.length - 1];
  const readout = tf.mul(mlpApply(specs.readouts.mass, nets.readouts.mass, etaRows), 1 / Math.sqrt(width)) as tf.Tensor2D;
  const weights = tf.reshape(tf.slice(readout, [0, 0], [-1, 3 * width]), [rows, width, 3]) as tf.Tensor3D;
  const bias = tf.slice(readout, [0, 3 * width], [-1, 3]) as tf.Tensor2D;
  const read = (h: tf.Tensor2D) => tf.reshape(tf.matMul(tf.reshape(h, [rows, 1, width]) as tf.Tensor3D, weights), [rows, 3]) as tf.Tensor2D;
  return {
    outputs: (cosDelta) => tf.add(read(mlpApply(specs.mass, nets.mass, cosDelta)), bias) as tf.Tensor2D,
    outputsAndTangent: (cosDelta) => {
      const { value, tangent } = mlpValueAndInputTangent(specs.mass, nets.mass, cosDelta, 0);
      return { value: tf.add(read(value), bias) as tf.Tensor2D, tangent: read(tangent) };
    },
  };
}

/** The potential network for fixed rows of η, as a conditioned scalar network (value and analytic input gradient). */
function conditionPotential(specs: MassMatrixMlpSpecs, nets: MassMatrixNets, etaRows: tf.Tensor2D): ConditionedMlp {
  if (!specs.readouts || !nets.readouts) return conditionMlp(specs.force, nets.force, etaRows);
  const width = specs.force.sizes[specs.force.sizes.length - 1];
  return conditionOutputWeights(specs.force, nets.force, tf.mul(mlpApply(specs.readouts.potential, nets.readouts.potential, etaRows), 1 / Math.sqrt(width)) as tf.Tensor2D);
}

/** The distinct entries of M = L Lᵀ + εI, each [rows, 1]. θ: [rows, 2] */
function massEntries(s: MassMatrixFieldSpec, mass: ConditionedMass, theta: tf.Tensor2D): MassEntries {
  return massFromOutputs(s, mass.outputs(tf.cos(angleDifference(theta)) as tf.Tensor2D));
}

/**
 * M's entries and their derivatives in Δ: dM/dΔ = (dM/do)(do/d cos Δ)(−sin Δ), with softplus' = sigmoid and
 *   dm₁₁ = 2 l₁₁ l₁₁',   dm₁₂ = l₁₁' l₂₁ + l₁₁ l₂₁',   dm₂₂ = 2 l₂₁ l₂₁' + 2 l₂₂ l₂₂'.
 */
function massEntriesAndDerivative(s: MassMatrixFieldSpec, mass: ConditionedMass, theta: tf.Tensor2D): { m: MassEntries; dm: MassEntries } {
  const delta = angleDifference(theta);
  const { value: o, tangent } = mass.outputsAndTangent(tf.cos(delta) as tf.Tensor2D);
  const dO = tf.mul(tangent, tf.neg(tf.sin(delta))) as tf.Tensor2D;
  const m = massFromOutputs(s, o);
  const dl11 = tf.mul(tf.sigmoid(column(o, 0)), column(dO, 0));
  const dl21 = column(dO, 1);
  const dl22 = tf.mul(tf.sigmoid(column(o, 2)), column(dO, 2));
  return {
    m,
    dm: {
      m11: tf.mul(tf.mul(m.l11, dl11), 2) as tf.Tensor2D,
      m12: tf.add(tf.mul(dl11, m.l21), tf.mul(m.l11, dl21)) as tf.Tensor2D,
      m22: tf.mul(tf.add(tf.mul(m.l21, dl21), tf.mul(m.l22, dl22)), 2) as tf.Tensor2D,
    },
  };
}

/** The potential network's inputs (cos θ₁, cos θ₂, sin θ₁ sin θ₂) with sin θ and cos θ, for the chain rule. */
function potentialFeatures(theta: tf.Tensor2D) {
  const sin = tf.sin(theta) as tf.Tensor2D;
  const cos = tf.cos(theta) as tf.Tensor2D;
  const product = tf.mul(column(sin, 0), column(sin, 1)) as tf.Tensor2D;
  return { sin, cos, features: tf.concat([cos, product], 1) as tf.Tensor2D };
}

/**
 * ∇_θ V for V = f(cos θ₁, cos θ₂, sin θ₁ sin θ₂) with g = ∂f/∂(features):
 *   ∂V/∂θ₁ = −sin θ₁ g₁ + cos θ₁ sin θ₂ g₃,   ∂V/∂θ₂ = −sin θ₂ g₂ + sin θ₁ cos θ₂ g₃.   [rows, 1] each
 */
function potentialGradient(potential: ConditionedMlp, theta: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const { sin, cos, features } = potentialFeatures(theta);
  const g = conditionedInputGradient(potential, features);
  const [s1, s2, c1, c2] = [column(sin, 0), column(sin, 1), column(cos, 0), column(cos, 1)];
  const g3 = column(g, 2);
  return [
    tf.add(tf.neg(tf.mul(s1, column(g, 0))), tf.mul(tf.mul(c1, s2), g3)) as tf.Tensor2D,
    tf.add(tf.neg(tf.mul(s2, column(g, 1))), tf.mul(tf.mul(s1, c2), g3)) as tf.Tensor2D,
  ];
}

/** M and Q_net at (θ, ω), each entry [rows, 1]; built once per field, evaluated at every stage. */
type MassAndForce = (theta: tf.Tensor2D, omega: tf.Tensor2D) => { m: MassEntries; q1: tf.Tensor2D; q2: tf.Tensor2D };

/** 'general': Q_net from the force network (orbit-averaged with oddInState). */
function generalMassAndForce(s: MassMatrixFieldSpec, specs: MassMatrixMlpSpecs, nets: MassMatrixNets, etaRows: tf.Tensor2D): MassAndForce {
  const force = etaConditionedNet(specs.force, nets.force, etaRows, s.oddInState ? FORCE_FEATURE_REFLECTION : null);
  const mass = conditionMass(specs, nets, etaRows);
  return (theta, omega) => {
    const Q = force(tf.concat([tf.sin(theta), tf.cos(theta), omega], 1) as tf.Tensor2D);
    return { m: massEntries(s, mass, theta), q1: column(Q, 0), q2: column(Q, 1) };
  };
}

/** 'lagrangian': Q_net = −∇V − (ω₁ − ω₂) M' ω + ½ (ωᵀ M' ω) (1, −1). */
function lagrangianMassAndForce(s: MassMatrixFieldSpec, specs: MassMatrixMlpSpecs, nets: MassMatrixNets, etaRows: tf.Tensor2D): MassAndForce {
  const potential = conditionPotential(specs, nets, etaRows);
  const mass = conditionMass(specs, nets, etaRows);
  return (theta, omega) => {
    const { m, dm } = massEntriesAndDerivative(s, mass, theta);
    const [w1, w2] = [column(omega, 0), column(omega, 1)];
    const p1 = tf.add(tf.mul(dm.m11, w1), tf.mul(dm.m12, w2));
    const p2 = tf.add(tf.mul(dm.m12, w1), tf.mul(dm.m22, w2));
    const halfCurvature = tf.mul(tf.add(tf.mul(w1, p1), tf.mul(w2, p2)), 0.5);
    const relative = tf.sub(w1, w2);
    const [dV1, dV2] = potentialGradient(potential, theta);
    return {
      m,
      q1: tf.add(tf.neg(tf.add(dV1, tf.mul(relative, p1))), halfCurvature) as tf.Tensor2D,
      q2: tf.sub(tf.neg(tf.add(dV2, tf.mul(relative, p2))), halfCurvature) as tf.Tensor2D,
    };
  };
}

/** M(θ, η) = L Lᵀ + εI. q: [rows, 2] angles, etaRows: [rows, dη] -> [rows, 2, 2] */
export function massMatrix(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], q: tf.Tensor2D, etaRows: tf.Tensor2D): tf.Tensor3D {
  const specs = massMatrixMlpSpecs(s);
  requireEtaRows('massMatrix', etaRows, s.etaDim);
  if (q.rank !== 2 || q.shape[1] !== 2 || q.shape[0] !== etaRows.shape[0]) {
    throw new ConfigError(`massMatrix: q must be [rows = ${etaRows.shape[0]}, positionDim = 2], got [${q.shape.join(', ')}]`);
  }
  const { m11, m12, m22 } = massEntries(s, conditionMass(specs, splitParams(specs, params), etaRows), q);
  return tf.reshape(tf.concat([m11, m12, m12, m22], 1), [-1, 2, 2]) as tf.Tensor3D;
}

/**
 * The energy ½ ωᵀ M_net ω + V_net of a 'lagrangian' field, which its flow conserves. x: [rows, 4] -> [rows, 1]
 */
export function massMatrixEnergy(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], x: tf.Tensor2D, etaRows: tf.Tensor2D): tf.Tensor2D {
  if (s.forceModel !== 'lagrangian') throw new ConfigError(`massMatrixEnergy: only a 'lagrangian' field has an energy, got forceModel '${s.forceModel}'`);
  const specs = massMatrixMlpSpecs(s);
  requireEtaRows('massMatrixEnergy', etaRows, s.etaDim);
  requireStateShape('massMatrixEnergy', x, 2, etaRows);
  const nets = splitParams(specs, params);
  const theta = tf.slice(x, [0, 0], [-1, 2]) as tf.Tensor2D;
  const [w1, w2] = [column(x, 2), column(x, 3)];
  const { m11, m12, m22 } = massEntries(s, conditionMass(specs, nets, etaRows), theta);
  const kinetic = tf.mul(tf.add(tf.add(tf.mul(m11, tf.square(w1)), tf.mul(tf.mul(m12, tf.mul(w1, w2)), 2)), tf.mul(m22, tf.square(w2))), 0.5);
  const potential = conditionedValue(conditionPotential(specs, nets, etaRows), potentialFeatures(theta).features);
  return tf.add(kinetic, potential) as tf.Tensor2D;
}

/** The first-order field on x = (θ, ω): ẋ = (ω, M_net⁻¹ Q_net). x: [rows, 4] -> [rows, 4] */
export function massMatrixVectorField(s: MassMatrixFieldSpec, params: readonly tf.Tensor[], etaRows: tf.Tensor2D): TensorVectorField {
  const specs = massMatrixMlpSpecs(s);
  requireEtaRows('massMatrixVectorField', etaRows, s.etaDim);
  const nets = splitParams(specs, params);
  const massAndForce = (s.forceModel === 'lagrangian' ? lagrangianMassAndForce : generalMassAndForce)(s, specs, nets, etaRows);
  return (_t, x) => {
    requireStateShape('massMatrixVectorField', x, 2, etaRows);
    const theta = tf.slice(x, [0, 0], [-1, 2]) as tf.Tensor2D;
    const omega = tf.slice(x, [0, 2], [-1, 2]) as tf.Tensor2D;
    const {
      m: { m11, m12, m22 },
      q1,
      q2,
    } = massAndForce(theta, omega);
    const det = tf.sub(tf.mul(m11, m22), tf.square(m12));
    const a1 = tf.div(tf.sub(tf.mul(m22, q1), tf.mul(m12, q2)), det);
    const a2 = tf.div(tf.sub(tf.mul(m11, q2), tf.mul(m12, q1)), det);
    return tf.concat([omega, a1, a2], 1) as tf.Tensor2D;
  };
}
