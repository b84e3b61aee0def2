/**
 * Multi-rank modulation MR(r) (Paper B v2) and its r = 1 case, rank-one RO (Paper B v1): layer ℓ of task k is
 *   h_ℓ = σ(h_{ℓ−1}(W_ℓ + (1/r) Σ_{i≤r} v_i u_iᵀ) + b_ℓ + s_ℓ,k),   u_i ∈ ℝ^{out}, v_i ∈ ℝ^{in}, all per task,
 * i.e. the paper's W + U Vᵀ with U ∈ ℝ^{out×r}, V ∈ ℝ^{in×r}, written for row vectors. The hypernetwork emits
 * [u_1 … u_r, v_1 … v_r] = r·(out + in) numbers per layer (plus the out shifts).
 *
 * Why 1/r (our choice; the paper states no scaling): the factors are both linear in z and trained with Adam, whose
 * steps have a fixed size whatever the gradient, so the r rank-one terms grow together and ‖ΔW‖ grows ∝ r. Without
 * the factor, MR(5) saturated its tanh layers within the default scale's 200 iterations on the pendulum (training loss
 * stuck near 30, RO reached 2.3) and auto-decoding then started at a zero field with zero gradient. This is LoRA's α/r
 * (Hu et al. 2021, §4.1), which they introduced so that the learning rate need not be retuned when r changes.
 * RO (r = 1) is unchanged.
 *
 * Nothing of size in×out is formed. Rows grouped into tasks by a membership M use the factors of all tasks stacked,
 * V_all = [V_1 … V_K], U_all = [U_1 … U_K], with coefficients M ⊗ 1_r selecting the row's own task:
 *   h ΔW_{k(r)} = ((h V_all) ⊙ (M ⊗ 1_r)_r) U_allᵀ          (plain 2-D matMuls, modulation.ts `factoredModulation`),
 * tasks·r·(in + out) work per row, cheap for the few tasks of a meta-batch. With a code per row, the per-row
 * products h ΔW_r = (h V_r) U_rᵀ and g ΔW_rᵀ = (g U_r) V_rᵀ run as batched matMuls.
 */
import * as tf from '@tensorflow/tfjs';
import { type ModulationMethod, type WeightModulationInput, factoredModulation, rowProduct } from './modulation';

export const multiRankModulation: ModulationMethod = {
  weightOutputs: (layer, rank) => rank * (layer.outDim + layer.inDim),
  sharedShapes: () => [],
  initShared: () => [],
  weightModulation: ({ weights, membership, layer, rank }: WeightModulationInput) => {
    const tasks = weights.shape[0];
    // Row t·r + i of u (v) is u_i (v_i) of task t.
    const u = tf.reshape(tf.slice(weights, [0, 0], [-1, rank * layer.outDim]), [tasks * rank, layer.outDim]);
    const uScaled = (rank === 1 ? u : tf.mul(u, 1 / rank)) as tf.Tensor2D;
    const v = tf.reshape(tf.slice(weights, [0, rank * layer.outDim], [-1, rank * layer.inDim]), [tasks * rank, layer.inDim]) as tf.Tensor2D;
    if (membership) {
      const rows = membership.shape[0];
      const ownTask = tf.reshape(tf.tile(tf.expandDims(membership, 2), [1, 1, rank]), [rows, tasks * rank]) as tf.Tensor2D;
      return factoredModulation(tf.transpose(v) as tf.Tensor2D, tf.transpose(uScaled) as tf.Tensor2D, ownTask);
    }
    const uRows = tf.reshape(uScaled, [tasks, rank, layer.outDim]) as tf.Tensor3D;
    const vRows = tf.reshape(v, [tasks, rank, layer.inDim]) as tf.Tensor3D;
    const uRowsT = tf.transpose(uRows, [0, 2, 1]) as tf.Tensor3D;
    const vRowsT = tf.transpose(vRows, [0, 2, 1]) as tf.Tensor3D;
    return {
      forward: (h) => rowProduct(rowProduct(h, vRowsT), uRows),
      transpose: (g) => rowProduct(rowProduct(g, uRowsT), vRows),
    };
  },
};
