/**
 * GENERIC neural network (Paper B §2.2, §3.1; the ζ form of GNODE, Lee et al. 2021, as in GFINNs' `gnode_MNN`):
 *
 *   ẋ = L∇Ẽ(x) + M̃(x)∇S̃(x)   on x = (q, p, s): n mechanical degrees of freedom, then the entropy variables s.
 *
 *   L      the canonical Poisson matrix [[0, I, 0], [−I, 0, 0], [0, 0, 0]] (spec §2.2, Assumption 1): skew.
 *   S̃(x)  = Σ_i s_i, the known entropy (spec §9.8 "known S = entropy variable(s)"; DNO S, TGC S1 + S2). ∇S̃ is 0 on
 *          (q, p) because S̃ depends on the entropy variables only, and L is 0 on s: L∇S̃ = 0 exactly.
 *   Ẽ      the energy network (a plain or latent-modulated tanh MLP with its analytic input gradient).
 *   M̃     M̃_{αμ} = ζ_{αβ,μν} ∂Ẽ/∂x_β ∂Ẽ/∂x_ν with ζ_{αβ,μν} = Σ_{m,n} Λ^m_{αβ} D_{mn} Λ^n_{μν} (spec §2.2),
 *          Λ^m = (Λ̃^m − Λ̃^mᵀ)/2 (K skew d × d matrices, K = d as in the reference code) and D = D̃D̃ᵀ. With the
 *          vectors u^m = Λ^m∇Ẽ as the columns of U (d × K):
 *            M̃ = U D Uᵀ = CᵀC with C = D̃ᵀUᵀ (K × d): a Gram matrix, symmetric positive semi-definite;
 *            M̃∇Ẽ = U D (Uᵀ∇Ẽ) = 0, since (Uᵀ∇Ẽ)_m = ∇Ẽᵀ Λ^m ∇Ẽ = 0 for a skew Λ^m.
 *          Hence, along the model's own flow, dẼ/dt = ∇Ẽ·L∇Ẽ + (M̃∇Ẽ)·∇S̃ = 0 (first law) and
 *          dS̃/dt = ∇S̃·L∇Ẽ + ∇S̃ᵀM̃∇S̃ = ‖C∇S̃‖² ≥ 0 (second law), whatever the weights: both hold by construction
 *          and, in float32, to round-off.
 *
 * Per task (latent models, spec §3.1 [INF]): D̃^(k) = D̃_base + reshape(tanh(z_k Φ_D + φ_D), [K, K]), a second
 * linear hypernetwork head on the same latent code, so that the damping can vary between instances (DNO's γ, TGC's
 * α): with a shared ζ it could not. Λ̃ is shared by all instances. Ẽ is modulated by any kind of modulation.ts.
 * The tanh is ours: without it the field is quadratic in D̃, so the loss is quartic in z, and Algorithm 1's plain
 * SGD steps on z diverge once z grows (measured on TGC, whose fields are ~40× DNO's: |z| reached 7e7, then ∞); every
 * other path from z to ẋ already passes through a tanh of the energy network.
 *
 * Evaluation for rows r (training path, all plain 2-D/3-D element-wise ops, no batched matMul): with G = ∇Ẽ [rows, d],
 *   Uᵀ[r] = reshape(G A, [K, d]),  A[β, (m, α)] = Λ^m_{αβ};
 *   w = Uᵀ∇S̃ [rows, K];  y = D̃ᵀw;  v = D̃y;  M̃∇S̃ = U v.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import {
  type ModulatedMlpParams,
  type RowLatents,
  conditionModulatedMlp,
  initModulatedMlp,
  modulatedMlpFromTensors,
  modulatedMlpTensors,
} from '../modulation/modulatedMlp';
import { modulatedValueAndInputGradient } from '../modulation/modulatedInputGradient';
import { type ModulationSpec, taskValuesToRows } from '../modulation/modulation';
import { mlpValueAndInputGradient } from '../nn/inputGradient';
import { type MlpSpec, initMlp, mlpFromTensors, mlpTensors } from '../nn/mlp';
import type { TensorVectorField } from '../nn/odeint';
import { matMul } from '../nn/ops';
import type { LatentFieldModel, PlainFieldModel, TensorGenericParts } from './fieldModel';
import { canonicalPoissonTranspose } from './hnn';

/** Which coordinates of x are entropy variables: the last `entropyVariables` of `stateDim`; the rest are (q, p). */
export interface GenericLayout {
  stateDim: number;
  entropyVariables: number;
}

export function validateGenericLayout(l: GenericLayout): { mechanicalDof: number } {
  const mechanical = l.stateDim - l.entropyVariables;
  if (!Number.isInteger(l.entropyVariables) || l.entropyVariables < 1 || !Number.isInteger(l.stateDim) || mechanical < 2 || mechanical % 2 !== 0) {
    throw new ConfigError(`a GENERIC state is (q, p, s) with n ≥ 1 degrees of freedom and ≥ 1 entropy variable; got stateDim ${l.stateDim}, entropyVariables ${l.entropyVariables}`);
  }
  return { mechanicalDof: mechanical / 2 };
}

/** ∇S̃ of S̃(x) = Σ s_i: 0 on (q, p), 1 on every entropy variable; [1, d] (broadcast over rows). */
export function entropyGradient(l: GenericLayout): tf.Tensor2D {
  const g = new Float32Array(l.stateDim);
  g.fill(1, l.stateDim - l.entropyVariables);
  return tf.tensor2d(g, [1, l.stateDim]);
}

/** S̃(x) = Σ s_i: x [rows, d] -> [rows, 1] */
export function entropyValue(l: GenericLayout, x: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.slice(x, [0, l.stateDim - l.entropyVariables], [-1, -1]), 1, true) as tf.Tensor2D;
}

/** The friction head ζ: Λ̃ [K, d, d] (skew part used) and D̃ per row [rows, K, K] or shared [1, K, K]. */
export interface FrictionHead {
  lambdaRaw: tf.Tensor3D;
  dTilde: tf.Tensor3D;
}

/** A[β, m·d + α] = Λ^m_{αβ}, Λ^m = (Λ̃^m − Λ̃^mᵀ)/2: [d, K·d] */
function lambdaMatrix(lambdaRaw: tf.Tensor3D): tf.Tensor2D {
  const [k, d] = lambdaRaw.shape;
  const skew = tf.mul(tf.sub(lambdaRaw, tf.transpose(lambdaRaw, [0, 2, 1])), 0.5);
  return tf.reshape(tf.transpose(skew, [2, 0, 1]), [d, k * d]) as tf.Tensor2D;
}

/** Uᵀ per row: u^m_α = (Λ^m ∇Ẽ)_α, gradE [rows, d] -> [rows, K, d] */
function frictionVectors(gradE: tf.Tensor2D, lambdaRaw: tf.Tensor3D): tf.Tensor3D {
  const [k, d] = lambdaRaw.shape;
  return tf.reshape(matMul(gradE, lambdaMatrix(lambdaRaw)), [-1, k, d]) as tf.Tensor3D;
}

/** M̃∇S̃ = U D̃ D̃ᵀ Uᵀ ∇S̃ for every row: gradE [rows, d], gradS [rows or 1, d] -> [rows, d] */
export function frictionTimes(gradE: tf.Tensor2D, gradS: tf.Tensor2D, head: FrictionHead): tf.Tensor2D {
  const uT = frictionVectors(gradE, head.lambdaRaw);
  const w = tf.sum(tf.mul(uT, tf.expandDims(gradS, 1)), 2); // Uᵀ∇S̃: [rows, K]
  const y = tf.sum(tf.mul(head.dTilde, tf.expandDims(w, 2)), 1); // D̃ᵀw
  const v = tf.sum(tf.mul(head.dTilde, tf.expandDims(y, 1)), 2); // D̃y
  return tf.sum(tf.mul(uT, tf.expandDims(v, 2)), 1) as tf.Tensor2D; // U v
}

/** M̃ = CᵀC, C = D̃ᵀUᵀ, for every row (structure checks; not on the training path): [rows, d, d] */
export function frictionMatrices(gradE: tf.Tensor2D, head: FrictionHead): tf.Tensor3D {
  const uT = frictionVectors(gradE, head.lambdaRaw);
  const rows = uT.shape[0];
  const dTilde = head.dTilde.shape[0] === rows ? head.dTilde : tf.tile(head.dTilde, [rows, 1, 1]);
  const c = tf.matMul(dTilde, uT, true, false) as tf.Tensor3D;
  return tf.matMul(c, c, true, false) as tf.Tensor3D;
}

/** ẋ = L∇Ẽ + M̃∇S̃ and its pieces, given ∇Ẽ at x. */
function genericPieces(layout: GenericLayout, gradE: tf.Tensor2D, head: FrictionHead): TensorGenericParts {
  const { mechanicalDof } = validateGenericLayout(layout);
  const lT = canonicalPoissonTranspose(mechanicalDof, layout.stateDim);
  const gradS = entropyGradient(layout);
  const xdot = tf.add(matMul(gradE, lT), frictionTimes(gradE, gradS, head)) as tf.Tensor2D;
  const rows = gradE.shape[0];
  return { gradE, gradS: tf.tile(gradS, [rows, 1]) as tf.Tensor2D, L: tf.transpose(lT) as tf.Tensor2D, M: frictionMatrices(gradE, head), xdot };
}

/** The GENERIC field ẋ = L∇Ẽ + M̃∇S̃ for an energy gradient x ↦ ∇Ẽ(x) and a friction head. */
export function genericVectorField(layout: GenericLayout, gradient: (x: tf.Tensor2D) => tf.Tensor2D, head: FrictionHead): TensorVectorField {
  const { mechanicalDof } = validateGenericLayout(layout);
  const lT = canonicalPoissonTranspose(mechanicalDof, layout.stateDim);
  const gradS = entropyGradient(layout);
  return (_t, x) => {
    const g = gradient(x);
    return tf.add(matMul(g, lT), frictionTimes(g, gradS, head)) as tf.Tensor2D;
  };
}

/** Λ̃ ~ U(±1/√d) [K, d, d] and D̃ ~ U(±1/√K) [K, K], K = d [INF: the reference code draws them at random too]. */
function initFrictionHead(d: number, rng: Rng): { lambdaRaw: tf.Tensor3D; dTilde: tf.Tensor2D } {
  const draw = (n: number, bound: number) => Float32Array.from({ length: n }, () => rng.uniformIn(-bound, bound));
  return { lambdaRaw: tf.tensor3d(draw(d * d * d, 1 / Math.sqrt(d)), [d, d, d]), dTilde: tf.tensor2d(draw(d * d, 1 / Math.sqrt(d)), [d, d]) };
}

/** The latent GENERIC model's parameters: the modulated Ẽ, the shared Λ̃ and D̃_base, and the D̃ hypernetwork head. */
export interface GenericLatentParams {
  energy: ModulatedMlpParams;
  /** Λ̃: [K, d, d] */
  lambdaRaw: tf.Tensor3D;
  /** D̃_base: [K, K] */
  dBase: tf.Tensor2D;
  /** Φ_D: [d_z, K²] */
  dHyperWeight: tf.Tensor2D;
  /** φ_D: [K²] */
  dHyperBias: tf.Tensor1D;
}

/** D̃ of every row: D̃_base + reshape(tanh(z_k Φ_D + φ_D)) of the row's task: [rows, K, K] */
function rowDTilde(p: GenericLatentParams, latents: RowLatents): tf.Tensor3D {
  const k = p.dBase.shape[0];
  const perTask = tf.tanh(tf.add(matMul(latents.codes, p.dHyperWeight), p.dHyperBias)) as tf.Tensor2D;
  const rows = tf.add(taskValuesToRows(perTask, latents.membership ?? null), tf.reshape(p.dBase, [1, k * k]));
  return tf.reshape(rows, [-1, k, k]) as tf.Tensor3D;
}

/**
 * The GENERIC network with a latent-modulated Ẽ(x; z) and per-task D̃^(k) as a field model (Algorithm 1 and 2).
 * Hypernetwork init for Φ_D as for the modulations (U(±0.01/√d_z), φ_D = 0), so that training starts at D̃_base.
 */
export function genericLatentModel(spec: ModulationSpec, layout: GenericLayout): LatentFieldModel<GenericLatentParams> {
  validateGenericLayout(layout);
  if (spec.base.sizes[0] !== layout.stateDim) throw new ConfigError(`the energy network takes ${spec.base.sizes[0]} inputs but the state has ${layout.stateDim}`);
  const d = layout.stateDim;
  const net = (p: GenericLatentParams, latents: RowLatents) => conditionModulatedMlp(spec, p.energy, latents);
  const head = (p: GenericLatentParams, latents: RowLatents): FrictionHead => ({ lambdaRaw: p.lambdaRaw, dTilde: rowDTilde(p, latents) });
  return {
    spec,
    init(rng) {
      const energy = initModulatedMlp(spec, rng);
      const { lambdaRaw, dTilde } = initFrictionHead(d, rng);
      const bound = 0.01 / Math.sqrt(spec.latentDim);
      const phi = Float32Array.from({ length: spec.latentDim * d * d }, () => rng.uniformIn(-bound, bound));
      return { energy, lambdaRaw, dBase: dTilde, dHyperWeight: tf.tensor2d(phi, [spec.latentDim, d * d]), dHyperBias: tf.zeros([d * d]) };
    },
    tensors: (p) => [...modulatedMlpTensors(p.energy), p.lambdaRaw, p.dBase, p.dHyperWeight, p.dHyperBias],
    fromTensors(tensors) {
      const n = tensors.length - 4;
      return {
        energy: modulatedMlpFromTensors(spec, tensors.slice(0, n)),
        lambdaRaw: tensors[n] as tf.Tensor3D,
        dBase: tensors[n + 1] as tf.Tensor2D,
        dHyperWeight: tensors[n + 2] as tf.Tensor2D,
        dHyperBias: tensors[n + 3] as tf.Tensor1D,
      };
    },
    energyNet: (p) => p.energy,
    hyperTensors: (p) => [p.energy.hyperWeight, p.energy.hyperBias, p.dHyperWeight, p.dHyperBias],
    field(p, latents) {
      const m = net(p, latents);
      return genericVectorField(layout, (x) => modulatedValueAndInputGradient(m, x).inputGradient, head(p, latents));
    },
    energy: (p, latents) => (x) => modulatedValueAndInputGradient(net(p, latents), x).value,
    parts: (p, latents) => (x) => genericPieces(layout, modulatedValueAndInputGradient(net(p, latents), x).inputGradient, head(p, latents)),
  };
}

/**
 * The GENERIC network with a plain Ẽ_θ as a field model (Scratch, MAML, ANIL, Reptile): θ = (Ẽ's tensors, Λ̃, D̃).
 * ANIL adapts the heads of both parts: Ẽ's output weight and D̃ (the friction strengths) [INF].
 */
export function genericPlainModel(spec: MlpSpec, layout: GenericLayout): PlainFieldModel {
  validateGenericLayout(layout);
  if (spec.sizes[0] !== layout.stateDim) throw new ConfigError(`the energy network takes ${spec.sizes[0]} inputs but the state has ${layout.stateDim}`);
  const netCount = spec.sizes.length - 1 + spec.biases.filter(Boolean).length;
  const net = (theta: readonly tf.Tensor[]) => mlpFromTensors(spec, theta.slice(0, netCount));
  const head = (theta: readonly tf.Tensor[]): FrictionHead => ({ lambdaRaw: theta[netCount] as tf.Tensor3D, dTilde: tf.expandDims(theta[netCount + 1], 0) as tf.Tensor3D });
  const gradient = (theta: readonly tf.Tensor[]) => (x: tf.Tensor2D) => mlpValueAndInputGradient(spec, net(theta), x).inputGradient;
  return {
    spec,
    tensorCount: netCount + 2,
    init(rng) {
      const energy = mlpTensors(initMlp(spec, rng));
      const { lambdaRaw, dTilde } = initFrictionHead(layout.stateDim, rng);
      return [...energy, lambdaRaw, dTilde];
    },
    field: (theta) => genericVectorField(layout, gradient(theta), head(theta)),
    energy: (theta) => (x) => mlpValueAndInputGradient(spec, net(theta), x).value,
    headIndices: () => [spec.sizes.length - 2, netCount + 1],
    parts: (theta) => (x) => genericPieces(layout, gradient(theta)(x), head(theta)),
  };
}
