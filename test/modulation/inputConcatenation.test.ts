import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import { disposeFieldTasks } from '../../src/data/fieldTask';
import { disposeStackedFieldTasks, stackFieldTasks } from '../../src/meta/fieldTasks';
import { hnnBaseSpec, perTaskModulatedLoss } from '../../src/meta/latentModulation';
import { genericLatentModel } from '../../src/models/generic';
import { hnnLatentModel } from '../../src/models/hnn';
import { modulatedValueAndInputGradient } from '../../src/modulation/modulatedInputGradient';
import { conditionModulatedMlp, disposeModulatedMlp, modulatedMlpTensors, modulationParameterCounts } from '../../src/modulation/modulatedMlp';
import { MODULATION_KINDS, type ModulationSpec, modulationSpec } from '../../src/modulation/modulation';
import { mlpValueAndInputGradient } from '../../src/nn/inputGradient';
import type { MlpParams, MlpSpec } from '../../src/nn/mlp';
import { springTasks } from '../helpers/fieldTasks';
import { modulatedFixture } from '../helpers/modulation';
import { assertGradientMatchesCentralDifferences, randomMatrix } from '../helpers/numeric';

type Evaluation = { H: number[]; grad: number[][] };

function evaluateInput(spec: ModulationSpec, params: ReturnType<typeof modulatedFixture>['params'], x: number[][], codes: number[][]): Evaluation {
  return tf.tidy(() => {
    const r = modulatedValueAndInputGradient(conditionModulatedMlp(spec, params, { codes: tf.tensor2d(codes) }), tf.tensor2d(x));
    return { H: Array.from(r.value.dataSync()), grad: r.inputGradient.arraySync() as number[][] };
  });
}

describe('modulation/inputConcatenation (iMODE conditioning as a modulation kind)', () => {
  before(async () => {
    await initBackend();
  });

  const x = randomMatrix(createRng(100), 5, 2, 1);
  const codes = randomMatrix(createRng(101), 5, 3, 1);

  it("equals a plain MLP on [x, η] with W_1 = [W_x; Φ] and b_1 + φ₀ (value and ∂H/∂x), at depth 2 and 3", () => {
    for (const depth of [2, 3]) {
      const { spec, params } = modulatedFixture('input', 7, { depth, latentDim: 3 });
      const got = evaluateInput(spec, params, x, codes);
      const want = tf.tidy(() => {
        const sizes = [spec.base.sizes[0] + spec.latentDim, ...spec.base.sizes.slice(1)];
        const plainSpec: MlpSpec = { ...spec.base, sizes };
        const b1 = params.base.biases[0];
        const plain: MlpParams = {
          weights: [tf.concat([params.base.weights[0], params.hyperWeight], 0) as tf.Tensor2D, ...params.base.weights.slice(1)],
          biases: [b1 ? (tf.add(b1, params.hyperBias) as tf.Tensor1D) : params.hyperBias, ...params.base.biases.slice(1)],
        };
        const r = mlpValueAndInputGradient(plainSpec, plain, tf.concat([tf.tensor2d(x), tf.tensor2d(codes)], 1) as tf.Tensor2D);
        return { H: Array.from(r.value.dataSync()), grad: (r.inputGradient.arraySync() as number[][]).map((row) => row.slice(0, 2)) };
      });
      got.H.forEach((v, r) => assert.ok(Math.abs(v - want.H[r]) <= 1e-5 * (1 + Math.abs(want.H[r])), `depth ${depth} row ${r}: H ${v} vs ${want.H[r]}`));
      got.grad.forEach((row, r) => row.forEach((v, j) => assert.ok(Math.abs(v - want.grad[r][j]) <= 1e-5 * (1 + Math.abs(want.grad[r][j])), `depth ${depth} row ${r} x_${j}: ${v} vs ${want.grad[r][j]}`)));
      disposeModulatedMlp(params);
    }
  });

  for (const activation of ['tanh', 'softplus'] as const) {
    it(`the analytic ∂H/∂x matches central differences (${activation}, step 1e-3, float32)`, () => {
      const { spec, params } = modulatedFixture('input', 3, { activation, depth: 3 });
      const { grad } = evaluateInput(spec, params, x, codes);
      const h = 1e-3;
      let worst = 0;
      for (let j = 0; j < 2; j++) {
        const plus = evaluateInput(spec, params, x.map((r) => r.map((v, k) => (k === j ? v + h : v))), codes).H;
        const minus = evaluateInput(spec, params, x.map((r) => r.map((v, k) => (k === j ? v - h : v))), codes).H;
        plus.forEach((p, r) => {
          const fd = (p - minus[r]) / (2 * h);
          worst = Math.max(worst, Math.abs(fd - grad[r][j]) / Math.max(Math.abs(fd), 1e-2));
          assert.ok(Math.abs(fd - grad[r][j]) <= 2e-2 * Math.max(Math.abs(fd), 1e-2), `row ${r}, x_${j}: fd ${fd} vs analytic ${grad[r][j]}`);
        });
      }
      console.log(`      input (${activation}): worst relative error of ∂H/∂x ${worst.toExponential(2)}`);
      disposeModulatedMlp(params);
    });
  }

  it('the HNN-loss gradient w.r.t. base weights, Φ, φ₀ and η matches central differences (tasks by membership)', () => {
    const { spec, params } = modulatedFixture('input', 5, { latentDim: 3 });
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(6, [1.5, 4], 8);
    const stack = stackFieldTasks(tasks);
    const all = [...modulatedMlpTensors(params), tf.tensor2d(randomMatrix(createRng(7), 2, 3, 0.5))];
    const loss = (ps: readonly tf.Tensor[]) => tf.sum(perTaskModulatedLoss(hnn, hnn.fromTensors(ps.slice(0, -1)), stack, ps[ps.length - 1] as tf.Tensor2D)) as tf.Scalar;
    const worst = assertGradientMatchesCentralDifferences(loss, all, all.map((_, k) => k), 1e-2, { relative: 3e-2, absolute: 1e-3 });
    console.log(`      input: ${all.length} tensors, worst relative error ${worst.toExponential(2)}`);
    tf.dispose(all);
    disposeStackedFieldTasks(stack);
    disposeFieldTasks(tasks);
  });

  it('the GENERIC field loss (DNO layout) has the gradient of central differences w.r.t. every tensor and η', () => {
    const spec = modulationSpec(hnnBaseSpec({ width: 6, depth: 2, activation: 'tanh', beta: 1 }, 3), 'input', { latentDim: 3 });
    const generic = genericLatentModel(spec, { stateDim: 3, entropyVariables: 1 });
    const init = generic.init(createRng(8));
    const rng = createRng(9);
    // Φ larger than its 0.01 init, so that η visibly changes Ẽ
    const tensors = generic.tensors(init).map((t) => (t === init.energy.hyperWeight ? tf.tensor2d(randomMatrix(rng, spec.latentDim, t.size / spec.latentDim, 0.5)) : tf.clone(t)));
    tf.dispose(generic.tensors(init));
    const task = () => ({ x: tf.tensor2d(randomMatrix(rng, 6, 3, 1)), xdot: tf.tensor2d(randomMatrix(rng, 6, 3, 1)) });
    const parts = [task(), task()];
    const stack = stackFieldTasks(parts);
    const all = [...tensors, tf.tensor2d(randomMatrix(rng, 2, 3, 0.5))];
    const loss = (ps: readonly tf.Tensor[]) => tf.sum(perTaskModulatedLoss(generic, generic.fromTensors(ps.slice(0, -1)), stack, ps[ps.length - 1] as tf.Tensor2D)) as tf.Scalar;
    const worst = assertGradientMatchesCentralDifferences(loss, all, all.map((_, k) => k), 1e-2, { relative: 3e-2, absolute: 1e-3 });
    console.log(`      input (GENERIC): ${all.length} tensors, worst relative error ${worst.toExponential(2)}`);
    tf.dispose(all);
    disposeStackedFieldTasks(stack);
    disposeFieldTasks(parts);
  });

  it("modulates the first layer only (hypernetwork outputs = width), and is not one of Paper B's kinds", () => {
    const { spec, params } = modulatedFixture('input', 1, { depth: 3, width: 6, latentDim: 3 });
    const counts = modulationParameterCounts(spec);
    assert.equal(counts.hypernetworkOutputs, 6);
    assert.equal(counts.hypernetwork, 4 * 6);
    assert.equal(counts.shared, 0);
    assert.deepEqual(modulationParameterCounts(modulationSpec(spec.base, 'shift', { latentDim: 3 })).hypernetworkOutputs, 18);
    // layers after the first see no η: only the first layer's offset carries per-row values
    tf.tidy(() => {
      const m = conditionModulatedMlp(spec, params, { codes: tf.tensor2d(codes) });
      assert.deepEqual(m.layers.map((l) => (l.offset ? l.offset.shape : null)), [[5, 6], [6], [6], null]);
      assert.ok(m.layers.every((l) => l.modulation === null));
    });
    assert.ok(!(MODULATION_KINDS as readonly string[]).includes('input'));
    disposeModulatedMlp(params);
  });
});
