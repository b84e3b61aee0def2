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
 * tasks·r·(in + out) work per row, cheap for the few tasks of a meta-batch. With a code per row (perRowFactors), the
 * per-row products h ΔW_r = Σ_i (h · v_i) u_i and g ΔW_rᵀ = Σ_i (g · u_i) v_i are same-shape products and sums:
 * batched matMuls of 1-row matrices would do the same work at about twice the wall time on wasm (bench hnn-rank1).
 */
import * as tf from '@tensorflow/tfjs';
import { recording } from '../nn/ops';
import { type ModulationMethod, type WeightModulation, type WeightModulationInput, factoredModulation } from './modulation';

export const multiRankModulation: ModulationMethod = {
  weightOutputs: (layer, rank) => rank * (layer.outDim + layer.inDim),
  weightBlocks: (layer, rank) => [rank * layer.outDim, rank * layer.inDim],
  sharedShapes: () => [],
  initShared: () => [],
  weightModulation: ({ weights, membership, layer, rank }: WeightModulationInput) => {
    const tasks = weights[0].shape[0];
    // Row t·r + i of u (v) is u_i (v_i) of task t; for r = 1 the blocks are already laid out so (no reshape node).
    const byTerm = (w: tf.Tensor2D, width: number) => (rank === 1 ? w : (tf.reshape(w, [tasks * rank, width]) as tf.Tensor2D));
    const u = byTerm(weights[0], layer.outDim);
    const uScaled = rank === 1 ? u : (tf.mul(u, 1 / rank) as tf.Tensor2D);
    const v = byTerm(weights[1], layer.inDim);
    if (membership) {
      const rows = membership.shape[0];
      const ownTask = tf.reshape(tf.tile(tf.expandDims(membership, 2), [1, 1, rank]), [rows, tasks * rank]) as tf.Tensor2D;
      return factoredModulation(tf.transpose(v) as tf.Tensor2D, tf.transpose(uScaled) as tf.Tensor2D, ownTask);
    }
    return perRowFactors(uScaled, v, tasks, rank);
  },
};

/**
 * Row t's own factors u: [tasks·r, out], v: [tasks·r, in] (rows t·r … t·r + r − 1), applied to the rows of h (one row
 * per task, or a single row broadcast to all tasks):
 *   forward(h)_t = Σ_i (h_t · v_{t,i}) u_{t,i},   transpose(g)_t = Σ_i (g_t · u_{t,i}) v_{t,i}.
 */
function perRowFactors(u: tf.Tensor2D, v: tf.Tensor2D, tasks: number, rank: number): WeightModulation {
  const project = (x: tf.Tensor2D, onto: tf.Tensor2D, along: tf.Tensor2D): tf.Tensor2D => {
    if (rank === 1) return recording() ? (rankOneProjection(x, onto, along) as tf.Tensor2D) : rankOneValue(x, onto, along);
    const width = x.shape[1];
    const coefficients = tf.sum(tf.mul(tf.reshape(x, [x.shape[0], 1, width]), tf.reshape(onto, [tasks, rank, width])), 2, true);
    return tf.sum(tf.mul(coefficients, tf.reshape(along, [tasks, rank, along.shape[1]])), 1) as tf.Tensor2D;
  };
  return { forward: (h) => project(h, v, u), transpose: (g) => project(g, u, v) };
}

/** (x_t · w_t) a_t for every row t: c = Σ_j x_j w_j as [rows, 1], then c a. x may be one row broadcast to all. */
function rankOneValue(x: tf.Tensor2D, w: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.sum(tf.mul(x, w), 1, true), a) as tf.Tensor2D;
}

/**
 * rankOneValue as ONE custom-gradient node whose gradients are those of the taped mul, sum and mul, value for value:
 *   c̄ = Σ_j dy_j a_j,   ā = dy c,   x̄ = c̄ w (summed over the rows when x is one broadcast row),   w̄ = c̄ x.
 * The taped ops' gradients compute the same products (c̄ broadcast as c̄·1, exact), but they cast and reshape around
 * each: 15 launches in the backward pass against these 5 (the forward passes launch alike: 4 saved copies and the
 * node's entry against the ops' 5 copies). The gradient is built from the saved inputs and c only, so the node
 * differentiates again to any order.
 */
const rankOneProjection = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, a, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  const c = tf.sum(tf.mul(x, w), 1, true);
  save([x, w, a, c]);
  return {
    value: tf.mul(c, a),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws, as, cs] = saved;
      const cBar = tf.sum(tf.mul(dy, as), 1, true);
      const xBar = tf.mul(cBar, ws);
      return [xs.shape[0] === xBar.shape[0] ? xBar : tf.sum(xBar, 0, true), tf.mul(cBar, xs), tf.mul(dy, cs)];
    },
  };
});
