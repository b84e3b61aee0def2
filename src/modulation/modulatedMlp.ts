/**
 * A latent-modulated scalar MLP H(x; z) (Paper B §3.2) as parameters plus pure functions: the linear hypernetwork,
 * the kinds of modulation.ts, and the network conditioned on every row's latent code, whose H and analytic input
 * gradient ./modulatedInputGradient.ts evaluates for every row of a batch in one pass.
 *
 * Forward, for row r of task k(r) and every modulated layer ℓ (all but the output layer; kind 'input': the first only):
 *   a_ℓ = h_{ℓ−1} W_ℓ + h_{ℓ−1} ΔW_ℓ,k(r) + b_ℓ + s_ℓ,k(r),   h_ℓ = σ_ℓ(a_ℓ),   H = h_L (output layer unmodulated).
 *
 * A bias on the output layer only moves H by a constant: a loss on ∇H gives it no gradient, and tf.grads rejects a
 * tensor without a path to the loss, so HNN training leaves it out of the differentiated list (or out of the base).
 *
 * Rows carry latent codes either one per row, or per task through a one-hot membership [rows, tasks]
 * (`RowLatents`); each kind picks the cheaper evaluation for either (see its file). Everything that does not depend
 * on x (hypernetwork outputs, per-row shifts, transposes) is computed once by `conditionModulatedMlp` and reused by
 * every evaluation of a rollout.
 *
 * Hypernetwork: linear, m_k = z_k Φ + φ₀ ∈ ℝ^P, laid out layer by layer as [weight parameters ℓ | shifts ℓ].
 * Initialised Φ ~ U(±0.01/√d_z), φ₀ = 0 [spec §3.2, INF], so training starts near the unmodulated base net.
 * Parameter counts for the spec's base 2→100→100→100→1 (20,601) and d_z = 10: hypernetwork outputs Shift 300,
 * FW 20,500, RO 802, MR(5) 2,810, SVD(5) and MR-v1(5) 315 with 2,510 shared basis entries; hypernetwork parameters
 * (d_z + 1)·outputs; per task d_z (the latent code).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import { type Activation, type MlpParams, initMlp, mlpFromTensors, mlpTensors } from '../nn/mlp';
import { matMul } from '../nn/ops';
import { fullWeightModulation } from './fullWeight';
import { inputConcatenation } from './inputConcatenation';
import {
  type LayerShape,
  type ModulationKind,
  type ModulationMethod,
  type ModulationSpec,
  type WeightModulation,
  taskValuesToRows,
  validateModulationSpec,
} from './modulation';
import { multiRankModulation } from './multiRank';
import { multiRankV1Modulation, svdModulation } from './sharedBasis';
import { shiftModulation } from './shift';

const METHODS: Record<ModulationKind, ModulationMethod> = {
  shift: shiftModulation,
  fw: fullWeightModulation,
  ro: multiRankModulation,
  mr: multiRankModulation,
  svd: svdModulation,
  'mr-v1': multiRankV1Modulation,
  input: inputConcatenation,
};

export interface ModulatedMlpParams {
  base: MlpParams;
  /** Φ: [d_z, P] */
  hyperWeight: tf.Tensor2D;
  /** φ₀: [P] */
  hyperBias: tf.Tensor1D;
  /** per modulated layer, the kind's shared tensors (svd, mr-v1: [U_ℓ: [out, r], V_ℓ: [in, r]]; other kinds: []) */
  shared: tf.Tensor2D[][];
}

/** The latent code of every row: codes [tasks, d_z] and a one-hot membership [rows, tasks], or codes alone (row i is task i). */
export interface RowLatents {
  codes: tf.Tensor2D;
  membership?: tf.Tensor2D;
}

/** The layers that carry a modulation: every layer but the output layer, or the kind's first `modulatedLayers`. */
function modulatedLayers(spec: ModulationSpec): LayerShape[] {
  const sizes = spec.base.sizes;
  return sizes.slice(0, -2).map((inDim, l) => ({ inDim, outDim: sizes[l + 1] })).slice(0, METHODS[spec.kind].modulatedLayers);
}

/**
 * How the hypernetwork output m is laid out: per modulated layer, consecutive column blocks of its weight parameters
 * (the kind's `weightBlocks`, one block by default, none for shift) and then its out shifts.
 */
interface LayerColumns {
  weightBlocks: number[];
  shifts: number;
}

function hyperLayout(spec: ModulationSpec): { layers: LayerColumns[]; outputs: number } {
  const method = METHODS[spec.kind];
  const layers = modulatedLayers(spec).map((layer) => {
    const weightSize = method.weightOutputs(layer, spec.rank);
    const weightBlocks = weightSize === 0 ? [] : method.weightBlocks ? method.weightBlocks(layer, spec.rank) : [weightSize];
    return { weightBlocks, shifts: layer.outDim };
  });
  return { layers, outputs: layers.reduce((n, l) => n + l.weightBlocks.reduce((a, b) => a + b, 0) + l.shifts, 0) };
}

export function initModulatedMlp(spec: ModulationSpec, rng: Rng): ModulatedMlpParams {
  validateModulationSpec(spec);
  const base = initMlp(spec.base, rng);
  const { outputs } = hyperLayout(spec);
  const bound = 0.01 / Math.sqrt(spec.latentDim);
  const phi = new Float32Array(spec.latentDim * outputs);
  for (let i = 0; i < phi.length; i++) phi[i] = rng.uniformIn(-bound, bound);
  const method = METHODS[spec.kind];
  return {
    base,
    hyperWeight: tf.tensor2d(phi, [spec.latentDim, outputs]),
    hyperBias: tf.zeros([outputs]),
    shared: modulatedLayers(spec).map((layer) => method.initShared(layer, spec.rank, rng)),
  };
}

/** All trainable tensors in a fixed order: base (mlpTensors order), Φ, φ₀, shared tensors layer by layer. */
export function modulatedMlpTensors(p: ModulatedMlpParams): tf.Tensor[] {
  return [...mlpTensors(p.base), p.hyperWeight, p.hyperBias, ...p.shared.flat()];
}

/** Inverse of `modulatedMlpTensors`. */
export function modulatedMlpFromTensors(spec: ModulationSpec, tensors: readonly tf.Tensor[]): ModulatedMlpParams {
  const baseCount = spec.base.biases.filter(Boolean).length + spec.base.biases.length;
  const method = METHODS[spec.kind];
  let k = baseCount + 2;
  const shared = modulatedLayers(spec).map((layer) => {
    const count = method.sharedShapes(layer, spec.rank).length;
    k += count;
    return tensors.slice(k - count, k) as tf.Tensor2D[];
  });
  if (k !== tensors.length) throw new Error(`modulatedMlpFromTensors: expected ${k} tensors, got ${tensors.length}`);
  return {
    base: mlpFromTensors(spec.base, tensors.slice(0, baseCount)),
    hyperWeight: tensors[baseCount] as tf.Tensor2D,
    hyperBias: tensors[baseCount + 1] as tf.Tensor1D,
    shared,
  };
}

export function disposeModulatedMlp(p: ModulatedMlpParams): void {
  tf.dispose(modulatedMlpTensors(p));
}

/** One modulated layer's parameters per task: the kind's weight parameters (null for shift) and the bias shifts. */
export interface TaskModulation {
  /** [tasks, size] per block of the kind's `weightBlocks`, after the kind's map (svd: the singular values, ≥ 0) */
  weights: tf.Tensor2D[] | null;
  /** s_ℓ: [tasks, out] */
  shifts: tf.Tensor2D;
}

/** The modulation parameters of every modulated layer for latent codes z: [tasks, d_z]. */
export function taskModulations(spec: ModulationSpec, p: ModulatedMlpParams, codes: tf.Tensor2D): TaskModulation[] {
  if (codes.rank !== 2 || codes.shape[1] !== spec.latentDim) {
    throw new ConfigError(`latent codes must be [tasks, latentDim = ${spec.latentDim}], got [${codes.shape.join(', ')}]`);
  }
  const method = METHODS[spec.kind];
  const { layers } = hyperLayout(spec);
  // Every block of columns of m = z Φ + φ₀, in the layout's order, from the matching columns of Φ: slicing the small
  // Φ, rather than m ([tasks, P]), keeps large slices out of every training step, and one split of Φ and one of φ₀
  // take all blocks at once (on the tape two nodes, whose gradients are two concats, against a slice and a pad per
  // block, the pads then added).
  const sizes = layers.flatMap((l) => [...l.weightBlocks, l.shifts]);
  // A single block (kind 'input', or shift on one hidden layer) is Φ and φ₀ themselves: tfjs 4.22's gradient of a split
  // into one piece fails ("Pass at least one tensor to concat").
  const single = sizes.length === 1;
  const weightColumns = single ? [p.hyperWeight] : (tf.split(p.hyperWeight, sizes, 1) as tf.Tensor2D[]);
  const biasColumns = single ? [p.hyperBias] : tf.split(p.hyperBias, sizes, 0);
  // The products in the layout's order: the codes' gradient sums their contributions in (reverse) tape order.
  const blocks = weightColumns.map((w, k) => tf.add(matMul(codes, w), biasColumns[k]) as tf.Tensor2D);
  let k = 0;
  return layers.map((l) => {
    const raw = l.weightBlocks.map(() => blocks[k++]);
    const weights = raw.length === 0 ? null : raw.map((r) => (method.weightParameters ? method.weightParameters(r) : r));
    return { weights, shifts: blocks[k++] };
  });
}

interface ConditionedLayer {
  /** W_ℓ: [in, out] and its transpose */
  weight: tf.Tensor2D;
  weightT: tf.Tensor2D;
  /** b_ℓ + s_ℓ per row ([rows, out]), b_ℓ ([out]) on an unmodulated layer (the output layer), or null */
  offset: tf.Tensor | null;
  modulation: WeightModulation | null;
  activation: Activation;
}

/** The network with everything that does not depend on x computed once (reused by every stage of a rollout). */
export interface ConditionedModulatedMlp {
  layers: ConditionedLayer[];
  rows: number;
}

export function conditionModulatedMlp(spec: ModulationSpec, p: ModulatedMlpParams, latents: RowLatents): ConditionedModulatedMlp {
  const { codes } = latents;
  const membership = latents.membership ?? null;
  if (membership && (membership.rank !== 2 || membership.shape[1] !== codes.shape[0])) {
    throw new ConfigError(`latent membership must be [rows, tasks = ${codes.shape[0]}], got [${membership.shape.join(', ')}]`);
  }
  const method = METHODS[spec.kind];
  const shapes = modulatedLayers(spec);
  const perTask = taskModulations(spec, p, codes);
  const layers = p.base.weights.map((weight, l): ConditionedLayer => {
    const bias = p.base.biases[l];
    const common = { weight, weightT: tf.transpose(weight) as tf.Tensor2D, activation: spec.base.activations[l] };
    if (l >= shapes.length) return { ...common, offset: bias, modulation: null };
    const { weights, shifts } = perTask[l];
    const rowShifts = taskValuesToRows(shifts, membership);
    return {
      ...common,
      offset: bias ? tf.add(rowShifts, bias) : rowShifts,
      modulation: weights && method.weightModulation({ weights, membership, shared: p.shared[l], layer: shapes[l], rank: spec.rank }),
    };
  });
  return { layers, rows: membership ? membership.shape[0] : codes.shape[0] };
}

export interface ModulationParameterCounts {
  /** the base MLP's weights and biases */
  base: number;
  hypernetworkOutputs: number;
  /** Φ and φ₀: (d_z + 1)·outputs */
  hypernetwork: number;
  /** shared bases (svd, mr-v1) */
  shared: number;
  /** base + hypernetwork + shared: what the outer loop learns */
  metaLearned: number;
  /** the latent code z_k: d_z */
  perTask: number;
}

export function modulationParameterCounts(spec: ModulationSpec): ModulationParameterCounts {
  validateModulationSpec(spec);
  const sizes = spec.base.sizes;
  const base = sizes.slice(0, -1).reduce((s, n, l) => s + n * sizes[l + 1] + (spec.base.biases[l] ? sizes[l + 1] : 0), 0);
  const { outputs } = hyperLayout(spec);
  const hypernetwork = (spec.latentDim + 1) * outputs;
  const method = METHODS[spec.kind];
  const shared = modulatedLayers(spec)
    .flatMap((layer) => method.sharedShapes(layer, spec.rank))
    .reduce((s, [rows, cols]) => s + rows * cols, 0);
  return { base, hypernetworkOutputs: outputs, hypernetwork, shared, metaLearned: base + hypernetwork + shared, perTask: spec.latentDim };
}

/** Σ_ℓ ‖U_ℓᵀU_ℓ − I‖²_F + ‖V_ℓᵀV_ℓ − I‖²_F for svd and mr-v1 (sharedBasis.ts), 0 for the other kinds. */
export function orthogonalityPenalty(spec: ModulationSpec, p: ModulatedMlpParams): tf.Scalar {
  const { orthogonality } = METHODS[spec.kind];
  if (!orthogonality) return tf.scalar(0);
  return tf.addN(p.shared.map((shared) => orthogonality(shared))) as tf.Scalar;
}

/** Mean over the tasks of codes [tasks, d_z] of Σ_ℓ ‖c_ℓ‖₁ for mr-v1, 0 for the other kinds. */
export function sparsityPenalty(spec: ModulationSpec, p: ModulatedMlpParams, codes: tf.Tensor2D): tf.Scalar {
  const { sparsity } = METHODS[spec.kind];
  if (!sparsity) return tf.scalar(0);
  const perLayer = taskModulations(spec, p, codes).map(({ weights }) => sparsity(weights as tf.Tensor2D[]));
  return tf.div(tf.addN(perLayer), codes.shape[0]) as tf.Scalar;
}
