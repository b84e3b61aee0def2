import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { type Rng, createRng } from '../../src/core/rng';
import { adamInit, adamStep, disposeAdam } from '../../src/nn/adam';
import { odeint } from '../../src/nn/odeint';
import {
  type StencilFieldSpec,
  laplacianScaleForGrid,
  periodicLaplacianTensor,
  stencilFieldParamsInit,
  stencilVectorField,
} from '../../src/nn/stencilField';
import { FHN_DOMAIN_LENGTH, createFitzhughNagumo, laplacianPeriodic } from '../../src/systems/fitzhughNagumo';
import { centralDifference } from '../helpers/numeric';

function spec(grid: number, overrides: Partial<StencilFieldSpec> = {}): StencilFieldSpec {
  return {
    grid,
    domainLength: FHN_DOMAIN_LENGTH,
    etaDim: 2,
    width: 16,
    depth: 2,
    activation: 'tanh',
    laplacianScale: laplacianScaleForGrid(grid, FHN_DOMAIN_LENGTH),
    diffusionHead: true,
    ...overrides,
  };
}

const uniformRows = (rng: Rng, rows: number, cols: number, lo = -1, hi = 1): number[][] =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniformIn(lo, hi)));

/** Random values for every parameter (a zero-initialised head would hide the head's path). */
function randomParams(s: StencilFieldSpec, rng: Rng): tf.Tensor[] {
  const init = stencilFieldParamsInit(s, rng);
  const params = init.map((p) => tf.tensor(Array.from({ length: p.size }, () => rng.uniformIn(-0.6, 0.6)), p.shape));
  tf.dispose(init);
  return params;
}

/** ẋ for states x: [rows][2N²] and etas: [rows][dη], read back. */
function evaluate(s: StencilFieldSpec, params: readonly tf.Tensor[], x: number[][], eta: number[][]): number[][] {
  return tf.tidy(() => stencilVectorField(s, params, tf.tensor2d(eta))(0, tf.tensor2d(x)).arraySync() as number[][]);
}

/** Applies a grid map to u and v of every row: out(i, j) = in(source(i, j)). */
function transformGrid(x: number[][], n: number, source: (i: number, j: number) => [number, number]): number[][] {
  return x.map((row) => {
    const out = new Array<number>(row.length);
    for (let f = 0; f < 2; f++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const [si, sj] = source(i, j);
          out[f * n * n + i * n + j] = row[f * n * n + si * n + sj];
        }
      }
    }
    return out;
  });
}

const maxAbsDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
const maxAbs = (a: number[][]) => Math.max(...a.flatMap((r) => r.map(Math.abs)));

describe('nn/stencilField', () => {
  before(async () => {
    await initBackend();
  });

  it('periodicLaplacianTensor equals the float64 simulator stencil, and its gradient is the same (self-adjoint) operator', () => {
    const rng = createRng(1);
    for (const n of [3, 7, 10]) {
      const dx = 2 / n;
      const fields = uniformRows(rng, 3, n * n);
      const weights = uniformRows(rng, 3, n * n);
      const { lap, grad } = tf.tidy(() => {
        const f = tf.tensor3d(fields.flat(), [3, n, n]);
        const w = tf.tensor3d(weights.flat(), [3, n, n]);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(periodicLaplacianTensor(t as tf.Tensor3D, dx), w)))(f);
        return { lap: tf.reshape(periodicLaplacianTensor(f, dx), [3, n * n]).arraySync() as number[][], grad: tf.reshape(g, [3, n * n]).arraySync() as number[][] };
      });
      const exact = fields.map((f) => Array.from(laplacianPeriodic(Float64Array.from(f), n, dx)));
      const exactGrad = weights.map((w) => Array.from(laplacianPeriodic(Float64Array.from(w), n, dx)));
      assert.ok(maxAbsDiff(lap, exact) < 1e-5 * maxAbs(exact), `N = ${n}: Laplacian error ${maxAbsDiff(lap, exact)} of ${maxAbs(exact)}`);
      assert.ok(maxAbsDiff(grad, exactGrad) < 1e-5 * maxAbs(exactGrad), `N = ${n}: gradient error ${maxAbsDiff(grad, exactGrad)}`);
    }
  });

  it('commutes with periodic translations, a 90° rotation and a reflection of the grid, for any weights', () => {
    const n = 6;
    const s = spec(n);
    const rng = createRng(2);
    const params = randomParams(s, rng);
    const x = uniformRows(rng, 2, 2 * n * n, 0, 1);
    const eta = uniformRows(rng, 2, 2);
    const base = evaluate(s, params, x, eta);
    const maps: [string, (i: number, j: number) => [number, number]][] = [
      ['roll by (2, 5)', (i, j) => [(i + n - 2) % n, (j + n - 5) % n]],
      ['rotation by 90°', (i, j) => [j, n - 1 - i]],
      ['reflection j ↦ N−1−j', (i, j) => [i, n - 1 - j]],
    ];
    for (const [name, source] of maps) {
      const err = maxAbsDiff(evaluate(s, params, transformGrid(x, n, source), eta), transformGrid(base, n, source));
      assert.ok(err < 1e-5 * maxAbs(base), `${name}: ${err} (field scale ${maxAbs(base)})`);
    }
    // The same comparison separates fields that are not equivariant: the output of an unrolled input differs.
    assert.ok(maxAbsDiff(base, transformGrid(base, n, maps[0][1])) > 1e-2);
    tf.dispose(params);
  });

  it('with the diffusion head and a zero-output MLP the field is D(η) ⊙ s·Δ, D(η) = η W_D + b_D', () => {
    const n = 5;
    const s = spec(n, { etaDim: 3 });
    const rng = createRng(3);
    const params = randomParams(s, rng);
    const [wLast, bLast] = [params[s.depth], params[2 * s.depth + 1]];
    assert.deepEqual([wLast.shape, bLast.shape], [[s.width, 2], [2]], 'parameter order: weights, then biases, then W_D, b_D');
    const wD = [[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]];
    const bD = [0.3, 0.9];
    const replaced = [tf.zerosLike(wLast), tf.zerosLike(bLast), tf.tensor2d(wD), tf.tensor1d(bD)];
    const handSet = [...params];
    [handSet[s.depth], handSet[2 * s.depth + 1], handSet[handSet.length - 2], handSet[handSet.length - 1]] = replaced;
    const x = uniformRows(rng, 3, 2 * n * n, 0, 1);
    const eta = uniformRows(rng, 3, 3);
    const out = evaluate(s, handSet, x, eta);
    const expected = x.map((row, r) => {
      const d = [0, 1].map((c) => bD[c] + eta[r].reduce((acc, e, k) => acc + e * wD[k][c], 0));
      return [0, 1].flatMap((f) =>
        Array.from(laplacianPeriodic(Float64Array.from(row.slice(f * n * n, (f + 1) * n * n)), n, 2 / n), (l) => d[f] * s.laplacianScale * l),
      );
    });
    assert.ok(maxAbsDiff(out, expected) < 1e-5 * maxAbs(expected), `error ${maxAbsDiff(out, expected)} of ${maxAbs(expected)}`);
    tf.dispose([...params, ...replaced]);
  });

  it('the gradient of an RK4 rollout loss matches central finite differences', () => {
    const n = 5;
    const s = spec(n, { width: 8 });
    const rng = createRng(4);
    const params = randomParams(s, rng);
    const x0 = tf.tensor2d(uniformRows(rng, 2, 2 * n * n, 0, 1));
    const eta = tf.tensor2d(uniformRows(rng, 2, 2));
    const target = tf.tensor3d([uniformRows(rng, 2, 2 * n * n, 0, 1), uniformRows(rng, 2, 2 * n * n, 0, 1)]);
    const loss = (p: readonly tf.Tensor[]) =>
      tf.mean(tf.square(tf.sub(tf.slice(odeint(stencilVectorField(s, p, eta), x0, [0, 0.25, 0.5], { method: 'rk4' }), [1, 0, 0], [2, -1, -1]), target)));
    const grads = tf.tidy(() => tf.grads((...p: tf.Tensor[]) => loss(p))(params).map((g) => g.dataSync()));
    const h = 1e-2;
    // (tensor index, flat entry): first-layer weights of u and of η, a hidden weight, the output bias, W_D and b_D.
    const probes: [number, number][] = [[0, 0], [0, 4 * s.width + 3], [1, 7], [5, 1], [6, 2], [7, 1]];
    for (const [t, k] of probes) {
      const fd = centralDifference(loss, params, t, k, h);
      const g = grads[t][k];
      assert.ok(Math.abs(g - fd) <= 2e-2 * Math.abs(fd) + 1e-6, `param ${t}[${k}]: autodiff ${g} vs finite differences ${fd}`);
    }
    tf.dispose([...params, x0, eta, target]);
  });

  it('fits the FitzHugh–Nagumo field on N = 8 in a few hundred Adam steps', function () {
    this.timeout(60000);
    const n = 8;
    const sys = createFitzhughNagumo({ n });
    const s = spec(n, { width: 32 });
    const rng = createRng(5);
    // η ∈ [−1, 1]² stands for (a, b) = (1e-3, 5e-3)·(1 + η/2), the simulator's parameter box.
    const draw = (rows: number) => {
      const eta = uniformRows(rng, rows, 2);
      const mu = eta.map(([e0, e1]) => ({ a: 1e-3 * (1 + e0 / 2), b: 5e-3 * (1 + e1 / 2) }));
      const x = mu.map((m) => sys.sampleState(rng, m));
      const f = x.map((xi, r) => Array.from(sys.vectorField(xi, mu[r])));
      return { x: tf.tensor2d(x.map((xi) => Array.from(xi))), eta: tf.tensor2d(eta), f: tf.tensor2d(f) };
    };
    const relativeError = (p: readonly tf.Tensor[], d: ReturnType<typeof draw>) =>
      tf.tidy(() => tf.div(tf.norm(tf.sub(stencilVectorField(s, p, d.eta)(0, d.x), d.f)), tf.norm(d.f)).dataSync()[0]);
    let params = stencilFieldParamsInit(s, rng);
    let adam = adamInit(params);
    const test = draw(32);
    const before = relativeError(params, test);
    const steps = 300;
    for (let k = 0; k < steps; k++) {
      const d = draw(16);
      const grads = tf.tidy(() => tf.grads((...p: tf.Tensor[]) => tf.mean(tf.square(tf.sub(stencilVectorField(s, p, d.eta)(0, d.x), d.f))))(params));
      const next = adamStep(params, grads, adam, { lr: k < 0.7 * steps ? 1e-2 : 1e-3 });
      tf.dispose([...params, ...grads, d.x, d.eta, d.f]);
      disposeAdam(adam);
      ({ params, state: adam } = next);
    }
    const after = relativeError(params, test);
    assert.ok(after < 0.1 && after < before / 5, `relative field error ${before} -> ${after}`);
    tf.dispose([...params, test.x, test.eta, test.f]);
    disposeAdam(adam);
  });

  it('rejects a state whose width is not 2N², a wrong η width and a wrong parameter count, naming them', () => {
    const s = spec(4);
    const params = stencilFieldParamsInit(s, createRng(6));
    assert.equal(params.length, 2 * (s.depth + 1) + 2);
    tf.tidy(() => {
      const eta = tf.zeros([1, 2]) as tf.Tensor2D;
      assert.throws(() => stencilVectorField(s, params, eta)(0, tf.zeros([1, 31]) as tf.Tensor2D), (e: Error) => e instanceof ConfigError && /state width must be 2N² = 32.*got 31/.test(e.message));
      assert.throws(() => stencilVectorField(s, params, tf.zeros([1, 3]) as tf.Tensor2D), (e: Error) => e instanceof ConfigError && /etaRows must be \[rows, etaDim = 2\]/.test(e.message));
      assert.throws(() => stencilVectorField(s, params.slice(0, -1), eta), (e: Error) => e instanceof ConfigError && /params must hold 8 tensors/.test(e.message));
      assert.throws(() => stencilVectorField({ ...s, grid: 2 }, params, eta), (e: Error) => e instanceof ConfigError && /grid/.test(e.message));
    });
    tf.dispose(params);
  });

  it('leaves no tensor behind when evaluated and differentiated inside tf.tidy', () => {
    const n = 6;
    const s = spec(n);
    const params = stencilFieldParamsInit(s, createRng(7));
    const x = tf.randomUniform([3, 2 * n * n], 0, 1, 'float32', 1) as tf.Tensor2D;
    const eta = tf.randomUniform([3, 2], -1, 1, 'float32', 2) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      stencilVectorField(s, params, eta)(0, x).dataSync();
      tf.grads((...p: tf.Tensor[]) => tf.sum(stencilVectorField(s, p, eta)(0, x)))(params).forEach((g) => g.dataSync());
    });
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([...params, x, eta]);
  });
});
