/**
 * Differentiable ODE solutions over tfjs tensors, mirroring torchdiffeq's `odeint(func, y0, t, method)`.
 *
 * Solves dy/dt = f(t, y) for a batch of states y: [batch, d] and returns y at every time of `ts`: [T, batch, d]
 * (ts[0] is the initial time, so out[0] = y0). Gradients flow through every stage of every step
 * ("discretise-then-optimise", as torchdiffeq's non-adjoint `odeint` that the iMODE authors use).
 *
 * - `rk4`: classic fourth-order Runge–Kutta on the output grid, each interval split into `substeps` equal steps.
 * - `dopri5`: Dormand–Prince 5(4) with FSAL, the step-size control of torchdiffeq (error ratio = RMS of
 *   err / (atol + rtol·max(|y0|, |y1|)), safety 0.9, step factor clamped to [0.2, 10]) and the fourth-order dense
 *   output, so that a 100-point window costs the steps the tolerance needs rather than one step per output point.
 *   Step sizes are chosen on the host from float values and enter the graph as constants, as in torchdiffeq; the
 *   gradient is that of the accepted discrete scheme. One error ratio is shared by the whole batch (all tasks of a
 *   batched rollout take the same steps).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, SolverGaveUpError } from '../core/errors';
import { dopri5Tableau } from '../integrators/dopri5';
import { recording } from './ops';

/** f(t, y): y [batch, d] -> dy/dt [batch, d] */
export type TensorVectorField = (t: number, y: tf.Tensor2D) => tf.Tensor2D;

export type OdeintMethod = 'rk4' | 'dopri5';
export const ODEINT_METHODS: readonly OdeintMethod[] = ['rk4', 'dopri5'];

export interface OdeintOptions {
  method: OdeintMethod;
  /** rk4: steps per output interval (default 1) */
  substeps?: number;
  /** dopri5 tolerances (default 1e-4 / 1e-4, the iMODE authors' setting) */
  rtol?: number;
  atol?: number;
  /** dopri5: give up after this many attempted steps (default 10000) */
  maxSteps?: number;
  /** dopri5: filled with the number of right-hand-side evaluations and steps */
  stats?: OdeintStats;
}

export interface OdeintStats {
  rhsEvaluations: number;
  acceptedSteps: number;
  rejectedSteps: number;
}

function validateTimes(ts: readonly number[]): void {
  if (ts.length < 1) throw new ConfigError('odeint: ts must hold at least the initial time');
  for (let i = 1; i < ts.length; i++) {
    if (!(ts[i] > ts[i - 1])) throw new ConfigError(`odeint: ts must be strictly increasing, ts[${i}] = ${ts[i]} ≤ ${ts[i - 1]}`);
  }
}

/** y0: [batch, d] -> [T, batch, d] */
export function odeint(f: TensorVectorField, y0: tf.Tensor2D, ts: readonly number[], opts: OdeintOptions): tf.Tensor3D {
  validateTimes(ts);
  if (opts.method === 'rk4') return odeintRk4(f, y0, ts, opts.substeps ?? 1);
  if (opts.method === 'dopri5') return odeintDopri5(f, y0, ts, opts);
  throw new ConfigError(`odeint: method must be one of ${ODEINT_METHODS.join(', ')}, got '${String(opts.method)}'`);
}

function odeintRk4(f: TensorVectorField, y0: tf.Tensor2D, ts: readonly number[], substeps: number): tf.Tensor3D {
  if (!Number.isInteger(substeps) || substeps < 1) throw new ConfigError(`odeint: substeps must be a positive integer, got ${substeps}`);
  const out: tf.Tensor2D[] = [y0];
  let y = y0;
  for (let i = 1; i < ts.length; i++) {
    const h = (ts[i] - ts[i - 1]) / substeps;
    for (let s = 0; s < substeps; s++) {
      const t = ts[i - 1] + s * h;
      const k1 = f(t, y);
      const k2 = f(t + h / 2, rk4Stage(y, k1, h / 2));
      const k3 = f(t + h / 2, rk4Stage(y, k2, h / 2));
      const k4 = f(t + h, rk4Stage(y, k3, h));
      y = rk4Update(y, k1, k2, k3, k4, h);
    }
    out.push(y);
  }
  return tf.stack(out) as tf.Tensor3D;
}

/**
 * The RK4 stage argument y + c k and the update y + (k1 + 2k2 + 2k3 + k4) h/6, each as one custom-gradient node
 * whose value and gradient are those of the plain ops, value for value, without the tape nodes and cloned saved
 * tensors of every add and mul (a rollout's kernel count is its cost on wasm, toolchain.md §7). The gradients use
 * only dy and constants, so they are differentiable to any order.
 */
const rk4StageNode = (c: number) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [y, k] = args as tf.Tensor[];
    return { value: tf.add(y, tf.mul(k, c)), gradFunc: (dy: tf.Tensor) => [dy, tf.mul(dy, c)] };
  });

function rk4Stage(y: tf.Tensor2D, k: tf.Tensor2D, c: number): tf.Tensor2D {
  return recording() ? (rk4StageNode(c)(y, k) as tf.Tensor2D) : tf.add(y, tf.mul(k, c));
}

function rk4Update(y: tf.Tensor2D, k1: tf.Tensor2D, k2: tf.Tensor2D, k3: tf.Tensor2D, k4: tf.Tensor2D, h: number): tf.Tensor2D {
  if (!recording()) return tf.add(y, tf.mul(tf.addN([k1, tf.mul(k2, 2), tf.mul(k3, 2), k4]), h / 6));
  const node = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [y0, a, b, c, d] = args as tf.Tensor[];
    return {
      value: tf.add(y0, tf.mul(tf.addN([a, tf.mul(b, 2), tf.mul(c, 2), d]), h / 6)),
      gradFunc: (dy: tf.Tensor) => {
        const s = tf.mul(dy, h / 6);
        return [dy, s, tf.mul(s, 2), tf.mul(s, 2), s];
      },
    };
  });
  return node(y, k1, k2, k3, k4) as tf.Tensor2D;
}

/**
 * y + Σ_j c_j k_j over the non-zero coefficients, as one custom-gradient node (∂/∂y = 1, ∂/∂k_j = c_j): the
 * coefficients are constants, so the tape needs neither the scalar products nor copies of their inputs, which
 * would otherwise dominate the kernel count of a rollout's backward pass.
 */
function combine(y: tf.Tensor2D, coeffs: readonly number[], ks: readonly tf.Tensor2D[]): tf.Tensor2D {
  const used = coeffs.map((c, j) => [c, j] as const).filter(([c]) => c !== 0);
  const weights = used.map(([c]) => c);
  if (!recording()) return tf.addN([y, ...used.map(([, j], i) => tf.mul(ks[j], weights[i]))]) as tf.Tensor2D;
  const node = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, used.length + 1) as tf.Tensor[];
    return {
      value: tf.addN([inputs[0], ...inputs.slice(1).map((k, i) => tf.mul(k, weights[i]))]),
      gradFunc: (dy: tf.Tensor) => [dy, ...weights.map((c) => tf.mul(dy, c))],
    };
  });
  return node(y, ...used.map(([, j]) => ks[j])) as tf.Tensor2D;
}

/**
 * The dopri5 error ratio RMS(err / (atol + rtol·max(|y0|, |y1|))), err = h Σ_j e_j k_j. It only steers the step
 * size, so it is computed outside the gradient tape (a custom-gradient node with zero gradients records nothing
 * of its internals).
 */
function errorRatio(y: tf.Tensor2D, y1: tf.Tensor2D, ks: readonly tf.Tensor2D[], errorCoeffs: readonly number[], rtol: number, atol: number): number {
  const node = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [y0t, y1t, ...kt] = args.slice(0, ks.length + 2) as tf.Tensor2D[];
    const err = tf.addN(kt.map((k, j) => tf.mul(k, errorCoeffs[j])));
    const scale = tf.add(tf.mul(tf.maximum(tf.abs(y0t), tf.abs(y1t)), rtol), atol);
    return {
      value: tf.sqrt(tf.mean(tf.square(tf.div(err, scale)))),
      gradFunc: () => [y0t, y1t, ...kt].map((t) => tf.zerosLike(t)),
    };
  });
  return tf.tidy(() => node(y, y1, ...ks).dataSync()[0]);
}

/** RMS over all elements of x / (atol + rtol·scale), read back to the host. */
function scaledRms(x: tf.Tensor, scale: tf.Tensor, rtol: number, atol: number): number {
  return tf.tidy(() => tf.sqrt(tf.mean(tf.square(tf.div(x, tf.add(tf.mul(scale, rtol), atol)))))).dataSync()[0];
}

/** Hairer, Nørsett & Wanner's initial step (torchdiffeq `_select_initial_step`), costs one extra evaluation. */
function initialStep(f: TensorVectorField, t0: number, y0: tf.Tensor2D, f0: tf.Tensor2D, rtol: number, atol: number): number {
  return tf.tidy(() => {
    const absY0 = tf.abs(y0);
    const d0 = scaledRms(y0, absY0, rtol, atol);
    const d1 = scaledRms(f0, absY0, rtol, atol);
    const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
    const f1 = f(t0 + h0, tf.add(y0, tf.mul(f0, h0)));
    const d2 = scaledRms(tf.sub(f1, f0), absY0, rtol, atol) / h0;
    const h1 = Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : Math.pow(0.01 / Math.max(d1, d2), 1 / 5);
    return Math.min(100 * h0, h1);
  });
}

/**
 * torchdiffeq's dopri5 interpolant (the quartic through y0, y1, the Shampine mid-point and the end slopes, see
 * src/integrators/dopri5.ts) is linear in (y0, k1..k7); with y1 = y0 + hΣb_i k_i, y_mid = y0 + hΣd_i k_i,
 * f0 = k1, f1 = k7 it reads y(t0 + θh) = y0 + h Σ_i w_i(θ) k_i (the y0 coefficients sum to 1 for every θ).
 */
export function denseOutputWeights(theta: number): number[] {
  const { b, midpointWeights: d, quarticFit: Q } = dopri5Tableau;
  const w = new Array<number>(7).fill(0);
  let power = 1;
  for (let p = 0; p < Q.length; p++, power *= theta) {
    for (let i = 0; i < 7; i++) w[i] += power * (Q[p][1] * b[i] + Q[p][2] * d[i]);
    w[0] += power * Q[p][3];
    w[6] += power * Q[p][4];
  }
  return w;
}

function odeintDopri5(f: TensorVectorField, y0: tf.Tensor2D, ts: readonly number[], opts: OdeintOptions): tf.Tensor3D {
  const rtol = opts.rtol ?? 1e-4;
  const atol = opts.atol ?? 1e-4;
  const maxSteps = opts.maxSteps ?? 10000;
  if (!(rtol > 0) || !(atol > 0)) throw new ConfigError(`odeint: rtol and atol must be > 0, got ${rtol}, ${atol}`);
  const { c, a, b, errorWeights } = dopri5Tableau;
  const stats: OdeintStats = opts.stats ?? { rhsEvaluations: 0, acceptedSteps: 0, rejectedSteps: 0 };
  const [batch, dim] = y0.shape;

  // One [points, batch, d] block per accepted step that covers output times (a per-point slice would cost a slice
  // and a pad per point in the backward pass).
  const blocks: tf.Tensor3D[] = [tf.expandDims(y0, 0) as tf.Tensor3D];
  let t = ts[0];
  let y = y0;
  let fy = f(t, y);
  stats.rhsEvaluations += 1;
  let h = initialStep(f, t, y, fy, rtol, atol);
  stats.rhsEvaluations += 1;
  const tEnd = ts[ts.length - 1];
  let next = 1;
  let attempts = 0;
  while (next < ts.length) {
    if (++attempts > maxSteps) {
      throw new SolverGaveUpError(`odeint dopri5: more than ${maxSteps} steps before t = ${tEnd} (at t = ${t}, h = ${h}); the field is stiff or non-finite`);
    }
    h = Math.min(h, tEnd - t);
    const ks: tf.Tensor2D[] = [fy];
    for (let s = 0; s < 6; s++) {
      const ys = combine(y, a[s].map((ai) => ai * h), ks);
      ks.push(f(t + c[s] * h, ys));
    }
    stats.rhsEvaluations += 6;
    // FSAL: the seventh stage is evaluated at the fifth-order solution, so y1 = that stage's argument.
    const y1 = combine(y, b.map((bi) => bi * h), ks);
    const ratio = errorRatio(y, y1, ks, errorWeights.map((e) => e * h), rtol, atol);
    if (!Number.isFinite(ratio)) {
      throw new SolverGaveUpError(`odeint dopri5: non-finite error estimate at t = ${t} (h = ${h}); the vector field produced NaN or Inf`);
    }
    if (ratio <= 1) {
      const t1 = t + h;
      // Dense output for every requested time in (t, t1]: y(t + θh) = y + h Σ_i w_i(θ) k_i (see denseOutputWeights).
      const thetas: number[] = [];
      while (next < ts.length && ts[next] <= t1 + 1e-12 * Math.max(1, Math.abs(t1))) thetas.push((ts[next++] - t) / h);
      if (thetas.length > 0) {
        const weights = new Float32Array(thetas.length * 7);
        thetas.forEach((th, r) => denseOutputWeights(th).forEach((w, i) => (weights[r * 7 + i] = h * w)));
        const kFlat = tf.reshape(tf.stack(ks), [7, batch * dim]) as tf.Tensor2D;
        const interp = tf.add(tf.matMul(tf.tensor2d(weights, [thetas.length, 7]), kFlat), tf.reshape(y, [1, batch * dim]));
        blocks.push(tf.reshape(interp, [thetas.length, batch, dim]) as tf.Tensor3D);
      }
      t = t1;
      y = y1;
      fy = ks[6];
      stats.acceptedSteps += 1;
    } else {
      stats.rejectedSteps += 1;
    }
    // torchdiffeq's `_optimal_step_size`: an accepted step never shrinks the next one.
    const floor = ratio <= 1 ? 1 : 0.2;
    h *= ratio === 0 ? 10 : Math.min(10, Math.max(floor, 0.9 * Math.pow(ratio, -1 / 5)));
  }
  return tf.concat(blocks, 0) as tf.Tensor3D;
}
