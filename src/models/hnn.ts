/**
 * Hamiltonian neural network vector field (Greydanus et al. 2019; Paper B §3.1): for a learned scalar H̃ on the state
 * x = (q, p) ∈ ℝ²ⁿ,
 *   ẋ = J ∇H̃(x),   J = [[0, I], [−I, 0]],   i.e. q̇ = ∂H̃/∂p,   ṗ = −∂H̃/∂q.
 * J is skew, so dH̃/dt = ∇H̃ᵀ J ∇H̃ = 0: the learned energy is conserved by the learned flow whatever the weights, and
 * the structure holds for every modulation of H̃. ∇H̃ comes from the analytic input gradient
 * (../modulation/modulatedInputGradient.ts), so a loss on ẋ needs only first-order autodiff (toolchain.md §6).
 *
 * In row convention ẋ_r = ∇H̃_r Jᵀ: one matMul with the constant Jᵀ, whose entries 0 and ±1 make it exact.
 *
 * `hnnLatentModel` and `hnnPlainModel` are the HNN as a field model (fieldModel.ts) for the meta-learners.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import {
  type ModulatedMlpParams,
  type RowLatents,
  conditionModulatedMlp,
  initModulatedMlp,
  modulatedMlpFromTensors,
  modulatedMlpTensors,
} from '../modulation/modulatedMlp';
import { modulatedValueAndInputGradient } from '../modulation/modulatedInputGradient';
import type { ModulationSpec } from '../modulation/modulation';
import { mlpValueAndInputGradient } from '../nn/inputGradient';
import { type MlpSpec, initMlp, mlpFromTensors, mlpTensors } from '../nn/mlp';
import type { TensorVectorField } from '../nn/odeint';
import { matMul } from '../nn/ops';
import type { LatentFieldModel, PlainFieldModel } from './fieldModel';

/** x: [rows, 2n] -> ∇H̃(x): [rows, 2n] */
export type EnergyGradient = (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * Lᵀ of the canonical Poisson matrix L = [[0, I, 0], [−I, 0, 0], [0, 0, 0]] on x = (q, p, rest) with n mechanical
 * degrees of freedom, [d, d] with d = stateDim ≥ 2n: Jᵀ = [[0, −I], [I, 0]] when d = 2n; the rows and columns of
 * the other coordinates (GENERIC's entropy variables) are zero.
 */
export function canonicalPoissonTranspose(n: number, stateDim = 2 * n): tf.Tensor2D {
  const d = stateDim;
  const values = new Float32Array(d * d);
  for (let i = 0; i < n; i++) {
    values[i * d + n + i] = -1; // row q_i, column ṗ_i: ṗ = −∂H/∂q
    values[(n + i) * d + i] = 1; // row p_i, column q̇_i: q̇ = ∂H/∂p
  }
  return tf.tensor2d(values, [d, d]);
}

/** ẋ = J∇H̃(x) for a state of 2n coordinates. */
export function hamiltonianVectorField(stateDim: number, gradient: EnergyGradient): TensorVectorField {
  if (!Number.isInteger(stateDim) || stateDim < 2 || stateDim % 2 !== 0) {
    throw new ConfigError(`stateDim must be an even integer ≥ 2 (x = (q, p)), got ${stateDim}`);
  }
  const jT = canonicalPoissonTranspose(stateDim / 2);
  return (_t, x) => matMul(gradient(x), jT);
}

/**
 * The HNN field of the modulated H̃(x; z): every row carries its own latent code (latents.codes per row, or per task
 * with latents.membership). The network is conditioned on the codes once, for all later evaluations.
 * x: [rows, 2n] -> ẋ: [rows, 2n]
 */
export function modulatedHamiltonianField(spec: ModulationSpec, params: ModulatedMlpParams, latents: RowLatents): TensorVectorField {
  const net = conditionModulatedMlp(spec, params, latents);
  return hamiltonianVectorField(spec.base.sizes[0], (x) => modulatedValueAndInputGradient(net, x).inputGradient);
}

/** The HNN with a latent-modulated H̃ as a field model (Algorithm 1 and 2); its parameters are the modulated MLP's. */
export function hnnLatentModel(spec: ModulationSpec): LatentFieldModel<ModulatedMlpParams> {
  const energy = (p: ModulatedMlpParams, latents: RowLatents) => (x: tf.Tensor2D) => modulatedValueAndInputGradient(conditionModulatedMlp(spec, p, latents), x).value;
  return {
    spec,
    init: (rng) => initModulatedMlp(spec, rng),
    tensors: modulatedMlpTensors,
    fromTensors: (tensors) => modulatedMlpFromTensors(spec, tensors),
    energyNet: (p) => p,
    hyperTensors: (p) => [p.hyperWeight, p.hyperBias],
    field: (p, latents) => modulatedHamiltonianField(spec, p, latents),
    energy,
  };
}

/** The HNN with a plain MLP H̃_θ as a field model (Scratch, MAML, ANIL, Reptile); ANIL adapts the output layer's weight. */
export function hnnPlainModel(spec: MlpSpec): PlainFieldModel {
  const net = (theta: readonly tf.Tensor[]) => mlpFromTensors(spec, theta);
  const tensorCount = spec.sizes.length - 1 + spec.biases.filter(Boolean).length;
  return {
    spec,
    tensorCount,
    init: (rng) => mlpTensors(initMlp(spec, rng)),
    field: (theta) => hamiltonianVectorField(spec.sizes[0], (x) => mlpValueAndInputGradient(spec, net(theta), x).inputGradient),
    energy: (theta) => (x) => mlpValueAndInputGradient(spec, net(theta), x).value,
    headIndices: () => [spec.sizes.length - 2],
  };
}
