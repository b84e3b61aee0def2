import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import { mlpValueAndInputGradient } from '../../src/nn/inputGradient';
import { type Activation, type MlpSpec, initMlp, mlpApply, mlpValueAndInputTangent, mlpTensors, mlpFromTensors, disposeMlp } from '../../src/nn/mlp';
import { TANH_VIA_SIGMOID_MIN_SIZE, matMul, tanh } from '../../src/nn/ops';

function specWith(act: Activation, sizes = [3, 16, 16, 1]): MlpSpec {
  return { sizes, activations: [act, act, { kind: 'identity' }], biases: [true, true, false] };
}

/** central finite difference of the scalar MLP output along input coordinate j, in float32 */
function finiteDifference(spec: MlpSpec, p: ReturnType<typeof initMlp>, x: number[][], j: number, h = 1e-2): number[] {
  return tf.tidy(() => {
    const plus = x.map((r) => r.map((v, k) => (k === j ? v + h : v)));
    const minus = x.map((r) => r.map((v, k) => (k === j ? v - h : v)));
    const d = tf.div(tf.sub(mlpApply(spec, p, tf.tensor2d(plus)), mlpApply(spec, p, tf.tensor2d(minus))), 2 * h);
    return Array.from(d.dataSync());
  });
}

describe('nn/mlp', () => {
  before(async () => {
    await initBackend();
  });

  for (const act of [{ kind: 'tanh' }, { kind: 'softplus', beta: 10 }, { kind: 'softplus', beta: 1 }] as Activation[]) {
    it(`analytic input gradient matches finite differences (${JSON.stringify(act)})`, () => {
      const spec = specWith(act);
      const p = initMlp(spec, createRng(3));
      const x = [[0.3, -0.7, 0.1], [-1.2, 0.4, 0.9], [0.05, 0.02, -0.5]];
      const g = tf.tidy(() => mlpValueAndInputGradient(spec, p, tf.tensor2d(x)).inputGradient.arraySync() as number[][]);
      for (let j = 0; j < 3; j++) {
        const fd = finiteDifference(spec, p, x, j, act.kind === 'softplus' && act.beta === 10 ? 2e-3 : 1e-2);
        fd.forEach((v, r) => assert.ok(Math.abs(v - g[r][j]) <= 2e-2 * Math.max(1e-2, Math.abs(v)) + 2e-4, `row ${r} col ${j}: fd ${v} vs ${g[r][j]}`));
      }
      disposeMlp(p);
    });
  }

  it('the input tangent of a 3-output MLP is each output\'s derivative in one input column (central differences), and the value is the forward pass', () => {
    for (const act of [{ kind: 'tanh' }, { kind: 'softplus', beta: 2 }] as Activation[]) {
      const spec: MlpSpec = { sizes: [3, 12, 12, 3], activations: [act, act, { kind: 'identity' }], biases: [true, true, true] };
      const p = initMlp(spec, createRng(4));
      const x = [[0.3, -0.7, 0.1], [-1.2, 0.4, 0.9], [0.05, 0.02, -0.5]];
      const apply = (rows: number[][]) => tf.tidy(() => mlpApply(spec, p, tf.tensor2d(rows)).arraySync() as number[][]);
      for (const column of [0, 2]) {
        const { value, tangent } = tf.tidy(() => {
          const out = mlpValueAndInputTangent(spec, p, tf.tensor2d(x), column);
          return { value: out.value.arraySync() as number[][], tangent: out.tangent.arraySync() as number[][] };
        });
        const h = 1e-2;
        const shifted = (sign: number) => apply(x.map((r) => r.map((v, j) => (j === column ? v + sign * h : v))));
        const [plus, minus] = [shifted(1), shifted(-1)];
        const direct = apply(x);
        tangent.forEach((row, r) =>
          row.forEach((t, k) => {
            const fd = (plus[r][k] - minus[r][k]) / (2 * h);
            assert.ok(Math.abs(t - fd) <= 1e-2 * Math.abs(fd) + 2e-4, `${act.kind}, column ${column}, row ${r}, output ${k}: tangent ${t} vs fd ${fd}`);
            assert.ok(Math.abs(value[r][k] - direct[r][k]) < 1e-6);
          }),
        );
      }
      assert.throws(() => mlpValueAndInputTangent(spec, p, tf.tensor2d(x), 3), /input column must be an integer in \[0, 3\), got 3/);
      disposeMlp(p);
    }
  });

  it('input gradient agrees with tf.grad for a softplus MLP (where nested autodiff is safe)', () => {
    const spec = specWith({ kind: 'softplus', beta: 1 });
    const p = initMlp(spec, createRng(5));
    const x = tf.tensor2d([[0.3, -0.7, 0.1], [1.1, 0.2, -0.3]]);
    const ours = tf.tidy(() => mlpValueAndInputGradient(spec, p, x).inputGradient.arraySync() as number[][]);
    const auto = tf.tidy(() => tf.grad((xx: tf.Tensor) => tf.sum(mlpApply(spec, p, xx as tf.Tensor2D)))(x).arraySync() as number[][]);
    ours.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - auto[i][j]) < 1e-5, `${v} vs ${auto[i][j]}`)));
    disposeMlp(p);
    x.dispose();
  });

  it('parameter gradient of a loss containing the input gradient matches finite differences (tanh)', () => {
    // L(θ) = Σ (∂y/∂x)²: the HNN-type loss; first-order autodiff through the hand-written backward pass.
    const spec = specWith({ kind: 'tanh' }, [2, 8, 8, 1]);
    const p = initMlp(spec, createRng(11));
    const x = tf.tensor2d([[0.3, -0.7], [0.8, 0.1]]);
    const loss = (ts: tf.Tensor[]) => tf.sum(tf.square(mlpValueAndInputGradient(spec, mlpFromTensors(spec, ts), x).inputGradient));
    const params = mlpTensors(p);
    const grads = tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => loss(ts))(params).map((g) => g.arraySync()));
    // Perturb one entry of W_1 (index [1, 3]) and of W_2 ([2, 5]).
    for (const [layer, i, j] of [[0, 1, 3], [1, 2, 5]] as const) {
      const h = 1e-2;
      const base = params[layer].arraySync() as number[][];
      const shifted = (delta: number) => {
        const w = base.map((r) => r.slice());
        w[i][j] += delta;
        const ts = params.slice();
        ts[layer] = tf.tensor2d(w);
        const v = tf.tidy(() => loss(ts).dataSync()[0]);
        ts[layer].dispose();
        return v;
      };
      const fd = (shifted(h) - shifted(-h)) / (2 * h);
      const an = (grads[layer] as number[][])[i][j];
      assert.ok(Math.abs(fd - an) <= 2e-2 * Math.abs(fd) + 1e-4, `layer ${layer}: fd ${fd} vs analytic ${an}`);
    }
    disposeMlp(p);
    x.dispose();
  });

  it('matMul with explicit-transpose gradient equals tf.matMul and its gradient', () => {
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[0.5, -1], [2, 0.25], [-3, 1]]);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(matMul(x as tf.Tensor2D, y as tf.Tensor2D)));
    const g = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)));
    const [ga, gb] = tf.grads(f)([a, b]);
    const [ra, rb] = tf.grads(g)([a, b]);
    assert.deepEqual(ga.arraySync(), ra.arraySync());
    assert.deepEqual(gb.arraySync(), rb.arraySync());
    tf.dispose([a, b, ga, gb, ra, rb]);
  });

  for (const size of [12, TANH_VIA_SIGMOID_MIN_SIZE]) {
    it(`tanh equals Math.tanh to float32 round-off, saturates to ±1 and has the first and second derivatives of tanh (${size} entries)`, () => {
      const base = [-40, -8, -2, -0.5, -1e-3, 0, 1e-4, 0.3, 1, 3, 9, 40];
      const zs = Array.from({ length: size }, (_, i) => base[i % base.length]);
      const z = tf.tensor1d(zs);
      const value = Array.from(tanh(z).dataSync());
      // d/dz = 1 − tanh², d²/dz² = −2 tanh (1 − tanh²), through nested tf.grad.
      const first = tf.grad((x: tf.Tensor) => tf.sum(tanh(x)));
      const d1 = Array.from(first(z).dataSync());
      const d2 = Array.from(tf.grad((x: tf.Tensor) => tf.sum(first(tf.clone(x))))(z).dataSync());
      base.forEach((v, i) => {
        const t = Math.tanh(v);
        assert.ok(Math.abs(value[i] - t) < 2e-7, `tanh(${v}) = ${value[i]}, expected ${t}`);
        assert.ok(Math.abs(d1[i] - (1 - t * t)) < 1e-6, `tanh'(${v}) = ${d1[i]}`);
        assert.ok(Math.abs(d2[i] + 2 * t * (1 - t * t)) < 1e-6, `tanh''(${v}) = ${d2[i]}`);
      });
      z.dispose();
    });
  }

  it('initialisation is deterministic per seed and follows U(±1/√fan_in)', () => {
    const spec = specWith({ kind: 'tanh' }, [4, 32, 32, 1]);
    const p1 = initMlp(spec, createRng(7));
    const p2 = initMlp(spec, createRng(7));
    assert.deepEqual(p1.weights[0].arraySync(), p2.weights[0].arraySync());
    const w = p1.weights[1].dataSync();
    assert.ok(Math.max(...Array.from(w, Math.abs)) <= 1 / Math.sqrt(32));
    assert.equal(p1.biases[2], null);
    disposeMlp(p1);
    disposeMlp(p2);
  });

  it('rejects inconsistent specs with a message naming the problem', () => {
    assert.throws(() => initMlp({ sizes: [2, 3, 1], activations: [{ kind: 'tanh' }], biases: [true, true] }, createRng(1)), /one activation and one bias flag per layer/);
    assert.throws(() => initMlp({ sizes: [2, 0, 1], activations: [{ kind: 'tanh' }, { kind: 'identity' }], biases: [true, true] }, createRng(1)), /positive integers/);
  });
});
