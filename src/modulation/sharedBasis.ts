/**
 * Modulations over SHARED rank-one bases (Paper B): layer ℓ of task k is
 *   h_ℓ = σ(h_{ℓ−1}(W_ℓ + Σ_{i≤r} c_i,k v_i u_iᵀ) + b_ℓ + s_ℓ,k) = σ(h_{ℓ−1}(W_ℓ + V diag(c_k) Uᵀ) + b_ℓ + s_ℓ,k),
 * with U = [u_i] ∈ ℝ^{out×r} and V = [v_i] ∈ ℝ^{in×r} meta-learned (shared by all tasks) and only c_k ∈ ℝ^r (plus the
 * shifts) from the hypernetwork: r + out outputs per layer.
 *   svd   (v2 "SVD-like(r)"): c = d = ReLU(raw), so the "singular values" are ≥ 0 by construction. ReLU as the
 *         paper's notes state (rather than softplus): raw = 0 gives d = 0 exactly, so z = 0 with a zero-bias
 *         hypernetwork is the unmodulated base net, as for every other kind. tfjs' ReLU'(0) = 0, so from z = 0 and
         φ₀ = 0 the values d receive gradient only once the codes have moved (the shifts move them).
 *   mr-v1 (v1 multi-rank, "weighted sums of learned basis vectors"): signed c = raw [INF: the sign is unknown; a
 *         signed weight is what an L1 penalty makes sparse], with the sparsity penalty Σ_ℓ ‖c_ℓ‖₁.
 * Both carry the orthonormality penalty Σ_ℓ ‖U_ℓᵀU_ℓ − I‖²_F + ‖V_ℓᵀV_ℓ − I‖²_F. The spec's notes write the
 * unsquared norm; it is squared here because the unsquared norm has no gradient at its minimum, orthonormal bases.
 * When a basis has more columns than rows (V of the input layer: in = 2 < r = 5) BᵀB − I cannot vanish; the penalty
 * then uses BBᵀ − I, which has the same nonzero eigenvalues σ_i² − 1 and so differs from the literal form only by
 * the constant |r − n| (same gradient), and is 0 exactly for orthonormal rows.
 *
 * Per row: h ΔW = ((h V) ⊙ c) Uᵀ and g ΔWᵀ = ((g U) ⊙ c) Vᵀ, plain 2-D matMuls with the shared bases
 * (modulation.ts `factoredModulation`).
 * Bases start orthonormal (QR of a Gaussian matrix) [INF: the paper's initialisation is unknown].
 */
import * as tf from '@tensorflow/tfjs';
import { qr } from 'mathjs';
import type { Rng } from '../core/rng';
import { type LayerShape, type ModulationMethod, type WeightModulationInput, factoredModulation, taskValuesToRows } from './modulation';
import { matMul } from '../nn/ops';

/** [n, r] with orthonormal columns (n ≥ r) or orthonormal rows (n < r). */
function randomOrthonormal(n: number, r: number, rng: Rng): tf.Tensor2D {
  const tall = n >= r;
  const [rows, cols] = tall ? [n, r] : [r, n];
  const gaussian = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal()));
  const q = (qr(gaussian).Q as number[][]).map((row) => row.slice(0, cols));
  const basis = tf.tensor2d(q);
  if (tall) return basis;
  const transposed = tf.transpose(basis) as tf.Tensor2D;
  basis.dispose();
  return transposed;
}

/** ‖BᵀB − I‖²_F, or ‖BBᵀ − I‖²_F when B: [n, r] has r > n (see the header). */
function gramDeviation(b: tf.Tensor2D): tf.Scalar {
  const [n, r] = b.shape;
  const gram = r <= n ? matMul(tf.transpose(b) as tf.Tensor2D, b) : matMul(b, tf.transpose(b) as tf.Tensor2D);
  return tf.sum(tf.square(tf.sub(gram, tf.eye(Math.min(n, r)))));
}

function sharedBasisMethod(coefficients: 'relu' | 'signed'): ModulationMethod {
  const method: ModulationMethod = {
    weightOutputs: (_layer, rank) => rank,
    sharedShapes: (layer: LayerShape, rank) => [
      [layer.outDim, rank],
      [layer.inDim, rank],
    ],
    initShared: (layer, rank, rng) => [randomOrthonormal(layer.outDim, rank, rng), randomOrthonormal(layer.inDim, rank, rng)],
    weightModulation: ({ weights, membership, shared }: WeightModulationInput) => factoredModulation(shared[1], shared[0], taskValuesToRows(weights[0], membership)),
    orthogonality: (shared) => tf.add(gramDeviation(shared[0]), gramDeviation(shared[1])) as tf.Scalar,
  };
  if (coefficients === 'relu') method.weightParameters = (raw) => tf.relu(raw);
  else method.sparsity = (weights) => tf.addN(weights.map((w) => tf.sum(tf.abs(w)))) as tf.Scalar;
  return method;
}

export const svdModulation = sharedBasisMethod('relu');
export const multiRankV1Modulation = sharedBasisMethod('signed');
