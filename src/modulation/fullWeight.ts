/**
 * Full-weight modulation (FW; CODA, Kirchmeyer et al. 2022): layer ℓ of task k is
 *   h_ℓ = σ(h_{ℓ−1}(W_ℓ + ΔW_ℓ,k) + b_ℓ + s_ℓ,k),   ΔW_ℓ,k ∈ ℝ^{in×out} read from the hypernetwork (row-major),
 * so the hypernetwork emits in·out + out numbers per layer (20,500 for 2→100→100→100→1).
 *
 * ΔW is materialised per task, [tasks, in, out]. When every row is its own task, h ΔW_r is a batched matMul. When
 * rows share tasks, materialising per row would cost rows·in·out floats (10 tasks × 300
 * points × 100 × 100 = 30M per layer), so each row is multiplied by every task's ΔW in one matMul and the
 * membership keeps its own task:
 *   (h ΔW_{k(r)})_r = Σ_k M_rk (h [ΔW_1 … ΔW_K])_{r,k},
 * tasks times the flops of the per-row product but only rows·tasks·out floats, and only matMul/mul/sum on the tape.
 */
import * as tf from '@tensorflow/tfjs';
import { type ModulationMethod, type WeightModulation, type WeightModulationInput, rowProduct } from './modulation';
import { matMul } from '../nn/ops';

/** ΔW per row: h ↦ h_r ΔW_r and g ↦ g_r ΔW_rᵀ as batched matMuls. deltaW: [rows, in, out] */
function perRowWeights(deltaW: tf.Tensor3D): WeightModulation {
  const deltaWT = tf.transpose(deltaW, [0, 2, 1]) as tf.Tensor3D;
  return {
    forward: (h) => rowProduct(h, deltaW),
    transpose: (g) => rowProduct(g, deltaWT),
  };
}

/** ΔW per task, selected per row by the membership M: [rows, tasks]. deltaW: [tasks, in, out] */
function perTaskWeights(deltaW: tf.Tensor3D, membership: tf.Tensor2D): WeightModulation {
  const [tasks, inDim, outDim] = deltaW.shape;
  // [ΔW_1 … ΔW_K] as [in, tasks·out] and [ΔW_1ᵀ … ΔW_Kᵀ] as [out, tasks·in], built once per conditioning.
  const byInput = tf.reshape(tf.transpose(deltaW, [1, 0, 2]), [inDim, tasks * outDim]) as tf.Tensor2D;
  const byOutput = tf.reshape(tf.transpose(deltaW, [2, 0, 1]), [outDim, tasks * inDim]) as tf.Tensor2D;
  const select = tf.expandDims(membership, 2);
  const keepOwnTask = (allTasks: tf.Tensor2D, width: number) =>
    tf.sum(tf.mul(tf.reshape(allTasks, [allTasks.shape[0], tasks, width]), select), 1) as tf.Tensor2D;
  return {
    forward: (h) => keepOwnTask(matMul(h, byInput), outDim),
    transpose: (g) => keepOwnTask(matMul(g, byOutput), inDim),
  };
}

export const fullWeightModulation: ModulationMethod = {
  weightOutputs: (layer) => layer.inDim * layer.outDim,
  sharedShapes: () => [],
  initShared: () => [],
  weightModulation: ({ weights, membership, layer }: WeightModulationInput) => {
    const deltaW = tf.reshape(weights[0], [weights[0].shape[0], layer.inDim, layer.outDim]) as tf.Tensor3D;
    return membership ? perTaskWeights(deltaW, membership) : perRowWeights(deltaW);
  },
};
