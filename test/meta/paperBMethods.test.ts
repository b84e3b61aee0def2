import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import type { CheckpointStore } from '../../src/core/checkpoint';
import { createRng } from '../../src/core/rng';
import { disposeFieldTasks } from '../../src/data/fieldTask';
import { hnnBaseSpec } from '../../src/meta/latentModulation';
import type { AdaptConfig, MetaTrainContext, MethodTrainingConfig } from '../../src/meta/paperBMethod';
import { PAPER_B_METHODS, PAPER_B_METHOD_NAMES, methodsOf, trainMethod } from '../../src/meta/paperBMethods';
import { hnnLatentModel, hnnPlainModel } from '../../src/models/hnn';
import { springTasks } from '../helpers/fieldTasks';

const CFG: MethodTrainingConfig = {
  latentDim: 3,
  rank: 2,
  metaIterations: 2,
  taskBatch: 2,
  latentInnerSteps: 2,
  latentInnerLr: 1e-2,
  latentInnerMaxStep: 0,
  latentOuterLr: 1e-3,
  lambdaZ: 1e-2,
  lambdaPhi: 1e-3,
  lambdaOrtho: 1e-3,
  lambdaSparsity: 1e-4,
  gradientIterations: 2,
  metaBatch: 2,
  gradientInnerSteps: 1,
  gradientInnerLr: 1e-3,
  gradientOuterLr: 1e-3,
  reptileStepSize: 0.1,
  secondOrder: false,
  checkpointEvery: 1,
};
const ADAPT: AdaptConfig = { adaptSteps: 3, adaptLr: 1e-2, lambdaZ: 1e-2, latentInit: 'mean', scratchLr: 1e-3, gradientInnerLr: 1e-3 };

/** A store that keeps nothing: every run starts fresh. */
function noStore<S>(): CheckpointStore<S> {
  return { file: '', load: () => null, save: () => undefined, clear: () => undefined };
}

describe('meta/paperBMethods (the registry of Paper B methods)', () => {
  before(async () => {
    await initBackend();
  });

  it('names the ten methods in the benchmark order, each in its family', () => {
    assert.deepEqual(Object.keys(PAPER_B_METHODS), [...PAPER_B_METHOD_NAMES]);
    assert.deepEqual(methodsOf('scratch'), ['Scratch']);
    assert.deepEqual(methodsOf('optimisation'), ['MAML', 'ANIL', 'Reptile']);
    assert.deepEqual(methodsOf('modulation'), ['Shift', 'FW', 'RO', 'MR', 'SVD', 'MR-v1']);
  });

  it('every method meta-trains, adapts with the test-time budget and leaves no tensor behind', () => {
    const tasks = springTasks(1, [1, 2, 3], 8);
    const [support] = springTasks(2, [2.5], 8);
    const before = tf.memory().numTensors;
    for (const method of PAPER_B_METHOD_NAMES) {
      const ctx: MetaTrainContext = {
        cfg: CFG,
        tasks,
        base: hnnBaseSpec({ width: 8, depth: 2, activation: 'tanh', beta: 1 }, 2),
        models: { latentModel: hnnLatentModel, plainModel: hnnPlainModel },
        rng: (purpose) => createRng(purpose === 'init' ? 1 : 2),
        store: noStore,
        label: method,
      };
      const trained = trainMethod(method, ctx);
      assert.equal(trained.lossHistory.length, method === 'Scratch' ? 0 : 2, method);
      assert.equal(trained.codes === null, trained.family !== 'modulation', `${method}: training latents only for a modulation`);
      const adapted = trained.adapt(support, ADAPT);
      assert.equal(adapted.losses.length, ADAPT.adaptSteps + 1, method);
      assert.equal(adapted.code === null, trained.family !== 'modulation', method);
      if (adapted.code) assert.equal(adapted.code.length, CFG.latentDim);
      const xdot = tf.tidy(() => adapted.field(0, support.x).arraySync() as number[][]);
      assert.ok(xdot.flat().every(Number.isFinite), method);
      adapted.dispose();
      tf.dispose(trained.tensors());
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    assert.throws(() => trainMethod('SVD', { cfg: CFG, tasks, base: hnnBaseSpec({ width: 8, depth: 2, activation: 'tanh', beta: 1 }, 2), models: { latentModel: hnnLatentModel, plainModel: hnnPlainModel }, rng: () => createRng(1), store: noStore, label: 'SVD', stopAfter: 0 }), /stopAfter must be a positive integer/);
    disposeFieldTasks([...tasks, support]);
  });
});
