import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { type CheckpointStore, checkpointStore } from '../../src/core/checkpoint';
import { ConfigError } from '../../src/core/errors';
import { createRng, restoreRng } from '../../src/core/rng';
import { disposeFieldTasks } from '../../src/data/fieldTask';
import { type SavedOuterLoop, disposeStackedFieldTasks, sampleIndices, stackFieldTasks } from '../../src/meta/fieldTasks';
import {
  IMODE_INNER_STEPS,
  type ImodeFieldOptions,
  disposeImodeFieldState,
  imodeAdapt,
  imodeFieldMethod,
  imodeFieldStep,
  imodeFieldTrain,
  imodeLossAndGradients,
  initImodeFieldState,
  restoreImodeFieldState,
} from '../../src/meta/imodeFieldMethod';
import { hnnBaseSpec, innerLatentSteps, perTaskModulatedLoss } from '../../src/meta/latentModulation';
import type { AdaptConfig, MethodTrainingConfig } from '../../src/meta/paperBMethod';
import { hnnLatentModel, hnnPlainModel } from '../../src/models/hnn';
import { modulatedMlpTensors } from '../../src/modulation/modulatedMlp';
import { modulationSpec } from '../../src/modulation/modulation';
import { TRAIN_K, springTasks } from '../helpers/fieldTasks';
import { modulatedFixture } from '../helpers/modulation';
import { tmpDir } from '../helpers/tmpDir';

const OPTIONS: ImodeFieldOptions = { outerIterations: 150, taskBatch: 4, innerSteps: IMODE_INNER_STEPS, innerLr: 1e-1, innerMaxStep: 0, outerLr: 3e-3 };

function model(latentDim = 3) {
  return hnnLatentModel(modulationSpec(hnnBaseSpec({ width: 16, depth: 2, activation: 'tanh', beta: 1 }, 2), 'input', { latentDim }));
}

const values = (ts: readonly tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('meta/imodeFieldMethod (iMODE on Paper B field tasks)', () => {
  before(async () => {
    await initBackend();
  });

  it('η0 gets Σ_k ∇_η L_k at the η of the last inner step (finite differences with Δ = η^(K−1) − η0 frozen), Φ its Σ_k ∇_Φ L_k: the first Adam step moves each by −lr·sign', () => {
    // a hypernetwork of N(0, 0.5²) entries, so that η matters
    const { spec, params } = modulatedFixture('input', 21, { latentDim: 3 });
    const hnn = hnnLatentModel(spec);
    const tasks = springTasks(20, TRAIN_K, 16);
    const o = { ...OPTIONS, innerSteps: 3, innerLr: 3 };
    const state0 = initImodeFieldState(hnn, params);
    // start from a non-zero η0 so that Φ gets a gradient as well
    state0.eta0.dispose();
    state0.eta0 = tf.tensor2d([[0.3, -0.5, 0.8]]);
    const eta0Before = Array.from(state0.eta0.dataSync());
    const thetaBefore = values(hnn.tensors(state0.params));
    const rng = createRng(22);
    // the batch the step will draw, and η^{(K−1)} computed by hand from η0; Δ = η^{(K−1)} − η0 is then frozen
    const batch = sampleIndices(restoreRng(rng.state), tasks.length, o.taskBatch);
    const stack = stackFieldTasks(batch.map((k) => tasks[k]));
    const start = tf.tile(state0.eta0, [batch.length, 1]) as tf.Tensor2D;
    const last = innerLatentSteps(hnn, state0.params, stack, start, { innerSteps: o.innerSteps - 1, innerLr: o.innerLr, innerMaxStep: 0, lambdaZ: 0, squaredNorms: false });
    const delta = tf.sub(last, start) as tf.Tensor2D;
    const total = (eta0: number[], params = state0.params) =>
      tf.tidy(() => tf.sum(perTaskModulatedLoss(hnn, params, stack, tf.add(tf.tile(tf.tensor2d([eta0]), [batch.length, 1]), delta) as tf.Tensor2D)).dataSync()[0]);
    const h = 1e-2;
    const fdEta0 = eta0Before.map((_, j) => (total(eta0Before.map((v, i) => (i === j ? v + h : v))) - total(eta0Before.map((v, i) => (i === j ? v - h : v)))) / (2 * h));
    // the analytic gradients the step uses, against the same finite differences (to 3 %)
    const grads = imodeLossAndGradients(hnn, hnn.tensors(state0.params), stack, last);
    const eta0Grad = Array.from(tf.sum(grads.etaGrad, 0).dataSync());
    const scale = Math.max(...fdEta0.map(Math.abs));
    eta0Grad.forEach((g, j) => assert.ok(Math.abs(g - fdEta0[j]) <= 3e-2 * Math.abs(fdEta0[j]) + 1e-3 * scale, `∂/∂η0_${j}: ${g} vs finite difference ${fdEta0[j]}`));
    // the rule is falsifiable: the gradient at η0 itself (no inner steps) differs
    const atEta0 = tf.tidy(() => Array.from(tf.sum(imodeLossAndGradients(hnn, hnn.tensors(state0.params), stack, start).etaGrad, 0).dataSync()));
    assert.ok(atEta0.some((g, j) => Math.abs(g - eta0Grad[j]) > 0.1 * scale), `the inner steps should change ∇_η: ${atEta0} vs ${eta0Grad}`);
    const phiIndex = hnn.tensors(state0.params).indexOf(state0.params.hyperWeight);
    const phiGrad = Array.from(grads.paramGrads[phiIndex].dataSync());
    tf.dispose([grads.loss, grads.etaGrad, ...grads.paramGrads]);

    const state1 = imodeFieldStep(hnn, state0, tasks, o, rng);
    const moved = Array.from(state1.eta0.dataSync()).map((v, j) => v - eta0Before[j]);
    moved.forEach((d, j) => assert.ok(Math.abs(d + o.outerLr * Math.sign(eta0Grad[j])) < 1e-2 * o.outerLr, `η0_${j} moved by ${d}, gradient ${eta0Grad[j]}`));
    const phiMoved = Array.from(state1.params.hyperWeight.dataSync()).map((v, i) => v - thetaBefore[phiIndex][i]);
    phiMoved.forEach((d, i) => Math.abs(phiGrad[i]) > 1e-4 && assert.ok(Math.abs(d + o.outerLr * Math.sign(phiGrad[i])) < 2e-2 * o.outerLr, `Φ[${i}] moved by ${d}, gradient ${phiGrad[i]}`));
    console.log(`      η0 gradient ${eta0Grad.map((g) => g.toExponential(2)).join(', ')} (finite differences ${fdEta0.map((g) => g.toExponential(2)).join(', ')})`);
    tf.dispose([start, last, delta]);
    disposeStackedFieldTasks(stack);
    disposeImodeFieldState(state1, hnn);
    disposeFieldTasks(tasks);
  });

  it('meta-training lowers the loss, iMODE adaptation from η0 lowers an unseen task\'s support loss, and the tensor count stays flat', () => {
    const hnn = model();
    const tasks = springTasks(1, TRAIN_K, 32);
    const [unseen] = springTasks(2, [2.75], 32);
    const rng = createRng(4);
    let state = imodeFieldStep(hnn, initImodeFieldState(hnn, hnn.init(createRng(3))), tasks, OPTIONS, rng);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) state = imodeFieldStep(hnn, state, tasks, OPTIONS, rng);
    assert.equal(tf.memory().numTensors, before, 'tensor count over 20 iterations');
    state = imodeFieldTrain(hnn, state, tasks, OPTIONS, rng);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const first = mean(state.lossHistory.slice(0, 10));
    const lastLoss = mean(state.lossHistory.slice(-10));
    const adapted = imodeAdapt(hnn, state.params, state.eta0, unseen, IMODE_INNER_STEPS, { innerLr: OPTIONS.innerLr, innerMaxStep: 0 });
    console.log(`      loss first/last 10 iterations ${first.toExponential(3)} / ${lastLoss.toExponential(3)}; unseen k=2.75 support loss ${adapted.losses.map((l) => l.toExponential(2)).join(' → ')}`);
    assert.equal(state.lossHistory.length, OPTIONS.outerIterations);
    assert.ok(lastLoss < 0.5 * first, `meta-training loss ${first} -> ${lastLoss}`);
    assert.equal(adapted.losses.length, IMODE_INNER_STEPS + 1);
    assert.ok(adapted.losses[IMODE_INNER_STEPS] < adapted.losses[0], `adaptation ${adapted.losses[0]} -> ${adapted.losses[IMODE_INNER_STEPS]}`);
    adapted.z.dispose();
    disposeImodeFieldState(state, hnn);
    disposeFieldTasks([...tasks, unseen]);
  });

  it('a run resumed from its checkpoint ends with the same θ, η0 and losses as an uninterrupted one', () => {
    const hnn = model();
    const tasks = springTasks(14, TRAIN_K, 8);
    const o = { ...OPTIONS, outerIterations: 5 };
    const fresh = () => initImodeFieldState(hnn, hnn.init(createRng(15)));
    const straight = imodeFieldTrain(hnn, fresh(), tasks, o, createRng(16));
    const store = checkpointStore<SavedOuterLoop>(tmpDir('imode-field-'), 'test');
    disposeImodeFieldState(imodeFieldTrain(hnn, fresh(), tasks, o, createRng(16), { store, checkpointEvery: 2, stopAfter: 3 }), hnn);
    const saved = JSON.parse(JSON.stringify(store.load())) as SavedOuterLoop;
    assert.equal(saved.iteration, 3);
    const { state, rng } = restoreImodeFieldState(hnn, saved);
    const resumed = imodeFieldTrain(hnn, state, tasks, o, rng);
    assert.deepEqual(values([...modulatedMlpTensors(resumed.params), resumed.eta0]), values([...modulatedMlpTensors(straight.params), straight.eta0]));
    assert.deepEqual(resumed.lossHistory, straight.lossHistory);
    disposeImodeFieldState(straight, hnn);
    disposeImodeFieldState(resumed, hnn);
    disposeFieldTasks(tasks);
  });

  it('as a Paper B method: meta-trains through its store, adapts by either protocol from η0, has no training codes', () => {
    const tasks = springTasks(30, TRAIN_K, 16);
    const [support] = springTasks(31, [2.25], 16);
    const cfg = { latentDim: 3, metaIterations: 4, taskBatch: 3, latentInnerLr: 0.1, latentInnerMaxStep: 1, latentOuterLr: 3e-3, checkpointEvery: 2 } as MethodTrainingConfig;
    const dir = tmpDir('imode-method-');
    const ctx = {
      cfg,
      tasks,
      base: hnnBaseSpec({ width: 8, depth: 2, activation: 'tanh', beta: 1 }, 2),
      models: { latentModel: hnnLatentModel, plainModel: hnnPlainModel },
      rng: (purpose: 'init' | 'train') => createRng(purpose === 'init' ? 1 : 2),
      store: <S>() => checkpointStore<S>(dir, 'key') as CheckpointStore<S>,
      label: 'test',
    };
    const method = imodeFieldMethod('imode');
    const trained = method.metaTrain(ctx);
    assert.equal(trained.iterationsRun, 4);
    assert.equal(trained.lossHistory.length, 4);
    assert.equal(method.codes(trained.model), null);
    assert.equal(trained.model.latent.spec.kind, 'input');
    const again = method.metaTrain(ctx);
    assert.equal(again.iterationsRun, 0, 'a finished checkpoint is reused');
    assert.deepEqual(values(method.tensors(again.model)), values(method.tensors(trained.model)));
    const adaptCfg = { adaptSteps: 7, adaptLr: 1e-2, lambdaZ: 1, latentInit: 'zero' } as AdaptConfig;
    const before = tf.memory().numTensors;
    const byImode = method.adapt(trained.model, support, adaptCfg);
    const byDecoding = imodeFieldMethod('auto-decode').adapt(trained.model, support, adaptCfg);
    assert.equal(byImode.losses.length, IMODE_INNER_STEPS + 1, 'iMODE protocol: K steps whatever adaptSteps is');
    assert.equal(byDecoding.losses.length, adaptCfg.adaptSteps + 1);
    assert.ok(Math.abs(byImode.losses[0] - byDecoding.losses[0]) <= 1e-6 * byImode.losses[0], 'both start at η0 (not at 0, the configured latentInit)');
    const eta0 = Array.from(trained.model.eta0.dataSync());
    assert.ok(eta0.some((v) => v !== 0), 'η0 was learned');
    assert.equal(byImode.code?.length, 3);
    tf.tidy(() => assert.deepEqual(byImode.field(0, support.x).shape, support.x.shape));
    byImode.dispose();
    byDecoding.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose(method.tensors(trained.model));
    tf.dispose(method.tensors(again.model));
    disposeFieldTasks([...tasks, support]);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    const hnn = model();
    const tasks = springTasks(12, [1, 2], 4);
    const bad: [keyof ImodeFieldOptions, number][] = [
      ['innerSteps', 0],
      ['taskBatch', 0],
      ['innerMaxStep', -1],
      ['innerLr', 0],
    ];
    for (const [field, value] of bad) {
      const state = initImodeFieldState(hnn, hnn.init(createRng(1)));
      assert.throws(() => imodeFieldStep(hnn, state, tasks, { ...OPTIONS, [field]: value }, createRng(2)), (e: unknown) => e instanceof ConfigError && e.message.includes(field));
      disposeImodeFieldState(state, hnn);
    }
    disposeFieldTasks(tasks);
  });
});
