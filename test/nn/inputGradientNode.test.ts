/**
 * conditionedInputGradient (one custom-gradient node with a hand-written vector–Jacobian product) against the taped
 * analytic input gradient of conditionedValueAndInputGradient: the same values bit for bit, the same first-order
 * gradients for every tensor it depends on, and correct second-order gradients (checked against finite
 * differences), for the activations and layouts the models use.
 */
import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import { type Activation, type MlpSpec, conditionMlp, conditionedInputGradient, conditionedValueAndInputGradient, initMlp, mlpFromTensors, mlpTensors } from '../../src/nn/mlp';

interface Case {
  name: string;
  spec: MlpSpec;
  /** columns of the input that are a per-row condition (η) */
  conditionDim: number;
}

const softplus10: Activation = { kind: 'softplus', beta: 10 };
const CASES: Case[] = [
  {
    name: "iMODE energy net (identity first layer, softplus β = 10, no output bias, η condition)",
    spec: { sizes: [2, 8, 8, 8, 1], activations: [{ kind: 'identity' }, softplus10, softplus10, { kind: 'identity' }], biases: [true, true, true, false] },
    conditionDim: 1,
  },
  {
    name: 'HNN tanh net (no condition)',
    spec: { sizes: [2, 8, 8, 1], activations: [{ kind: 'tanh' }, { kind: 'tanh' }, { kind: 'identity' }], biases: [true, true, false] },
    conditionDim: 0,
  },
  {
    name: 'three identity layers on top (their biases do not reach ∂y/∂x), softplus β = 1, condition of 2',
    spec: { sizes: [4, 6, 5, 3, 1], activations: [{ kind: 'softplus', beta: 1 }, { kind: 'identity' }, { kind: 'identity' }, { kind: 'identity' }], biases: [true, false, false, false] },
    conditionDim: 2,
  },
];

const X = [[0.3, -0.2], [-0.5, 0.4], [0.1, 0.05]];

function setup(c: Case) {
  const rng = createRng(17);
  const params = mlpTensors(initMlp(c.spec, rng));
  const inputDim = c.spec.sizes[0] - c.conditionDim;
  const x = tf.tensor2d(X.map((r) => r.slice(0, inputDim).concat(Array(Math.max(0, inputDim - r.length)).fill(0.2))));
  const condition = c.conditionDim > 0 ? tf.tensor2d(X.map((_, i) => Array.from({ length: c.conditionDim }, (_, j) => 0.3 * (i + 1) - 0.2 * j))) : null;
  const weights = tf.tensor2d(X.map((_, i) => Array.from({ length: inputDim }, (_, j) => 1 + 0.5 * i - 0.7 * j)));
  return { params, x, condition, weights };
}

/** L = Σ w ⊙ ∂y/∂x through the node (fast) or the taped analytic pass (reference). */
function loss(c: Case, fast: boolean, params: tf.Tensor[], x: tf.Tensor2D, condition: tf.Tensor2D | null, w: tf.Tensor2D): tf.Scalar {
  const m = conditionMlp(c.spec, mlpFromTensors(c.spec, params), condition);
  const g = fast ? conditionedInputGradient(m, x) : conditionedValueAndInputGradient(m, x).inputGradient;
  return tf.sum(tf.mul(g, w)) as tf.Scalar;
}

describe('nn/mlp conditionedInputGradient (custom-gradient node)', () => {
  before(async () => {
    await initBackend();
  });

  for (const c of CASES) {
    it(`${c.name}: the value equals the taped analytic input gradient exactly`, () => {
      const { params, x, condition, weights } = setup(c);
      const m = conditionMlp(c.spec, mlpFromTensors(c.spec, params), condition);
      const fast = tf.tidy(() => Array.from(conditionedInputGradient(m, x).dataSync()));
      const ref = tf.tidy(() => Array.from(conditionedValueAndInputGradient(m, x).inputGradient.dataSync()));
      assert.deepEqual(fast, ref);
      tf.dispose([...params, x, weights, ...(condition ? [condition] : [])]);
    });

    it(`${c.name}: first-order gradients for x, the weights, the biases and the condition match the taped path`, () => {
      const { params, x, condition, weights } = setup(c);
      const before = tf.memory().numTensors;
      const wrt = [x, ...params, ...(condition ? [condition] : [])];
      const grads = (fast: boolean) =>
        tf.tidy(() =>
          tf.grads((...ts: tf.Tensor[]) => loss(c, fast, ts.slice(1, 1 + params.length), ts[0] as tf.Tensor2D, condition ? (ts[ts.length - 1] as tf.Tensor2D) : null, weights))(wrt).map((g) => Array.from(g.dataSync())),
        );
      const fast = grads(true);
      const ref = grads(false);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      fast.forEach((g, i) => {
        const scale = Math.max(1e-6, ...ref[i].map(Math.abs));
        g.forEach((v, j) => assert.ok(Math.abs(v - ref[i][j]) <= 1e-5 * scale, `tensor ${i} entry ${j}: ${v} vs ${ref[i][j]}`));
      });
      tf.dispose([...params, x, weights, ...(condition ? [condition] : [])]);
    });
  }

  it('second order (the iMODE inner step differentiated through): ∂/∂θ |∂L/∂η|² matches finite differences and the taped path', () => {
    const c = CASES[0];
    const { params, x, condition, weights } = setup(c);
    const cond = condition as tf.Tensor2D;
    // outer(θ) = Σ (∂L/∂η)², L the loss above: third derivatives of y overall.
    const outer = (fast: boolean, ps: tf.Tensor[]) => {
      const g = tf.grad((e: tf.Tensor) => loss(c, fast, ps, x, tf.clone(e) as tf.Tensor2D, weights))(cond);
      return tf.sum(tf.square(g)) as tf.Scalar;
    };
    const grads = (fast: boolean) => tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => outer(fast, ps))(params).map((g) => Array.from(g.dataSync())));
    const fast = grads(true);
    const ref = grads(false);
    // Finite differences (float32, central) on entries of the first and second weight matrices.
    for (const [tensor, entry] of [[0, 3], [1, 10], [2, 5]] as const) {
      const h = 1e-2;
      const at = (delta: number) =>
        tf.tidy(() => {
          const values = params[tensor].dataSync().slice();
          values[entry] += delta;
          const shifted = params.map((p, i) => (i === tensor ? tf.tensor(values, p.shape) : p));
          return outer(true, shifted).dataSync()[0];
        });
      const fd = (at(h) - at(-h)) / (2 * h);
      const scale = Math.max(...fast[tensor].map(Math.abs));
      assert.ok(Math.abs(fd - fast[tensor][entry]) <= 2e-2 * scale, `θ${tensor}[${entry}]: fd ${fd} vs node ${fast[tensor][entry]}`);
      assert.ok(Math.abs(ref[tensor][entry] - fast[tensor][entry]) <= 1e-4 * scale, `θ${tensor}[${entry}]: taped ${ref[tensor][entry]} vs node ${fast[tensor][entry]}`);
    }
    tf.dispose([...params, x, weights, cond]);
  });
});
