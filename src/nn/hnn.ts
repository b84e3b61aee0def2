/**
 * Hamiltonian neural network vector field (Greydanus et al. 2019; Paper B §3.1): for a learned scalar H̃ on the state
 * x = (q, p) ∈ ℝ²ⁿ,
 *   ẋ = J ∇H̃(x),   J = [[0, I], [−I, 0]],   i.e. q̇ = ∂H̃/∂p,   ṗ = −∂H̃/∂q.
 * J is skew, so dH̃/dt = ∇H̃ᵀ J ∇H̃ = 0: the learned energy is conserved by the learned flow whatever the weights, and
 * the structure holds for every modulation of H̃. ∇H̃ comes from the analytic input gradient (modulatedMlp.ts), so a
 * loss on ẋ needs only first-order autodiff (toolchain.md §6).
 *
 * In row convention ẋ_r = ∇H̃_r Jᵀ: one matMul with the constant Jᵀ, whose entries 0 and ±1 make it exact.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import { type ModulatedMlpParams, type RowLatents, conditionModulatedMlp, modulatedValueAndInputGradient } from '../modulation/modulatedMlp';
import type { ModulationSpec } from '../modulation/modulation';
import type { TensorVectorField } from './odeint';
import { matMul } from './ops';

/** x: [rows, 2n] -> ∇H̃(x): [rows, 2n] */
export type EnergyGradient = (x: tf.Tensor2D) => tf.Tensor2D;

/** Jᵀ = [[0, −I], [I, 0]] for n degrees of freedom: [2n, 2n]. */
function symplecticTranspose(n: number): tf.Tensor2D {
  const values = new Float32Array(4 * n * n);
  for (let i = 0; i < n; i++) {
    values[i * 2 * n + n + i] = -1; // row q_i, column ṗ_i: ṗ = −∂H/∂q
    values[(n + i) * 2 * n + i] = 1; // row p_i, column q̇_i: q̇ = ∂H/∂p
  }
  return tf.tensor2d(values, [2 * n, 2 * n]);
}

/** ẋ = J∇H̃(x) for a state of 2n coordinates. */
export function hamiltonianVectorField(stateDim: number, gradient: EnergyGradient): TensorVectorField {
  if (!Number.isInteger(stateDim) || stateDim < 2 || stateDim % 2 !== 0) {
    throw new ConfigError(`stateDim must be an even integer ≥ 2 (x = (q, p)), got ${stateDim}`);
  }
  const jT = symplecticTranspose(stateDim / 2);
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
