import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { checkpointStore } from '../../src/core/checkpoint';
import { ConfigError } from '../../src/core/errors';
import { createRng, restoreRng } from '../../src/core/rng';
import { type SavedOuterLoop, sampleIndices } from '../../src/meta/fieldTasks';
import { type FieldTask, disposeFieldTasks } from '../../src/data/fieldTask';
import {
  DEFAULT_GRADIENT_META_OPTIONS,
  type GradientMetaOptions,
  type GradientMethod,
  disposeGradientMetaState,
  gradientAdapt,
  gradientMetaStep,
  gradientMetaTrain,
  hnnTaskLoss,
  initGradientMetaState,
  limitedSgdSteps,
  mamlMetaGradient,
  mamlObjective,
  restoreGradientMetaState,
} from '../../src/meta/gradientBaselines';
import { hnnBaseSpec } from '../../src/meta/latentModulation';
import { initMlp, mlpTensors } from '../../src/nn/mlp';
import { TRAIN_K, springTasks } from '../helpers/fieldTasks';
import { tmpDir } from '../helpers/tmpDir';
import { assertGradientMatchesCentralDifferences, centralDifference } from '../helpers/numeric';

const SPEC = hnnBaseSpec({ width: 8, depth: 2, activation: 'tanh', beta: 1 }, 2);
const initParams = (seed: number) => mlpTensors(initMlp(SPEC, createRng(seed)));

const options = (method: GradientMethod, o: Partial<GradientMetaOptions> = {}): GradientMetaOptions => ({
  ...DEFAULT_GRADIENT_META_OPTIONS,
  method,
  outerIterations: 40,
  metaBatch: 3,
  innerSteps: 2,
  innerLr: 0.05,
  outerLr: 1e-2,
  reptileStepSize: 0.5,
  ...o,
});

/** ∇L(θ) of one task by central differences, entry by entry, as arrays per tensor. */
function finiteDifferenceGradient(theta: readonly tf.Tensor[], task: FieldTask): number[][] {
  const loss = (ps: readonly tf.Tensor[]) => hnnTaskLoss(SPEC, ps, task);
  return theta.map((t, k) => Array.from({ length: t.size }, (_, i) => centralDifference(loss, theta, k, i, 1e-2)));
}

describe('meta/gradientBaselines (Scratch, MAML, ANIL, Reptile)', () => {
  before(async () => {
    await initBackend();
  });

  it("MAML's inner step (adaptation and inside the meta-objective) is θ − α ∇L with ∇L by finite differences", () => {
    const theta = initParams(1);
    const [task] = springTasks(2, [3], 16);
    const alpha = 0.1;
    const fd = finiteDifferenceGradient(theta, task);
    const hand = tf.tidy(() => theta.map((t, k) => tf.sub(t, tf.mul(tf.tensor(fd[k], t.shape), alpha))));
    const adapted = gradientAdapt(SPEC, theta, task, { method: 'maml', adaptSteps: 1, lr: alpha });
    let worst = 0;
    adapted.params.forEach((t, k) => {
      const a = t.dataSync();
      const b = hand[k].dataSync();
      a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
    });
    // The meta-objective with one inner step on the support half, evaluated on the query half.
    const support: FieldTask = { x: tf.slice(task.x, [0, 0], [8, -1]), xdot: tf.slice(task.xdot, [0, 0], [8, -1]) };
    const query: FieldTask = { x: tf.slice(task.x, [8, 0], [8, -1]), xdot: tf.slice(task.xdot, [8, 0], [8, -1]) };
    const supportFd = finiteDifferenceGradient(theta, support);
    const objective = tf.tidy(() => mamlObjective(SPEC, theta, [task], options('maml', { innerSteps: 1, innerLr: alpha })).dataSync()[0]);
    const byHand = tf.tidy(() => hnnTaskLoss(SPEC, theta.map((t, k) => tf.sub(t, tf.mul(tf.tensor(supportFd[k], t.shape), alpha))), query).dataSync()[0]);
    console.log(`      max |θ' − (θ − α·fd)| = ${worst.toExponential(2)}; meta-objective ${objective.toExponential(4)} vs by hand ${byHand.toExponential(4)}`);
    assert.ok(worst < 2e-4, `adapted step differs by ${worst}`);
    assert.ok(Math.abs(objective - byHand) < 2e-3 * byHand, `${objective} vs ${byHand}`);
    tf.dispose([...theta, ...hand, ...adapted.params, support.x, support.xdot, query.x, query.xdot]);
    disposeFieldTasks([task]);
  });

  it('a capped inner step is α∇L scaled to norm c over all tensors together, and plain α∇L below the cap', () => {
    const theta = initParams(5);
    const [task] = springTasks(6, [3], 16);
    const alpha = 0.1;
    const flat = (ts: readonly tf.Tensor[]) => tf.tidy(() => Array.from(tf.concat(ts.map((t) => tf.reshape(t, [-1]))).dataSync()));
    const step = (maxStep?: number) => {
      const r = gradientAdapt(SPEC, theta, task, { method: 'maml', adaptSteps: 1, lr: alpha, maxStep });
      const d = flat(theta).map((v, i) => v - flat(r.params)[i]);
      tf.dispose(r.params);
      return d;
    };
    const free = step();
    const freeNorm = Math.hypot(...free);
    const c = freeNorm / 4;
    const capped = step(c);
    const cappedNorm = Math.hypot(...capped);
    const cosine = capped.reduce((a, v, i) => a + v * free[i], 0) / (cappedNorm * freeNorm);
    console.log(`      ‖α∇L‖ = ${freeNorm.toExponential(3)}; capped at ${c.toExponential(3)}: ‖Δ‖ = ${cappedNorm.toExponential(3)}, cos = ${cosine.toFixed(6)}`);
    assert.ok(Math.abs(cappedNorm - c) < 1e-4 * c, `capped step norm ${cappedNorm} vs ${c}`);
    assert.ok(cosine > 1 - 1e-5, `capped step turned: cos ${cosine}`);
    const below = step(freeNorm * 2);
    assert.ok(below.every((v, i) => v === free[i]), 'a step below the cap changed');
    const direct = limitedSgdSteps([tf.tensor1d([3, 4]), tf.tensor1d([12])], 1, 6.5);
    assert.deepEqual(flat(direct).map((v) => Math.round(v * 1e5) / 1e5), [1.5, 2, 6]);
    tf.dispose([...theta, ...direct]);
    disposeFieldTasks([task]);
  });

  it('the second-order MAML meta-gradient through capped inner steps matches central differences, and the cap changes it', () => {
    const theta = initParams(3);
    const tasks = springTasks(4, [1.5, 4], 12);
    const o = options('maml', { innerSteps: 2, innerLr: 0.2, innerMaxStep: 0.05 });
    const worst = assertGradientMatchesCentralDifferences((ps) => mamlObjective(SPEC, ps, tasks, o), theta, [0, 1, 2, 3], 1e-2, { relative: 3e-2, absolute: 1e-3 });
    const [capped, free] = [o, { ...o, innerMaxStep: 0 }].map((opt) => {
      const g = mamlMetaGradient(SPEC, theta, tasks, opt);
      const f = tf.tidy(() => Array.from(tf.concat(g.grads.map((t) => tf.reshape(t, [-1]))).dataSync()));
      tf.dispose(g.grads);
      return f;
    });
    const gap = Math.hypot(...capped.map((v, i) => v - free[i])) / Math.hypot(...free);
    console.log(`      worst relative error ${worst.toExponential(2)}; ‖∇_capped − ∇_free‖/‖∇_free‖ = ${gap.toExponential(2)}`);
    assert.ok(gap > 0.05, `the cap changed the meta-gradient by only ${gap}`);
    tf.dispose(theta);
    disposeFieldTasks(tasks);
  });

  it('second-order MAML and ANIL meta-gradients match central differences of the meta-objective', () => {
    const theta = initParams(3);
    const tasks = springTasks(4, [1.5, 4], 12);
    for (const method of ['maml', 'anil'] as const) {
      const o = options(method, { innerSteps: 2, innerLr: 0.2 });
      const worst = assertGradientMatchesCentralDifferences((ps) => mamlObjective(SPEC, ps, tasks, o), theta, [0, 1, 2, 3], 1e-2, {
        relative: 3e-2,
        absolute: 1e-3,
      });
      // The check discriminates: the first-order gradient differs from the second-order one at this α.
      const [second, first] = [true, false].map((secondOrder) => {
        const g = mamlMetaGradient(SPEC, theta, tasks, { ...o, secondOrder });
        const flat = tf.tidy(() => Array.from(tf.concat(g.grads.map((t) => tf.reshape(t, [-1]))).dataSync()));
        tf.dispose(g.grads);
        return flat;
      });
      const gap = Math.hypot(...second.map((v, i) => v - first[i])) / Math.hypot(...second);
      console.log(`      ${method}: worst relative error ${worst.toExponential(2)}; ‖∇_FO − ∇_SO‖/‖∇_SO‖ = ${gap.toExponential(2)}`);
      assert.ok(gap > 0.05, `first- and second-order gradients differ by only ${gap}`);
    }
    tf.dispose(theta);
    disposeFieldTasks(tasks);
  });

  it('ANIL adaptation changes only the last layer; Scratch and MAML change every tensor', () => {
    const theta = initParams(5);
    const [task] = springTasks(6, [2], 16);
    for (const method of ['anil', 'maml', 'scratch'] as const) {
      const { params, losses } = gradientAdapt(SPEC, theta, task, { method, adaptSteps: 10, lr: 0.05 });
      const changed = params.map((t, k) => tf.tidy(() => tf.max(tf.abs(tf.sub(t, theta[k]))).dataSync()[0] > 0));
      console.log(`      ${method}: changed tensors ${changed.map(Number).join('')}; support loss ${losses[0].toExponential(3)} -> ${losses[10].toExponential(3)}`);
      assert.deepEqual(changed, method === 'anil' ? theta.map((_, k) => k === SPEC.sizes.length - 2) : theta.map(() => true));
      assert.ok(losses[10] < losses[0]);
      tf.dispose(params);
    }
    tf.dispose(theta);
    disposeFieldTasks([task]);
  });

  it("Reptile's update is θ + ε(mean of the adapted weights − θ)", () => {
    const tasks = springTasks(7, TRAIN_K, 12);
    const o = options('reptile');
    const rng = createRng(8);
    const state = initGradientMetaState(SPEC, initParams(9));
    const batch = sampleIndices(restoreRng(rng.state), tasks.length, o.metaBatch);
    const adapted = batch.map((k) => gradientAdapt(SPEC, state.params, tasks[k], { method: 'reptile', adaptSteps: o.innerSteps, lr: o.innerLr }).params);
    const expected = state.params.map((p, i) => {
      const a = p.dataSync();
      return Array.from(a, (v, j) => v + o.reptileStepSize * (adapted.reduce((s, ps) => s + ps[i].dataSync()[j], 0) / batch.length - v));
    });
    const next = gradientMetaStep(SPEC, state, tasks, o, rng);
    let worst = 0;
    next.params.forEach((t, i) => t.dataSync().forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i][j])))));
    console.log(`      max deviation from the interpolation ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-6);
    tf.dispose(adapted.flat());
    disposeGradientMetaState(next);
    disposeFieldTasks(tasks);
  });

  it('meta-training lowers the loss (MAML second order, ANIL, Reptile) with a flat tensor count over 20 iterations', () => {
    const tasks = springTasks(10, TRAIN_K, 16);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    for (const method of ['maml', 'anil', 'reptile'] as const) {
      const o = options(method);
      const rng = createRng(11);
      let state = gradientMetaStep(SPEC, initGradientMetaState(SPEC, initParams(12)), tasks, o, rng);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) state = gradientMetaStep(SPEC, state, tasks, o, rng);
      const after = tf.memory().numTensors;
      const start = Date.now();
      state = gradientMetaTrain(SPEC, state, tasks, { ...o, outerIterations: 120 }, rng);
      const ms = (Date.now() - start) / 99;
      const h = state.lossHistory;
      console.log(
        `      ${method}: loss first/last 10 ${mean(h.slice(0, 10)).toExponential(3)} / ${mean(h.slice(-10)).toExponential(3)}; ` +
          `tensors ${before} -> ${after}; ${ms.toFixed(1)} ms/iteration`,
      );
      assert.equal(after, before);
      assert.ok(mean(h.slice(-10)) < 0.5 * mean(h.slice(0, 10)));
      disposeGradientMetaState(state);
    }
    disposeFieldTasks(tasks);
  });

  it('a MAML run resumed from its checkpoint ends with the same parameters and losses as an uninterrupted one', () => {
    const tasks = springTasks(14, TRAIN_K, 8);
    const o = options('maml', { outerIterations: 5 });
    const straight = gradientMetaTrain(SPEC, initGradientMetaState(SPEC, initParams(15)), tasks, o, createRng(16));
    const store = checkpointStore<SavedOuterLoop>(tmpDir('gradient-meta-'), 'test');
    disposeGradientMetaState(gradientMetaTrain(SPEC, initGradientMetaState(SPEC, initParams(15)), tasks, { ...o, outerIterations: 3 }, createRng(16), { store, checkpointEvery: 2 }));
    const { state, rng } = restoreGradientMetaState(JSON.parse(JSON.stringify(store.load())) as SavedOuterLoop);
    assert.equal(state.iteration, 3);
    const resumed = gradientMetaTrain(SPEC, state, tasks, o, rng);
    const values = (s: typeof straight) => s.params.map((t) => Array.from(t.dataSync()));
    assert.deepEqual(values(resumed), values(straight));
    assert.deepEqual(resumed.lossHistory, straight.lossHistory);
    disposeGradientMetaState(straight);
    disposeGradientMetaState(resumed);
    disposeFieldTasks(tasks);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    const tasks = springTasks(13, [1, 2], 4);
    const bad: [keyof GradientMetaOptions, unknown][] = [
      ['method', 'protonet'],
      ['metaBatch', 0],
      ['innerSteps', -1],
      ['innerLr', 0],
      ['outerLr', Number.NaN],
      ['reptileStepSize', 2],
      ['innerMaxStep', -1],
    ];
    for (const [field, value] of bad) {
      const state = initGradientMetaState(SPEC, initParams(1));
      assert.throws(
        () => gradientMetaTrain(SPEC, state, tasks, { ...options('maml'), [field]: value } as GradientMetaOptions, createRng(1)),
        (e: Error) => e instanceof ConfigError && e.message.includes(field),
      );
      disposeGradientMetaState(state);
    }
    const theta = initParams(1);
    assert.throws(() => gradientAdapt(SPEC, theta, tasks[0], { method: 'maml', adaptSteps: 1.5, lr: 0.1 }), (e: Error) => e instanceof ConfigError && e.message.includes('adaptSteps'));
    assert.throws(() => gradientAdapt(SPEC, theta, tasks[0], { method: 'maml', adaptSteps: 1, lr: -1 }), (e: Error) => e instanceof ConfigError && e.message.includes('lr'));
    assert.throws(() => gradientAdapt(SPEC, theta, tasks[0], { method: 'maml', adaptSteps: 1, lr: 0.1, maxStep: -1 }), (e: Error) => e instanceof ConfigError && e.message.includes('maxStep'));
    tf.dispose(theta);
    disposeFieldTasks(tasks);
  });
});
