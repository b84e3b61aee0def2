/**
 * ∂y/∂x of a conditioned scalar MLP (./conditionedMlp.ts) as ONE custom-gradient node with a hand-written
 * vector–Jacobian product, and `mlpValueAndInputGradient`, the plain network's value and input gradient built on it.
 *
 * Autodiff of the taped input gradient would record ~40 ops per evaluation, each with cloned saved tensors, and replay
 * their gradients one by one — most of a rollout's kernel launches (toolchain.md §7). The node's value is that of
 * conditionedValueAndInputGradient, op for op, and its first-order gradients are the taped ones bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { matMulEngine } from '../core/matMulEngine';
import { type ConditionedMlp, conditionMlp, conditionedValue, conditionedValueAndInputGradient } from './conditionedMlp';
import { type Activation, type MlpParams, type MlpSpec, activation } from './mlp';
import { matMul, recording, sigmoid } from './ops';

/**
 * Whether a product with a transposed operand passes the transpose as a flag. On OpenBLAS (core/nativeMatMul.ts) the
 * packing makes op(A)·op(B) the product of the explicitly transposed matrices bit for bit, at no extra cost, so the
 * flag saves a Transpose launch; XNNPACK's flagged products round differently and run ~9× slower (toolchain.md §7).
 * Never on a recording tape: tfjs' own gradient of a flagged product contains the swapped products (bᵀaᵀ)ᵀ, which
 * round differently from those of ops.ts's explicit-transpose gradient, so higher orders would change.
 */
function flagsExact(): boolean {
  return !recording() && matMulEngine() !== 'xnnpack';
}

/** a bᵀ; bT = bᵀ is read only where the flag is not exact (and is not kept otherwise). */
function timesTransposed(a: tf.Tensor2D, b: tf.Tensor2D, bT: tf.Tensor2D | null): tf.Tensor2D {
  return flagsExact() ? tf.matMul(a, b, false, true) : matMul(a, bT as tf.Tensor2D);
}

/** aᵀ b */
function transposeTimes(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return flagsExact() ? tf.matMul(a, b, true, false) : matMul(tf.transpose(a) as tf.Tensor2D, b);
}

/**
 * σ''(z) from what the forward pass keeps: softplus_β'' = β s(1 − s) with s = σ' = sigmoid(βz); tanh'' = −2 t σ'
 * with t = tanh z. (Never called for the identity, whose σ' is absent.)
 */
function secondDerivative(a: Activation, h: tf.Tensor2D | null, d: tf.Tensor2D): tf.Tensor2D {
  if (a.kind === 'softplus') return tf.mul(tf.mul(d, tf.sub(tf.scalar(1), d)), a.beta) as tf.Tensor2D;
  return tf.mul(tf.mul(h as tf.Tensor2D, d), -2) as tf.Tensor2D;
}

/** The forward and backward passes of the input gradient, from the node's inputs, for the layers ℓ ≤ top. */
interface InputGradientPasses {
  /** σ_ℓ(z_ℓ) (null at a softplus top layer: its σ'' needs only σ', and nothing above reads σ(z_top)) */
  h: (tf.Tensor2D | null)[];
  /** σ'_ℓ(z_ℓ), null for the identity */
  d: (tf.Tensor2D | null)[];
  /** g_ℓ = ∂y/∂h_ℓ (a broadcast row for ℓ = top) and δ_ℓ = g_ℓ ⊙ σ'_ℓ; null g_top means ∂y/∂h_top = 1 */
  g: (tf.Tensor2D | null)[];
  delta: tf.Tensor2D[];
  /** ∂y/∂x */
  gradient: tf.Tensor2D;
}

/** What the node's input list holds, and the shapes of the inputs that enter the backward pass by shape only. */
interface InputGradientLayout {
  activations: Activation[];
  top: number;
  /** shape of the first layer's offset (c W_1^c + b_1, or b_1), null without one */
  offsetShape: number[] | null;
  /** shape of b_ℓ for 1 ≤ ℓ ≤ top, null where the layer has no bias (entry 0 unused: its bias is in the offset) */
  biasShapes: (number[] | null)[];
  /** shape of ∂y/∂h_top when it is an input (ConditionedMlp.topGradient) */
  topGradientShape: number[] | null;
}

/** Node inputs: [x, offset?, W_0..W_top, b_ℓ (1 ≤ ℓ ≤ top, present), W_0ᵀ..W_topᵀ, topGradient?] */
function unpackInputs(L: InputGradientLayout, t: readonly tf.Tensor[]) {
  let k = 0;
  const x = t[k++] as tf.Tensor2D;
  const offset = L.offsetShape ? t[k++] : null;
  const weights = Array.from({ length: L.top + 1 }, () => t[k++] as tf.Tensor2D);
  const biases = L.biasShapes.map((s) => (s ? (t[k++] as tf.Tensor1D) : null));
  const transposed = Array.from({ length: L.top + 1 }, () => t[k++] as tf.Tensor2D);
  const topGradient = L.topGradientShape ? (t[k++] as tf.Tensor2D) : null;
  return { x, offset, weights, biases, transposed, topGradient };
}

/** The same ops, in the same order, as conditionedValueAndInputGradient (so the values are identical). */
function inputGradientPasses(L: InputGradientLayout, t: readonly tf.Tensor[]): InputGradientPasses {
  const u = unpackInputs(L, t);
  const h: (tf.Tensor2D | null)[] = [];
  const d: (tf.Tensor2D | null)[] = [];
  let cur = u.x;
  for (let l = 0; l <= L.top; l++) {
    let z = matMul(cur, u.weights[l]);
    const offset = l === 0 ? u.offset : u.biases[l];
    if (offset) z = tf.add(z, offset) as tf.Tensor2D;
    const a = L.activations[l];
    if (l === L.top && a.kind === 'softplus') {
      h.push(null);
      d.push(sigmoid(a.beta === 1 ? z : (tf.mul(z, a.beta) as tf.Tensor2D)));
      break;
    }
    const act = activation(a, z, true);
    h.push(act.h);
    d.push(act.d);
    cur = act.h;
  }
  const g: (tf.Tensor2D | null)[] = new Array(L.top + 1).fill(null);
  const delta: tf.Tensor2D[] = new Array(L.top + 1);
  let gl: tf.Tensor2D | null = u.topGradient;
  for (let l = L.top; l >= 0; l--) {
    g[l] = gl;
    const dl = d[l];
    // At the top layer σ' exists, so δ_top is never null; below it g is a full tensor.
    delta[l] = (gl === null ? dl : dl === null ? gl : tf.mul(gl, dl)) as tf.Tensor2D;
    gl = timesTransposed(delta[l], u.weights[l], u.transposed[l]);
  }
  return { h, d, g, delta, gradient: gl as tf.Tensor2D };
}

/** Sum of a [rows, n] adjoint down to the shape of the tensor it belongs to ([n], [1, n] or [rows, n]). */
function reduceTo(adjoint: tf.Tensor2D, shape: readonly number[]): tf.Tensor {
  if (shape.length === 1) return tf.sum(adjoint, 0);
  return shape[0] === adjoint.shape[0] ? adjoint : tf.sum(adjoint, 0, true);
}

/**
 * Vector–Jacobian product of x ↦ ∂y/∂x with respect to every node input, given Ḡ = ∂L/∂(∂y/∂x). With the
 * backward pass g_{ℓ−1} = δ_ℓ W_ℓᵀ, δ_ℓ = g_ℓ ⊙ σ'(z_ℓ), and the forward pass z_ℓ = h_{ℓ−1} W_ℓ + b_ℓ:
 *   up (ℓ = 0..top):   δ̄_ℓ = ḡ_{ℓ−1} W_ℓ,  (W_ℓᵀ)‾ = δ_ℓᵀ ḡ_{ℓ−1},  ḡ_ℓ = δ̄_ℓ ⊙ σ'_ℓ,  z̄_ℓ = δ̄_ℓ ⊙ g_ℓ ⊙ σ''_ℓ
 *   down (ℓ = top..0): z̄_ℓ += h̄_ℓ ⊙ σ'_ℓ,  W̄_ℓ = h_{ℓ−1}ᵀ z̄_ℓ,  b̄_ℓ = Σ_rows z̄_ℓ,  h̄_{ℓ−1} = z̄_ℓ W_ℓᵀ
 * with ḡ_{−1} = Ḡ, h_{−1} = x and x̄ = h̄_{−1}; the identity's σ' is 1 and σ'' 0. `transposed` holds W_ℓᵀ where
 * the products need it (see flagsExact).
 */
function inputGradientVjp(
  L: InputGradientLayout,
  x: tf.Tensor2D,
  weights: readonly tf.Tensor2D[],
  transposed: readonly (tf.Tensor2D | null)[],
  P: InputGradientPasses,
  gradBar: tf.Tensor2D,
): tf.Tensor[] {
  const transposedBar: tf.Tensor[] = [];
  const zBar: (tf.Tensor2D | null)[] = [];
  let gBar = gradBar;
  for (let l = 0; l <= L.top; l++) {
    const deltaBar = matMul(gBar, weights[l]);
    const delta = P.delta[l];
    transposedBar.push(transposeTimes(delta, delta.shape[0] === 1 && gBar.shape[0] > 1 ? (tf.sum(gBar, 0, true) as tf.Tensor2D) : gBar));
    const d = P.d[l];
    if (d === null) {
      gBar = deltaBar;
      zBar.push(null);
    } else {
      gBar = tf.mul(deltaBar, d) as tf.Tensor2D;
      const gl = P.g[l];
      const weighted = gl === null ? deltaBar : (tf.mul(deltaBar, gl) as tf.Tensor2D);
      zBar.push(tf.mul(weighted, secondDerivative(L.activations[l], P.h[l], d)) as tf.Tensor2D);
    }
  }
  const weightBar: tf.Tensor[] = new Array(L.top + 1);
  const biasBar: tf.Tensor[] = [];
  let offsetBar: tf.Tensor | null = null;
  let hBar: tf.Tensor2D | null = null;
  for (let l = L.top; l >= 0; l--) {
    const d = P.d[l];
    const fromAbove = hBar === null ? null : d === null ? hBar : (tf.mul(hBar, d) as tf.Tensor2D);
    const z = zBar[l];
    const total = (z === null ? fromAbove : fromAbove === null ? z : tf.add(z, fromAbove)) as tf.Tensor2D;
    weightBar[l] = transposeTimes(l === 0 ? x : (P.h[l - 1] as tf.Tensor2D), total);
    if (l === 0 && L.offsetShape) offsetBar = reduceTo(total, L.offsetShape);
    const biasShape = L.biasShapes[l];
    if (l >= 1 && biasShape) biasBar.unshift(reduceTo(total, biasShape));
    hBar = timesTransposed(total, weights[l], transposed[l]);
  }
  const grads: tf.Tensor[] = [hBar as tf.Tensor2D];
  if (offsetBar) grads.push(offsetBar);
  grads.push(...weightBar, ...biasBar, ...transposedBar);
  if (L.topGradientShape) grads.push(reduceTo(gBar, L.topGradientShape));
  return grads;
}

/** Whether we are inside a gradient that is itself being differentiated (tf.grad nested in tf.grads). */
function nested(): boolean {
  return tf.engine().state.gradientDepth > 1;
}

/**
 * ∂y/∂x of a conditioned scalar MLP as ONE custom-gradient node (see the header).
 *
 * First-order backward passes reuse the forward pass's intermediates and keep only the tensors the product reads
 * (not the biases, which enter by shape only, nor W_ℓᵀ where flags stand in for it). When the backward pass will
 * itself be differentiated (second-order meta-learning: the node is recorded inside an outer gradient, and the outer
 * tape is recording when the backward pass runs), it recomputes them from the saved inputs, which the tape connects
 * to everything upstream, so that every order stays correct. The forward pass's depth decides which: a node recorded
 * at depth 1 is differentiated by the tf.grads that recorded it, after its tape has stopped.
 *
 * W_ℓᵀ stays an input even where flags leave its value unread: its adjoint (W_ℓᵀ)‾ reaches W_ℓ through the transpose
 * node of conditionMlp, after the tape has summed it over every evaluation of a rollout; adding it to W̄_ℓ here
 * instead would sum the same terms in another order, and round differently.
 *
 * x: [rows, inputDim] -> [rows, inputDim]
 */
export function conditionedInputGradient(m: ConditionedMlp, x: tf.Tensor2D): tf.Tensor2D {
  const { spec, params: p, top } = m;
  if (top < 0) return conditionedValueAndInputGradient(m, x).inputGradient;
  const L: InputGradientLayout = {
    activations: spec.activations,
    top,
    offsetShape: m.firstOffset ? m.firstOffset.shape : null,
    biasShapes: p.biases.slice(0, top + 1).map((b, l) => (l >= 1 && b ? b.shape : null)),
    topGradientShape: m.topGradient ? m.topGradient.shape : null,
  };
  const inputs: tf.Tensor[] = [x];
  if (m.firstOffset) inputs.push(m.firstOffset);
  for (let l = 0; l <= top; l++) inputs.push(l === 0 ? m.firstWeight : p.weights[l]);
  for (let l = 1; l <= top; l++) if (p.biases[l]) inputs.push(p.biases[l] as tf.Tensor1D);
  for (let l = 0; l <= top; l++) inputs.push(m.transposed[l]);
  if (m.topGradient) inputs.push(m.topGradient);
  if (!recording()) return inputGradientPasses(L, inputs).gradient;
  const n = inputs.length;
  const node = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args.slice(0, n) as tf.Tensor[];
    const save = args[n] as tf.GradSaveFunc;
    const P = inputGradientPasses(L, t);
    const fromInputs = nested();
    // Flags hold in the first-order backward pass exactly when they hold here (the tape is off in both).
    const keepTransposed = !flagsExact();
    if (fromInputs) {
      // Keeping the intermediates too would hold every evaluation's activations until the outer backward pass.
      save(t);
    } else {
      // h_{ℓ−1} is the input of layer ℓ ≥ 1; h_top is needed only for tanh''.
      const keptH = (L.activations[top].kind === 'tanh' ? P.h : P.h.slice(0, top)) as tf.Tensor2D[];
      const present = (v: tf.Tensor2D | null): v is tf.Tensor2D => v !== null;
      const u = unpackInputs(L, t);
      save([u.x, ...u.weights, ...(keepTransposed ? u.transposed : []), ...keptH, ...P.d.filter(present), ...P.g.filter(present), ...P.delta]);
    }
    return {
      value: P.gradient,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (fromInputs) {
          const s = unpackInputs(L, saved);
          return inputGradientVjp(L, s.x, s.weights, s.transposed, inputGradientPasses(L, saved), dy as tf.Tensor2D);
        }
        let k = 0;
        const take = () => saved[k++] as tf.Tensor2D;
        const savedX = take();
        const weights = P.delta.map(take);
        const transposed = P.delta.map(() => (keepTransposed ? take() : null));
        const h = P.h.map((_, l) => (l < top || L.activations[top].kind === 'tanh' ? take() : null));
        const d = P.d.map((v) => (v === null ? null : take()));
        const g = P.g.map((v) => (v === null ? null : take()));
        const delta = P.delta.map(take);
        return inputGradientVjp(L, savedX, weights, transposed, { h, d, g, delta, gradient: P.gradient }, dy as tf.Tensor2D);
      },
    };
  });
  return node(...inputs) as tf.Tensor2D;
}

/**
 * Scalar-output MLP value and its gradient with respect to the input, each computed when first read (the gradient
 * as the single node of conditionedInputGradient; a caller that reads both pays for the forward pass twice).
 * x: [batch, in] -> { value: [batch, 1], inputGradient: [batch, in] }
 */
export function mlpValueAndInputGradient(spec: MlpSpec, p: MlpParams, x: tf.Tensor2D): { value: tf.Tensor2D; inputGradient: tf.Tensor2D } {
  const m = conditionMlp(spec, p, null);
  let value: tf.Tensor2D | null = null;
  let inputGradient: tf.Tensor2D | null = null;
  return {
    get value() {
      if (value === null) value = conditionedValue(m, x);
      return value;
    },
    get inputGradient() {
      if (inputGradient === null) inputGradient = conditionedInputGradient(m, x);
      return inputGradient;
    },
  };
}
