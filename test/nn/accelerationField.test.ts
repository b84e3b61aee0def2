import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { type Rng, createRng } from '../../src/core/rng';
import { type AccelerationFieldSpec, accelerationFieldParamsInit, accelerationMlpSpec, accelerationVectorField } from '../../src/nn/accelerationField';
import { adamInit, adamStep, disposeAdam } from '../../src/nn/adam';
import { initMlp, mlpTensors } from '../../src/nn/mlp';
import { vanDerPol } from '../../src/systems/vanDerPol';
import { assertGradientMatchesCentralDifferences, randomMatrix, randomRolloutLoss } from '../helpers/numeric';

const base: AccelerationFieldSpec = { positionDim: 2, etaDim: 3, width: 16, depth: 2, activation: 'tanh', beta: 1, oddInState: true };

function fieldAt(s: AccelerationFieldSpec, params: readonly tf.Tensor[], x: number[][], eta: number[][]): number[][] {
  return tf.tidy(() => accelerationVectorField(s, params, tf.tensor2d(eta))(0, tf.tensor2d(x)).arraySync() as number[][]);
}

/** n Van der Pol states from the system's initial-state box, μ ~ U(paramBox) per row as η, and the true x''. */
function vanDerPolSamples(rng: Rng, n: number): { x: tf.Tensor2D; eta: tf.Tensor2D; acceleration: tf.Tensor2D } {
  const [lo, hi] = vanDerPol.paramBox!.mu;
  const x = new Float32Array(2 * n);
  const eta = new Float32Array(n);
  const acceleration = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const mu = rng.uniformIn(lo, hi);
    const state = vanDerPol.sampleState(rng, { mu });
    x.set(state, 2 * r);
    eta[r] = mu;
    acceleration[r] = vanDerPol.vectorField(state, { mu })[1];
  }
  return { x: tf.tensor2d(x, [n, 2]), eta: tf.tensor2d(eta, [n, 1]), acceleration: tf.tensor2d(acceleration, [n, 1]) };
}

describe('nn/accelerationField', () => {
  before(async () => {
    await initBackend();
  });

  it('has depth × [Linear, σ] hidden layers on (q, v, η) and a linear output of width n', () => {
    const spec = accelerationMlpSpec({ ...base, activation: 'softplus', beta: 10, depth: 3, width: 32 });
    assert.deepEqual(spec.sizes, [2 * 2 + 3, 32, 32, 32, 2]);
    assert.deepEqual(spec.activations, [{ kind: 'softplus', beta: 10 }, { kind: 'softplus', beta: 10 }, { kind: 'softplus', beta: 10 }, { kind: 'identity' }]);
    assert.deepEqual(spec.biases, [true, true, true, true]);
  });

  it('maps [rows, 2n] to [rows, 2n] with q̇ = v exactly, from MlpParams or the flat tensor list alike', () => {
    const rng = createRng(1);
    const net = initMlp(accelerationMlpSpec(base), rng);
    const x = randomMatrix(rng, 5, 4, 1);
    const eta = randomMatrix(rng, 5, 3, 1);
    const fromList = fieldAt(base, mlpTensors(net), x, eta);
    const fromNet = tf.tidy(() => accelerationVectorField(base, net, tf.tensor2d(eta))(0, tf.tensor2d(x)).arraySync() as number[][]);
    assert.deepEqual(fromList, fromNet);
    assert.equal(fromList.length, 5);
    fromList.forEach((row, r) => {
      assert.equal(row.length, 4);
      // v as stored in float32, bit for bit
      assert.deepEqual(row.slice(0, 2), Array.from(Float32Array.from(x[r].slice(2))));
    });
    tf.dispose(mlpTensors(net));
  });

  it('oddInState makes a(−q, −v) = −a(q, v) for random weights; without it the identity fails', () => {
    const rng = createRng(2);
    const x = randomMatrix(rng, 6, 4, 1.5);
    const minusX = x.map((r) => r.map((v) => -v));
    const eta = randomMatrix(rng, 6, 3, 1);
    for (const oddInState of [true, false]) {
      const s = { ...base, oddInState };
      const params = accelerationFieldParamsInit(s, createRng(3));
      const a = fieldAt(s, params, x, eta);
      const b = fieldAt(s, params, minusX, eta);
      const worst = Math.max(...a.flatMap((row, r) => row.map((v, j) => Math.abs(v + b[r][j]))));
      if (oddInState) assert.ok(worst < 1e-6, `odd field: |f(x) + f(−x)| up to ${worst}`);
      else assert.ok(worst > 1e-2, `an unsymmetrised network should not be odd by accident (|f(x) + f(−x)| ≤ ${worst})`);
      tf.dispose(params);
    }
  });

  for (const activation of ['tanh', 'softplus'] as const) {
    it(`the gradient of an RK4 rollout loss matches central finite differences (${activation})`, () => {
      const s: AccelerationFieldSpec = { ...base, activation, beta: 2 };
      const rng = createRng(4);
      const params = accelerationFieldParamsInit(s, rng);
      const rollout = randomRolloutLoss(rng, 4, 3, (ps, eta) => accelerationVectorField(s, ps, eta));
      // W_1, W_2, W_3 and b_1 at their largest gradient entry, so the comparison is not dominated by float32 noise.
      // 3e-5 absolute: the float32 resolution of the central difference, one ulp of L ≈ 2 (2.4e-7) over 2h is 1.2e-5.
      const worst = assertGradientMatchesCentralDifferences(rollout.loss, params, [0, 1, 2, 3], 1e-2, { relative: 2e-2, absolute: 3e-5 });
      console.log(`      rollout gradient vs finite differences (${activation}): worst relative error ${worst.toExponential(2)}`);
      tf.dispose(params);
      rollout.dispose();
    });
  }

  it('leaves no tensors behind when a field is built, evaluated and differentiated inside tf.tidy', () => {
    const params = accelerationFieldParamsInit(base, createRng(5));
    const x = tf.tensor2d(randomMatrix(createRng(6), 3, 4, 1));
    const eta = tf.tensor2d(randomMatrix(createRng(7), 3, 3, 1));
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      accelerationVectorField(base, params, eta)(0, x).dataSync();
      tf.grads((...ps: tf.Tensor[]) => tf.sum(accelerationVectorField(base, ps, eta)(0, x)))(params);
    });
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([...params, x, eta]);
  });

  it('rejects a bad spec or input with a ConfigError naming the field', () => {
    const params = accelerationFieldParamsInit(base, createRng(8));
    const eta = tf.tensor2d([[0, 0, 0]]);
    assert.throws(() => accelerationMlpSpec({ ...base, positionDim: 0 }), (e: Error) => e instanceof ConfigError && /positionDim/.test(e.message));
    assert.throws(() => accelerationMlpSpec({ ...base, activation: 'softplus', beta: 0 }), (e: Error) => e instanceof ConfigError && /softplus beta must be > 0/.test(e.message));
    assert.throws(() => accelerationMlpSpec({ ...base, activation: 'relu' as 'tanh' }), (e: Error) => e instanceof ConfigError && /activation must be one of tanh, softplus/.test(e.message));
    assert.throws(() => accelerationVectorField(base, params, tf.tensor2d([[0, 0]])), (e: Error) => e instanceof ConfigError && /etaRows must be \[rows, etaDim = 3\]/.test(e.message));
    const field = accelerationVectorField(base, params, eta);
    assert.throws(() => field(0, tf.tensor2d([[0, 0, 0]])), (e: Error) => e instanceof ConfigError && /state must be \[rows, 2·positionDim = 4\]/.test(e.message));
    assert.throws(() => field(0, tf.zeros([2, 4]) as tf.Tensor2D), (e: Error) => e instanceof ConfigError && /2 rows but etaRows has 1/.test(e.message));
    tf.dispose([...params, eta]);
  });

  it('fits the Van der Pol field across μ (η = μ) to < 5 % relative error in 600 Adam steps', () => {
    // Fresh states every step (the field is known everywhere), Adam with lr 0.05 decaying geometrically to 0.0025.
    const s: AccelerationFieldSpec = { positionDim: 1, etaDim: 1, width: 24, depth: 2, activation: 'softplus', beta: 1, oddInState: true };
    const rng = createRng(5);
    const accelerationOf = (ps: readonly tf.Tensor[], d: ReturnType<typeof vanDerPolSamples>) =>
      tf.slice(accelerationVectorField(s, ps, d.eta)(0, d.x), [0, 1], [-1, 1]);
    let params = accelerationFieldParamsInit(s, rng);
    let state = adamInit(params);
    const steps = 600;
    for (let k = 0; k < steps; k++) {
      const batch = vanDerPolSamples(rng, 256);
      const grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => tf.mean(tf.square(tf.sub(accelerationOf(ps, batch), batch.acceleration))))(params));
      const next = adamStep(params, grads, state, { lr: 0.05 * Math.pow(0.05, k / steps) });
      tf.dispose([...params, ...grads, batch.x, batch.eta, batch.acceleration]);
      disposeAdam(state);
      params = next.params;
      state = next.state;
    }
    const test = vanDerPolSamples(createRng(99), 1000);
    const relative = tf.tidy(() => {
      const error = tf.sum(tf.square(tf.sub(accelerationOf(params, test), test.acceleration)));
      return Math.sqrt(error.dataSync()[0] / tf.sum(tf.square(test.acceleration)).dataSync()[0]);
    });
    console.log(`      Van der Pol fit: relative acceleration error ${(100 * relative).toFixed(2)} % on 1000 held-out states`);
    assert.ok(relative < 0.05, `relative error ${relative}`);
    tf.dispose([...params, test.x, test.eta, test.acceleration]);
    disposeAdam(state);
  });
});
