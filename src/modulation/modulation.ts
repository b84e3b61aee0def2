/**
 * Latent modulation of a scalar MLP (Paper B, arXiv 2508.11205, §3.2): the contract every modulation kind meets.
 *
 * Base MLP (rows are samples, W_ℓ: [in, out]): h_ℓ = σ_ℓ(h_{ℓ−1} W_ℓ + b_ℓ), H = h_L scalar. A task k carries a
 * latent code z_k ∈ ℝ^{dz}; a linear hypernetwork maps it to the modulation parameters of every modulated layer,
 *   m_k = z_k Φ + φ₀,
 * and each modulated layer becomes (the paper's σ((W + ΔW)h + b + s) written for row vectors)
 *   h_ℓ = σ_ℓ(h_{ℓ−1}(W_ℓ + ΔW_ℓ,k) + b_ℓ + s_ℓ,k),
 * where every kind carries the per-task bias shift s_ℓ,k ∈ ℝ^{out} and differs in ΔW_ℓ,k ∈ ℝ^{in×out}:
 *   shift    ΔW = 0                                      (Dupont et al. 2022)
 *   fw       ΔW = a full matrix from the hypernetwork    (CODA, Kirchmeyer et al. 2022)
 *   mr(r)    ΔW = Σ_{i≤r} v_i u_iᵀ, u_i ∈ ℝ^{out}, v_i ∈ ℝ^{in} from the hypernetwork;   ro = mr(1)
 *   svd(r)   ΔW = Σ_{i≤r} d_i v_i u_iᵀ with SHARED (meta-learned) bases u_i, v_i and per-task d = ReLU(·) ≥ 0
 *   mr-v1(r) the same with signed coefficients c_i and an L1 (sparsity) penalty on c (v1's multi-rank)
 * Modulated layers are all but the scalar output layer (spec §3.2 [INF]: an output shift moves H by a constant only).
 * One more kind is not Paper B's: 'input', iMODE's η concatenated to the input, a shift of the first layer only
 * (./inputConcatenation.ts); MODULATION_KINDS, the list Paper B's code iterates, holds Paper B's six alone.
 *
 * A kind supplies, for one layer, the per-row operators h ↦ h ΔW_r and g ↦ g ΔW_rᵀ; the second is what the analytic
 * backward pass for ∂H/∂x needs (modulatedInputGradient.ts), so no kind ever materialises a per-row weight matrix it
 * does not have to. Rows of a batch belong to tasks through a one-hot membership [rows, tasks] (a matMul, not a gather, whose
 * gradient the wasm backend lacks), or row i is task i.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, requirePositiveInteger } from '../core/errors';
import type { Rng } from '../core/rng';
import { type MlpSpec, validateMlpSpec } from '../nn/mlp';
import { matMul } from '../nn/ops';

/** Paper B's kinds of modulation */
export type PaperBModulationKind = 'shift' | 'fw' | 'ro' | 'mr' | 'svd' | 'mr-v1';
export const MODULATION_KINDS: readonly PaperBModulationKind[] = ['shift', 'fw', 'ro', 'mr', 'svd', 'mr-v1'];
/** Paper B's kinds and iMODE's input conditioning 'input' */
export type ModulationKind = PaperBModulationKind | 'input';

/** d_z = 10 [spec §1, SUM]. */
export const DEFAULT_LATENT_DIM = 10;
/** r = 5 for mr, svd and mr-v1 ("MR(5)", "SVD(5)") [spec §9.4]. */
export const DEFAULT_RANK = 5;

export interface ModulationSpec {
  /** scalar-output MLP; every layer but the last is modulated (kind 'input': the first only) */
  base: MlpSpec;
  kind: ModulationKind;
  /** r, the number of rank-one terms per layer: used by mr, svd and mr-v1, 1 for ro, ignored by shift, fw and input */
  rank: number;
  /** d_z */
  latentDim: number;
}

/** A validated spec; rank defaults to 1 for ro and DEFAULT_RANK otherwise, latentDim to DEFAULT_LATENT_DIM. */
export function modulationSpec(base: MlpSpec, kind: ModulationKind, options: { rank?: number; latentDim?: number } = {}): ModulationSpec {
  const spec: ModulationSpec = {
    base,
    kind,
    rank: options.rank ?? (kind === 'ro' ? 1 : DEFAULT_RANK),
    latentDim: options.latentDim ?? DEFAULT_LATENT_DIM,
  };
  validateModulationSpec(spec);
  return spec;
}

export function validateModulationSpec(s: ModulationSpec): void {
  if (s.kind !== 'input' && !MODULATION_KINDS.includes(s.kind)) {
    throw new ConfigError(`kind must be one of ${MODULATION_KINDS.map((k) => `'${k}'`).join(', ')}, got '${String(s.kind)}'`);
  }
  requirePositiveInteger('rank', s.rank);
  if (s.kind === 'ro' && s.rank !== 1) throw new ConfigError(`rank must be 1 for kind 'ro' (rank-one), got ${s.rank}; use kind 'mr' for rank ${s.rank}`);
  requirePositiveInteger('latentDim', s.latentDim);
  validateMlpSpec(s.base);
  const sizes = s.base.sizes;
  if (sizes.length < 3 || sizes[sizes.length - 1] !== 1) {
    throw new ConfigError(`base must be a scalar-output MLP with at least one hidden layer, got sizes [${sizes.join(', ')}]`);
  }
}

/** The shape of one linear layer, W: [inDim, outDim]. */
export interface LayerShape {
  inDim: number;
  outDim: number;
}

/** Per-row linear operators of one layer's weight modulation (row r uses its task's ΔW_r). */
export interface WeightModulation {
  /** h: [rows, in] -> h ΔW: [rows, out] */
  forward(h: tf.Tensor2D): tf.Tensor2D;
  /** g: [rows or 1, out] -> g ΔWᵀ: [rows, in] */
  transpose(g: tf.Tensor2D): tf.Tensor2D;
}

/** What a kind receives to build one layer's WeightModulation. */
export interface WeightModulationInput {
  /** the layer's weight parameters per task (after `weightParameters`), one [tasks, size] per `weightBlocks` entry */
  weights: readonly tf.Tensor2D[];
  /** one-hot [rows, tasks], or null when row i is task i */
  membership: tf.Tensor2D | null;
  /** the layer's shared tensors, in `sharedShapes` order */
  shared: readonly tf.Tensor2D[];
  layer: LayerShape;
  rank: number;
}

/** One modulation kind: its hypernetwork outputs, shared tensors and per-row operators, per modulated layer. */
export interface ModulationMethod {
  /** how many layers, from the input, carry a modulation (absent: every layer but the output layer) */
  modulatedLayers?: number;
  /** hypernetwork outputs for the layer's ΔW (the out bias shifts every kind also gets are not counted here) */
  weightOutputs(layer: LayerShape, rank: number): number;
  /**
   * how the layer's weight outputs split into consecutive column blocks handed over separately (default: one block).
   * Each block is its own product z Φ_block: on wasm a column slice of [tasks, P] costs about 20× the small Φ's.
   */
  weightBlocks?(layer: LayerShape, rank: number): number[];
  /** map from raw hypernetwork outputs to the kind's weight parameters (identity when absent): [tasks, k] -> [tasks, k] */
  weightParameters?(raw: tf.Tensor2D): tf.Tensor2D;
  /** shapes of the layer's shared (meta-learned, task-independent) tensors */
  sharedShapes(layer: LayerShape, rank: number): [number, number][];
  initShared(layer: LayerShape, rank: number, rng: Rng): tf.Tensor2D[];
  /** null when the kind leaves W alone */
  weightModulation(input: WeightModulationInput): WeightModulation | null;
  /** penalty on one layer's shared tensors (orthonormality of bases) */
  orthogonality?(shared: readonly tf.Tensor2D[]): tf.Scalar;
  /** penalty on one layer's weight parameters, summed over tasks (sparsity): blocks [tasks, k] -> scalar */
  sparsity?(weights: readonly tf.Tensor2D[]): tf.Scalar;
}

/** Per-task values as per-row values: membership · values, or the values themselves when row i is task i. */
export function taskValuesToRows(values: tf.Tensor2D, membership: tf.Tensor2D | null): tf.Tensor2D {
  return membership ? matMul(membership, values) : values;
}

/**
 * ΔW_r = V diag(c_r) Uᵀ for every row r, with factors V: [in, K] and U: [out, K] common to all rows and c: [rows, K]:
 *   h ΔW_r = ((h V) ⊙ c_r) Uᵀ,   g ΔW_rᵀ = ((g U) ⊙ c_r) Vᵀ,
 * two plain 2-D matMuls and a same-shape product per direction, the fastest shape on wasm (broadcasting and batched
 * products are several times slower there). svd uses it with its shared bases; mr with the factors of all tasks
 * stacked (K = tasks·r) and c = the membership repeated r times, so that each row sees only its own task's terms.
 */
export function factoredModulation(v: tf.Tensor2D, u: tf.Tensor2D, coefficients: tf.Tensor2D): WeightModulation {
  const uT = tf.transpose(u) as tf.Tensor2D;
  const vT = tf.transpose(v) as tf.Tensor2D;
  return {
    forward: (h) => matMul(tf.mul(matMul(h, v), coefficients) as tf.Tensor2D, uT),
    transpose: (g) => matMul(tf.mul(matMul(g, u), coefficients) as tf.Tensor2D, vT),
  };
}

/**
 * x_r A_r for every row r, as one batched matMul: x: [rows or 1, n], a: [rows, n, m] -> [rows, m]. A single row is
 * broadcast first: tfjs' batched-matMul gradient does not reduce a broadcast batch dimension.
 */
export function rowProduct(x: tf.Tensor2D, a: tf.Tensor3D): tf.Tensor2D {
  const [rows, n, m] = a.shape;
  const xRows = x.shape[0] === rows ? x : tf.broadcastTo(x, [rows, n]);
  return tf.reshape(tf.matMul(tf.reshape(xRows, [rows, 1, n]) as tf.Tensor3D, a), [rows, m]) as tf.Tensor2D;
}
