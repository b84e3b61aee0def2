/** Test fixtures for modulated MLPs: a small base net with a hypernetwork large enough to modulate visibly, and a float64 replica. */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/core/rng';
import { type ModulatedMlpParams, initModulatedMlp, modulatedMlpFromTensors, taskModulations } from '../../src/modulation/modulatedMlp';
import { type ModulationKind, type ModulationSpec, modulationSpec } from '../../src/modulation/modulation';
import { hiddenLayersMlpSpec } from '../../src/nn/accelerationField';
import { mlpTensors } from '../../src/nn/mlp';
import { randomMatrix } from './numeric';

export interface ModulatedFixtureOptions {
  /** input width (the state dimension for an HNN) */
  inputs?: number;
  width?: number;
  depth?: number;
  rank?: number;
  latentDim?: number;
  /** standard deviation of Φ and φ₀ (the initialisation's 0.01/√d_z hardly modulates) */
  hyperScale?: number;
  /** φ₀ = 0, so that z = 0 gives the unmodulated base net */
  zeroHyperBias?: boolean;
  /** hidden activation (default tanh) */
  activation?: 'tanh' | 'softplus';
  /** factor on the base weights (PyTorch's initialisation gives a nearly linear H with slow dynamics) */
  baseScale?: number;
}

/**
 * A base inputs → width × depth → 1 (tanh, or softplus with β = 2) modulated by `kind`, with Φ, φ₀ ~ N(0, hyperScale²) drawn from `seed`. The
 * output layer has no bias: it moves H by a constant, so a loss on ∇H gives it no gradient and tf.grads rejects it.
 */
export function modulatedFixture(kind: ModulationKind, seed: number, o: ModulatedFixtureOptions = {}): { spec: ModulationSpec; params: ModulatedMlpParams } {
  const hidden = hiddenLayersMlpSpec({ width: o.width ?? 5, depth: o.depth ?? 2, activation: o.activation ?? 'tanh', beta: 2 }, o.inputs ?? 2, 1);
  const base = { ...hidden, biases: [...hidden.biases.slice(0, -1), false] };
  const spec = modulationSpec(base, kind, { rank: kind === 'ro' ? undefined : (o.rank ?? 2), latentDim: o.latentDim ?? 3 });
  const rng = createRng(seed);
  const init = initModulatedMlp(spec, rng);
  const [dz, outputs] = init.hyperWeight.shape;
  const scale = o.hyperScale ?? 0.5;
  const phi = tf.tensor2d(randomMatrix(rng, dz, outputs, scale));
  const phi0 = o.zeroHyperBias ? tf.zeros([outputs]) : tf.tensor1d(randomMatrix(rng, 1, outputs, scale)[0]);
  tf.dispose([init.hyperWeight, init.hyperBias]);
  const baseScale = o.baseScale ?? 1;
  const weights = baseScale === 1 ? init.base.weights : init.base.weights.map((w) => tf.mul(w, baseScale) as tf.Tensor2D);
  if (baseScale !== 1) tf.dispose(init.base.weights);
  return { spec, params: modulatedMlpFromTensors(spec, [...mlpTensors({ ...init.base, weights }), phi, phi0, ...init.shared.flat()]) };
}

/** One task's modulated net in float64: effective weights W_ℓ + ΔW_ℓ ([in][out]) and biases b_ℓ + s_ℓ. */
export interface Float64Net {
  weights: number[][][];
  biases: number[][];
}

/**
 * ΔW_ℓ of one task materialised densely from the kind's definition (modulation.ts header), an implementation
 * independent of the batched per-row operators. w: the task's weight parameters, shared: [U: [out][r], V: [in][r]].
 */
function denseWeightModulation(spec: ModulationSpec, inDim: number, outDim: number, w: number[], shared: number[][][]): number[][] {
  const r = spec.rank;
  return Array.from({ length: inDim }, (_, i) =>
    Array.from({ length: outDim }, (_, j) => {
      switch (spec.kind) {
        case 'shift':
        case 'input':
          return 0;
        case 'fw':
          return w[i * outDim + j];
        case 'ro':
        case 'mr':
          // w = [u_1 … u_r | v_1 … v_r], ΔW = (1/r) Σ_k v_k u_kᵀ
          return Array.from({ length: r }, (_, k) => w[r * outDim + k * inDim + i] * w[k * outDim + j]).reduce((a, b) => a + b, 0) / r;
        case 'svd':
        case 'mr-v1':
          return Array.from({ length: r }, (_, k) => w[k] * shared[1][i][k] * shared[0][j][k]).reduce((a, b) => a + b, 0);
      }
    }),
  );
}

/** The float64 nets of the tasks with latent codes `codes` (rows), from the parameters' values. Hidden layers tanh. */
export function float64TaskNets(spec: ModulationSpec, params: ModulatedMlpParams, codes: number[][]): Float64Net[] {
  const perLayer = tf.tidy(() =>
    taskModulations(spec, params, tf.tensor2d(codes)).map((m) => ({
      weights: m.weights ? (tf.concat(m.weights, 1).arraySync() as number[][]) : [],
      shifts: m.shifts.arraySync() as number[][],
    })),
  );
  const W = params.base.weights.map((w) => w.arraySync() as number[][]);
  const b = params.base.biases.map((v, l) => (v ? Array.from(v.dataSync()) : Array<number>(W[l][0].length).fill(0)));
  const shared = params.shared.map((layer) => layer.map((t) => t.arraySync() as number[][]));
  return codes.map((_, task) => ({
    weights: W.map((w, l) => {
      if (l >= perLayer.length) return w;
      const dw = denseWeightModulation(spec, w.length, w[0].length, perLayer[l].weights[task] ?? [], shared[l]);
      return w.map((row, i) => row.map((v, j) => v + dw[i][j]));
    }),
    biases: b.map((v, l) => (l < perLayer.length ? v.map((bj, j) => bj + perLayer[l].shifts[task][j]) : v)),
  }));
}

/** H and ∂H/∂x of a float64 net with tanh hidden layers and a linear output, by the chain rule. */
export function float64ValueAndGradient(net: Float64Net, x: readonly number[]): { value: number; gradient: number[] } {
  const L = net.weights.length;
  const derivatives: number[][] = [];
  let h = Array.from(x);
  net.weights.forEach((w, l) => {
    const a = net.biases[l].map((bj, j) => bj + h.reduce((s, hi, i) => s + hi * w[i][j], 0));
    h = l === L - 1 ? a : a.map(Math.tanh);
    derivatives.push(l === L - 1 ? a.map(() => 1) : h.map((t) => 1 - t * t));
  });
  let g = [1];
  for (let l = L - 1; l >= 0; l--) {
    const gz = g.map((gj, j) => gj * derivatives[l][j]);
    g = net.weights[l].map((row) => row.reduce((s, wij, j) => s + wij * gz[j], 0));
  }
  return { value: h[0], gradient: g };
}
