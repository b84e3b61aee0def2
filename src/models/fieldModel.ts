/**
 * A field model: how a parameter set (and, for the latent methods, a latent code per row) becomes a vector field
 * ẋ = f(x), and what the model's own energy is. The meta-learners of Paper B (../meta/latentModulation.ts,
 * ../meta/gradientBaselines.ts) and the benchmark protocol (../experiments/paperBHamiltonian.ts) see only this, so the
 * Hamiltonian networks (hnn.ts: ẋ = J∇H̃) and the GENERIC networks (generic.ts: ẋ = L∇Ẽ + M̃∇S̃) share every line
 * of meta-learning, adaptation and evaluation.
 *
 * Both families are built on one scalar energy network (H̃ or Ẽ) whose input gradient is analytic (../nn/mlp.ts,
 * ../modulation/modulatedMlp.ts), plus, for GENERIC, a few "head" tensors (the friction tensor ζ) after the
 * network's own.
 *
 * Why models/ is a layer of its own, between modulation/ and meta/: a field model turns the modulated MLP
 * (../modulation/modulatedMlp.ts) or the plain one (../nn/mlp.ts) into a structured vector field, so it sits above
 * modulation/, which is itself built on nn/'s MLP; kept in nn/, these files imported up the layers. meta/, which
 * trains field models, and the benchmarks and experiments, which evaluate them, sit above.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng';
import type { ModulatedMlpParams, RowLatents } from '../modulation/modulatedMlp';
import type { ModulationSpec } from '../modulation/modulation';
import type { MlpSpec } from '../nn/mlp';
import type { TensorVectorField } from '../nn/odeint';

/** x: [rows, d] -> the model's energy (H̃ or Ẽ): [rows, 1] */
export type TensorEnergy = (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * The GENERIC pieces of a learned field at rows x (structure checks): ∇Ẽ, ∇S̃ [rows, d], the Poisson matrix L
 * [d, d] (state independent), the friction matrices M̃ [rows, d, d] and ẋ = L∇Ẽ + M̃∇S̃ [rows, d].
 */
export interface TensorGenericParts {
  gradE: tf.Tensor2D;
  gradS: tf.Tensor2D;
  L: tf.Tensor2D;
  M: tf.Tensor3D;
  xdot: tf.Tensor2D;
}

/** A latent-modulated field model (Algorithm 1 and 2): parameters P, a latent code per row. */
export interface LatentFieldModel<P> {
  /** the modulated energy network: latent size, modulation kind, base MLP */
  readonly spec: ModulationSpec;
  init(rng: Rng): P;
  /** every trainable tensor in a fixed order; the energy network's (modulatedMlpTensors order) come first */
  tensors(p: P): tf.Tensor[];
  fromTensors(tensors: readonly tf.Tensor[]): P;
  /** the modulated energy network inside p (the orthogonality and sparsity penalties act on it) */
  energyNet(p: P): ModulatedMlpParams;
  /** the hypernetwork tensors under the locality penalty λ_φ‖φ‖, in a fixed order */
  hyperTensors(p: P): tf.Tensor[];
  field(p: P, latents: RowLatents): TensorVectorField;
  energy(p: P, latents: RowLatents): TensorEnergy;
  /** GENERIC models only */
  parts?(p: P, latents: RowLatents): (x: tf.Tensor2D) => TensorGenericParts;
}

/** A field model with plain parameters θ (a flat tensor list; Scratch, MAML, ANIL, Reptile). */
export interface PlainFieldModel {
  /** the energy network; its tensors (mlpTensors order) come first in θ */
  readonly spec: MlpSpec;
  /** the length of θ */
  readonly tensorCount: number;
  init(rng: Rng): tf.Tensor[];
  field(theta: readonly tf.Tensor[]): TensorVectorField;
  energy(theta: readonly tf.Tensor[]): TensorEnergy;
  /** the indices of θ that ANIL adapts (its "last layer") */
  headIndices(): number[];
  /** GENERIC models only */
  parts?(theta: readonly tf.Tensor[]): (x: tf.Tensor2D) => TensorGenericParts;
}
