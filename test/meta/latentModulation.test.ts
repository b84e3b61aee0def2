import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { checkpointStore } from '../../src/core/checkpoint';
import { ConfigError } from '../../src/core/errors';
import { createRng, restoreRng } from '../../src/core/rng';
import { disposeStackedFieldTasks, sampleIndices, stackFieldTasks } from '../../src/meta/fieldTasks';
import { disposeFieldTasks } from '../../src/data/fieldTask';
import {
  DEFAULT_AUTO_DECODE_OPTIONS,
  DEFAULT_LATENT_META_OPTIONS,
  type LatentMetaOptions,
  type SavedLatentMeta,
  autoDecode,
  disposeLatentMetaState,
  hnnBaseSpec,
  initLatentMetaState,
  innerLatentSteps,
  latentMetaStep,
  latentMetaTrain,
  latentOuterObjective,
  limitRowNorms,
  meanLatent,
  restoreLatentMetaState,
  taskLossAt,
  validateLatentMetaOptions,
} from '../../src/meta/latentModulation';
import { disposeModulatedMlp, initModulatedMlp, modulatedMlpTensors } from '../../src/modulation/modulatedMlp';
import { type ModulationKind, modulationSpec } from '../../src/modulation/modulation';
import { hiddenLayersMlpSpec } from '../../src/nn/accelerationField';
import { hnnLatentModel } from '../../src/models/hnn';
import { modulatedFixture } from '../helpers/modulation';
import { TRAIN_K, springTasks } from '../helpers/fieldTasks';
import { tmpDir } from '../helpers/tmpDir';
import { assertGradientMatchesCentralDifferences, randomMatrix } from '../helpers/numeric';

const OPTIONS: LatentMetaOptions = { ...DEFAULT_LATENT_META_OPTIONS, outerIterations: 150, taskBatch: 4, outerLr: 3e-3, innerLr: 1e-1 };

function smallSpec(kind: ModulationKind) {
  return modulationSpec(hnnBaseSpec({ width: 16, depth: 2, activation: 'tanh', beta: 1 }, 2), kind, { latentDim: 3 });
}

describe('meta/latentModulation (Paper B Algorithms 1 and 2)', () => {
  before(async () => {
    await initBackend();
  });

  it('Algorithm 1 lowers the loss, and auto-decoding from z_avg fits an unseen instance better than no adaptation', () => {
    const spec = smallSpec('ro');
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(1, TRAIN_K, 32);
    const [unseen] = springTasks(2, [2.75], 32);
    const trained = latentMetaTrain(hnn, initLatentMetaState(hnn, initModulatedMlp(spec, createRng(3)), tasks.length), tasks, OPTIONS, createRng(4));
    const h = trained.lossHistory;
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const first = mean(h.slice(0, 10));
    const last = mean(h.slice(-10));
    const zAvg = meanLatent(trained.codes);
    const fromMean = autoDecode(hnn, trained.params, trained.codes, unseen, DEFAULT_AUTO_DECODE_OPTIONS);
    const fromZero = autoDecode(hnn, trained.params, trained.codes, unseen, { ...DEFAULT_AUTO_DECODE_OPTIONS, init: 'zero' });
    console.log(
      `      loss first/last 10 iterations ${first.toExponential(3)} / ${last.toExponential(3)}; unseen k=2.75: ` +
        `no adaptation (z_avg) ${taskLossAt(hnn, trained.params, unseen, zAvg).toExponential(3)}, ` +
        `100 steps from z_avg ${fromMean.losses[100].toExponential(3)}, from 0 ${fromZero.losses[100].toExponential(3)}`,
    );
    assert.ok(last < 0.5 * first, `meta-training loss ${first} -> ${last}`);
    assert.equal(fromMean.losses.length, 101);
    assert.ok(Math.abs(fromMean.losses[0] - taskLossAt(hnn, trained.params, unseen, zAvg)) < 1e-5 * (1 + fromMean.losses[0]));
    assert.ok(fromMean.losses[100] < 0.8 * fromMean.losses[0], `auto-decoding ${fromMean.losses[0]} -> ${fromMean.losses[100]}`);
    tf.dispose([fromMean.z, fromZero.z]);
    disposeLatentMetaState(trained, hnn);
    disposeFieldTasks([...tasks, unseen]);
  });

  it('the outer gradient w.r.t. base, hypernetwork and shared bases matches central differences (svd and mr-v1 penalties)', () => {
    for (const kind of ['svd', 'mr-v1'] as const) {
      const { spec, params } = modulatedFixture(kind, 5, { latentDim: 3 });
      const hnn = hnnLatentModel(spec);
      const tasks = springTasks(6, [1.5, 4], 8);
      const stack = stackFieldTasks(tasks);
      const codes = tf.tensor2d(randomMatrix(createRng(7), 2, 3, 0.5));
      const o = { ...OPTIONS, lambdaPhi: 0.1, lambdaOrtho: 0.1, lambdaSparsity: 0.1 };
      const shared = modulatedMlpTensors(params);
      // W_1, W_out, Φ, φ₀, U_1, V_1
      const nBase = spec.base.sizes.length - 1 + spec.base.biases.filter(Boolean).length;
      const worst = assertGradientMatchesCentralDifferences((ps) => latentOuterObjective(hnn, ps, stack, codes, o).total, shared, [0, nBase - 3, nBase, nBase + 1, nBase + 2, nBase + 3], 1e-2, {
        relative: 3e-2,
        absolute: 1e-3,
      });
      console.log(`      ${kind}: worst relative error ${worst.toExponential(2)}`);
      tf.dispose([...shared, codes]);
      disposeStackedFieldTasks(stack);
      disposeFieldTasks(tasks);
    }
  });

  it('stores the inner-loop latents of the batch (others untouched), and keeps the tensor count flat over 20 iterations', () => {
    const spec = smallSpec('svd');
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(8, TRAIN_K, 16);
    const rng = createRng(10);
    let state = initLatentMetaState(hnn, initModulatedMlp(spec, createRng(9)), tasks.length);
    state = latentMetaStep(hnn, state, tasks, OPTIONS, rng);
    // The batch the next step will draw, and the inner loop run on it by hand with the current Θ.
    const batch = sampleIndices(restoreRng(rng.state), tasks.length, OPTIONS.taskBatch);
    const codesBefore = state.codes.map((z) => z.slice());
    const expected = tf.tidy(() => {
      const stack = stackFieldTasks(batch.map((k) => tasks[k]));
      const z = innerLatentSteps(hnn, state.params, stack, tf.tensor2d(batch.map((k) => codesBefore[k])), OPTIONS).arraySync();
      disposeStackedFieldTasks(stack);
      return z;
    });
    const before = tf.memory().numTensors;
    state = latentMetaStep(hnn, state, tasks, OPTIONS, rng);
    state.codes.forEach((z, k) => {
      const i = batch.indexOf(k);
      const want = i >= 0 ? expected[i] : codesBefore[k];
      z.forEach((v, j) => assert.ok(Math.abs(v - want[j]) <= 1e-6, `task ${k} (batch ${i}) entry ${j}: ${v} vs ${want[j]}`));
    });
    assert.ok(batch.every((k) => state.codes[k].some((v, j) => v !== codesBefore[k][j])), 'batch latents moved');
    for (let i = 0; i < 20; i++) state = latentMetaStep(hnn, state, tasks, OPTIONS, rng);
    const after = tf.memory().numTensors;
    console.log(`      tensors before iteration 2: ${before}, after iteration 22: ${after}`);
    assert.equal(after, before);
    disposeLatentMetaState(state, hnn);
    disposeFieldTasks(tasks);
  });

  it('innerMaxStep bounds every task\'s inner step on z by its ℓ2 norm, keeps the direction, and 0 leaves the steps as they are', () => {
    const rows = tf.tensor2d([[3, 4], [0.3, 0.4], [0, 0]]);
    const limited = limitRowNorms(rows, 1).arraySync();
    [[0.6, 0.8], [0.3, 0.4], [0, 0]].forEach((want, i) => want.forEach((v, j) => assert.ok(Math.abs(limited[i][j] - v) < 1e-6, `row ${i}: ${limited[i]}`)));
    assert.equal(limitRowNorms(rows, 0), rows);
    const spec = smallSpec('ro');
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(8, TRAIN_K, 16);
    const params = initModulatedMlp(spec, createRng(9));
    const stack = stackFieldTasks(tasks.slice(0, 3));
    const start = tf.tensor2d(randomMatrix(createRng(3), 3, spec.latentDim, 1));
    const o = { ...OPTIONS, innerSteps: 1, innerLr: 1e3 };
    const free = tf.sub(innerLatentSteps(hnn, params, stack, start, o), start);
    const bounded = tf.sub(innerLatentSteps(hnn, params, stack, start, { ...o, innerMaxStep: 1e-3 }), start);
    const freeNorms = Array.from(tf.norm(free, 'euclidean', 1).dataSync());
    const boundedNorms = Array.from(tf.norm(bounded, 'euclidean', 1).dataSync());
    assert.ok(freeNorms.every((n) => n > 1e-3), `the unbounded steps should be longer than the bound: ${freeNorms}`);
    boundedNorms.forEach((n) => assert.ok(Math.abs(n - 1e-3) < 1e-6, `bounded step norm ${n}`));
    assert.throws(() => validateLatentMetaOptions({ ...OPTIONS, innerMaxStep: -1 }), ConfigError);
    tf.dispose([rows, start, free, bounded]);
    disposeStackedFieldTasks(stack);
    disposeModulatedMlp(params);
    disposeFieldTasks(tasks);
  });

  it('a run resumed from its checkpoint ends with the same parameters, latents and losses as an uninterrupted one', () => {
    const spec = smallSpec('svd');
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(14, TRAIN_K, 8);
    const o = { ...OPTIONS, outerIterations: 5 };
    const fresh = () => initLatentMetaState(hnn, initModulatedMlp(spec, createRng(15)), tasks.length);
    const straight = latentMetaTrain(hnn, fresh(), tasks, o, createRng(16));
    const store = checkpointStore<SavedLatentMeta>(tmpDir('latent-meta-'), 'test');
    disposeLatentMetaState(latentMetaTrain(hnn, fresh(), tasks, { ...o, outerIterations: 3 }, createRng(16), { store, checkpointEvery: 2 }), hnn);
    const saved = JSON.parse(JSON.stringify(store.load())) as SavedLatentMeta;
    assert.equal(saved.iteration, 3);
    const { state, rng } = restoreLatentMetaState(hnn, saved);
    const resumed = latentMetaTrain(hnn, state, tasks, o, rng);
    const values = (s: typeof straight) => modulatedMlpTensors(s.params).map((t) => Array.from(t.dataSync()));
    assert.deepEqual(values(resumed), values(straight));
    assert.deepEqual(resumed.codes, straight.codes);
    assert.deepEqual(resumed.lossHistory, straight.lossHistory);
    disposeLatentMetaState(straight, hnn);
    disposeLatentMetaState(resumed, hnn);
    disposeFieldTasks(tasks);
  });

  it('rejects bad options and an output bias with a ConfigError naming the field', () => {
    const spec = smallSpec('ro');
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(12, [1, 2], 4);
    const bad: [keyof LatentMetaOptions, number][] = [
      ['taskBatch', 0],
      ['innerSteps', -1],
      ['innerLr', 0],
      ['outerLr', Number.NaN],
      ['lambdaZ', -1],
      ['outerIterations', 1.5],
    ];
    for (const [field, value] of bad) {
      const state = initLatentMetaState(hnn, initModulatedMlp(spec, createRng(1)), 2);
      assert.throws(() => latentMetaTrain(hnn, state, tasks, { ...OPTIONS, [field]: value }, createRng(1)), (e: Error) => e instanceof ConfigError && e.message.includes(field));
      disposeLatentMetaState(state, hnn);
    }
    const params = initModulatedMlp(spec, createRng(1));
    assert.throws(() => autoDecode(hnn, params, [[0, 0, 0]], tasks[0], { ...DEFAULT_AUTO_DECODE_OPTIONS, adaptSteps: -3 }), /adaptSteps/);
    disposeModulatedMlp(params);
    const withBias = modulationSpec(hiddenLayersMlpSpec({ width: 4, depth: 1, activation: 'tanh', beta: 1 }, 2, 1), 'ro', { latentDim: 3 });
    const biased = initModulatedMlp(withBias, createRng(1));
    assert.throws(() => initLatentMetaState(hnnLatentModel(withBias), biased, 2), (e: Error) => e instanceof ConfigError && e.message.includes('base.biases'));
    disposeModulatedMlp(biased);
    disposeFieldTasks(tasks);
  });
});
