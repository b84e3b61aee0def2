/**
 * iMODE's model for the reaction–diffusion system (2-D FitzHugh–Nagumo, src/systems/fitzhughNagumo.ts): a pointwise
 * network on fixed stencil features, conditioned on per-instance adaptation parameters η ∈ ℝ^{dη}. On the periodic
 * N × N grid (spacing dx = L/N), in every cell c,
 *
 *   (u_t, v_t)(c) = r_net(u, v, s·Δ_h u, s·Δ_h v, η)(c)  [+ D(η) ⊙ (s·Δ_h u, s·Δ_h v)(c)   with the diffusion head],
 *   Δ_h f = (f_E + f_W + f_N + f_S − 4 f) / dx²   (the simulator's 5-point stencil with periodic wrap),
 *   D(η) = η W_D + b_D ∈ ℝ²,
 *
 * r_net an MLP (4 + dη → width → … → 2, `depth` hidden layers of tanh or softplus) and s = `laplacianScale` a fixed
 * constant. The state is the simulator's flattened [u; v] (each field row-major, index i·N + j), so x: [rows, 2N²].
 *
 * Why this form: the true field is exactly of it, u_t = a Δu + u − u³ − k − v, v_t = b Δv + u − v, with only (a, b)
 * varying between instances. A pointwise MLP after a fixed stencil is a 1 × 1 convolution: it commutes with periodic
 * translations, and, Δ_h being invariant under the square's rotations and reflections, with those too, for any
 * weights. The diffusion head makes "η-dependent coefficient × Δ" a linear path instead of a product the MLP would
 * have to build from its hidden units. Measured (regression on the true field with η ↔ (a, b) known, 1000 Adam
 * steps, width 32, depth 2, tanh, 2 seeds): at N = 16 the relative error of the η-response f(x, η) − f(x, η′) was
 * 0.09 (u) and 0.03 (v) with the head against 0.19 and 0.09 without, the field error 0.008–0.012 against 0.015–0.016.
 * The head starts at zero, so the untrained model is the MLP alone.
 *
 * Parameters are one flat tensor list, mlpTensors(r_net) followed by [W_D: [dη, 2], b_D: [2]] with the head.
 * Everything is slice / concat / reshape / transpose / matMul, which have gradients on the cpu and wasm backends
 * (tf.gather has none on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../core/errors';
import type { Rng } from '../core/rng';
import { type MlpSpec, initMlp, mlpFromTensors, mlpTensors } from './mlp';
import type { TensorVectorField } from './odeint';
import { matMul, tanh } from './ops';

export interface StencilFieldSpec {
  /** N, cells per side (≥ 3, so that a cell's four neighbours are distinct cells) */
  grid: number;
  /** side L of the periodic square (2 for the FitzHugh–Nagumo system); dx = L/N */
  domainLength: number;
  etaDim: number;
  /** width of every hidden layer */
  width: number;
  /** number of hidden layers (≥ 1) */
  depth: number;
  activation: 'tanh' | 'softplus';
  /** s: the network sees s·Δ_h u and s·Δ_h v; `laplacianScaleForGrid` gives the recommended dx² */
  laplacianScale: number;
  /** add D(η) ⊙ (s·Δ_h u, s·Δ_h v) with D affine in η */
  diffusionHead: boolean;
}

/**
 * The recommended s = dx². Then s·Δ_h f = f_E + f_W + f_N + f_S − 4f is the raw stencil difference, bounded by
 * 8·max|f| at every resolution. Measured on simulator trajectories (a ∈ [0.5, 1.5]e-3, b ∈ [2.5, 7.5]e-3, t ≤ 10,
 * from the U[0, 1) start): RMS dx²·Δ_h u is 1.0–2.2 at N = 8 and 16 (the grid does not resolve the pattern, the
 * field stays rough) and 0.17–1.3 at N = 32; dx²·Δ_h v is 0.3–1.3 at N = 16 and 0.04–1.3 at N = 32; the start is
 * √(20/12) ≈ 1.29 for both. The raw Δ_h u is 20–35, 65–140 and 40–320 at N = 8, 16, 32: O(1) inputs need dx².
 * The true coefficients in these units are a/dx², b/dx² (0.064 and 0.32 at N = 16; 0.26 and 1.28 at N = 32).
 */
export function laplacianScaleForGrid(grid: number, domainLength: number): number {
  return (domainLength / grid) ** 2;
}

function validateSpec(s: StencilFieldSpec): void {
  if (!Number.isInteger(s.grid) || s.grid < 3) throw new ConfigError(`grid (cells per side) must be an integer >= 3, got ${s.grid}`);
  for (const k of ['etaDim', 'width', 'depth'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new ConfigError(`${k} must be a positive integer, got ${s[k]}`);
  }
  if (!(s.domainLength > 0) || !Number.isFinite(s.domainLength)) throw new ConfigError(`domainLength must be a positive number, got ${s.domainLength}`);
  if (!(s.laplacianScale > 0) || !Number.isFinite(s.laplacianScale)) {
    throw new ConfigError(`laplacianScale must be a positive number, got ${s.laplacianScale}`);
  }
  if (s.activation !== 'tanh' && s.activation !== 'softplus') {
    throw new ConfigError(`activation must be one of tanh, softplus, got '${String(s.activation)}'`);
  }
}

/** r_net: Linear(4 + dη → w) σ, (depth − 1) × [Linear(w → w) σ], Linear(w → 2), all with bias. */
function reactionMlpSpec(s: StencilFieldSpec): MlpSpec {
  const hidden = s.activation === 'tanh' ? { kind: 'tanh' as const } : { kind: 'softplus' as const, beta: 1 };
  return {
    sizes: [4 + s.etaDim, ...Array<number>(s.depth).fill(s.width), 2],
    activations: [...Array(s.depth).fill(hidden), { kind: 'identity' }],
    biases: Array<boolean>(s.depth + 1).fill(true),
  };
}

/** r_net with PyTorch's default initialisation, then (with the head) W_D = 0, b_D = 0. */
export function stencilFieldParamsInit(s: StencilFieldSpec, rng: Rng): tf.Tensor[] {
  validateSpec(s);
  const net = mlpTensors(initMlp(reactionMlpSpec(s), rng));
  // A random D(η) would be anti-diffusive in some direction of η, and −|D|·Δ_h grows the grid-scale mode at rate up
  // to 8|D|: a zero head cannot blow a rollout up and still receives gradient (b_D at once, W_D once η ≠ 0).
  return s.diffusionHead ? [...net, tf.zeros([s.etaDim, 2]), tf.zeros([2])] : net;
}

/** The 1-D periodic second difference: (L)_{ii} = −2, (L)_{i,i±1 mod N} = 1; symmetric. */
const secondDifferences = new Map<number, Float32Array>();
function secondDifference(n: number): tf.Tensor2D {
  let m = secondDifferences.get(n);
  if (!m) {
    m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      m[i * n + i] = -2;
      m[i * n + ((i + 1) % n)] += 1;
      m[i * n + ((i + n - 1) % n)] += 1;
    }
    secondDifferences.set(n, m);
  }
  // A fresh tensor per use (the cache holds host data only), so a cached tensor can never be disposed by a caller's tidy.
  return tf.tensor2d(m, [n, n]);
}

/**
 * Σ(four neighbours) − 4f with periodic wrap (= dx²·Δ_h f) of every field of f: [B, N, N], as F L + L F
 * (rows then columns; L F = (Fᵀ L)ᵀ). Matrix products instead of shifted slices because a slice of a batched tensor
 * is a slow path of the cpu and wasm backends (the slice form measured 3–9× slower at N = 16 and 32). The operator is
 * self-adjoint (L = Lᵀ), so its gradient is the same operator applied to dy: the backward pass costs one forward
 * pass and avoids the transpose-flag matMuls of the built-in gradient (slow on wasm, see ./ops.ts).
 */
const stencilDifference = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const f = args[0] as tf.Tensor3D;
  return { value: applyStencil(f), gradFunc: (dy: tf.Tensor) => stencilDifference(dy) };
}) as (f: tf.Tensor) => tf.Tensor3D;

function applyStencil(f: tf.Tensor3D): tf.Tensor3D {
  const [batch, n] = f.shape;
  const l = secondDifference(n);
  const alongRows = tf.reshape(tf.matMul(tf.reshape(f, [batch * n, n]), l), [batch, n, n]);
  const transposed = tf.reshape(tf.matMul(tf.reshape(tf.transpose(f, [0, 2, 1]), [batch * n, n]), l), [batch, n, n]);
  return tf.add(alongRows, tf.transpose(transposed, [0, 2, 1]));
}

/** Δ_h of each [N, N] field of fields: [rows, N, N], periodic 5-point stencil of spacing dx. */
export function periodicLaplacianTensor(fields: tf.Tensor3D, dx: number): tf.Tensor3D {
  if (fields.shape[1] !== fields.shape[2] || fields.shape[1] < 3) {
    throw new ConfigError(`fields must be [rows, N, N] with N >= 3, got [${fields.shape.join(', ')}]`);
  }
  if (!(dx > 0)) throw new ConfigError(`dx must be > 0, got ${dx}`);
  return tf.mul(stencilDifference(fields), 1 / (dx * dx));
}

/**
 * The field of the model for every row's η. x: [rows, 2N²] -> ẋ: [rows, 2N²]; etaRows: [rows, dη].
 * The η-dependent pieces (η's share of the first layer, D(η)) are computed here, once per rollout, so the returned
 * closure holds tensors: create and use it inside one tf.tidy (or dispose what it leaves).
 */
export function stencilVectorField(s: StencilFieldSpec, params: readonly tf.Tensor[], etaRows: tf.Tensor2D): TensorVectorField {
  validateSpec(s);
  const spec = reactionMlpSpec(s);
  const netCount = 2 * (s.depth + 1);
  const expected = netCount + (s.diffusionHead ? 2 : 0);
  if (params.length !== expected) {
    throw new ConfigError(`params must hold ${expected} tensors (${netCount} MLP${s.diffusionHead ? ' + W_D, b_D' : ''}), got ${params.length}`);
  }
  if (etaRows.rank !== 2 || etaRows.shape[1] !== s.etaDim) {
    throw new ConfigError(`etaRows must be [rows, etaDim = ${s.etaDim}], got [${etaRows.shape.join(', ')}]`);
  }
  const net = mlpFromTensors(spec, params.slice(0, netCount));
  const n = s.grid;
  const cells = n * n;
  const rows = etaRows.shape[0];
  const width = s.width;
  const stencilToFeature = s.laplacianScale / (s.domainLength / n) ** 2;

  // First layer split as in conditionMlp: z_1 = [u, v, sΔu, sΔv] W_1^x + (η W_1^η + b_1), the bracket per row.
  const w1 = net.weights[0];
  const w1Fields = tf.slice(w1, [0, 0], [4, -1]) as tf.Tensor2D;
  const rowOffset = tf.reshape(tf.add(matMul(etaRows, tf.slice(w1, [4, 0], [s.etaDim, -1]) as tf.Tensor2D), net.biases[0] as tf.Tensor1D), [rows, 1, width]);
  const diffusion = s.diffusionHead
    ? tf.reshape(tf.add(matMul(etaRows, params[netCount] as tf.Tensor2D), params[netCount + 1]), [rows, 2, 1])
    : null;
  const act = (z: tf.Tensor2D): tf.Tensor2D => (s.activation === 'tanh' ? tanh(z) : tf.softplus(z));

  return (_t, x) => {
    if (x.rank !== 2 || x.shape[1] !== 2 * cells) {
      throw new ConfigError(`state width must be 2N² = ${2 * cells} ([u; v] on the ${n} × ${n} grid), got ${x.shape[1]}`);
    }
    if (x.shape[0] !== rows) throw new ConfigError(`state has ${x.shape[0]} rows but etaRows has ${rows}`);
    const uv = tf.reshape(x, [rows, 2, cells]);
    const stencil = tf.reshape(stencilDifference(tf.reshape(x, [2 * rows, n, n]) as tf.Tensor3D), [rows, 2, cells]);
    const lap = stencilToFeature === 1 ? stencil : tf.mul(stencil, stencilToFeature);
    // Channel-last so that the MLP is one matMul per layer over all rows·N² cells.
    const features = tf.reshape(tf.transpose(tf.concat([uv, lap], 1), [0, 2, 1]), [rows * cells, 4]) as tf.Tensor2D;
    let h = act(tf.reshape(tf.add(tf.reshape(matMul(features, w1Fields), [rows, cells, width]), rowOffset), [rows * cells, width]) as tf.Tensor2D);
    for (let l = 1; l <= s.depth; l++) {
      const z = tf.add(matMul(h, net.weights[l]), net.biases[l] as tf.Tensor1D) as tf.Tensor2D;
      h = l < s.depth ? act(z) : z;
    }
    let out = tf.transpose(tf.reshape(h, [rows, cells, 2]), [0, 2, 1]);
    if (diffusion) out = tf.add(out, tf.mul(diffusion, lap));
    return tf.reshape(out, [rows, 2 * cells]) as tf.Tensor2D;
  };
}
