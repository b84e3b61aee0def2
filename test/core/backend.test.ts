import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../../src/core/backend';

describe('core/backend', () => {
  it('starts a forced backend and reports it', async () => {
    assert.equal(await initBackend('cpu'), 'cpu');
    assert.equal(currentBackend(), 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  });

  it('rejects an unknown backend name, listing the allowed ones', async () => {
    await assert.rejects(initBackend('gpu'), /METADYN_BACKEND must be one of tensorflow, wasm, cpu, got 'gpu'/);
  });

  it('on wasm, a clone shares storage yet outlives its original, and a gradient through clones is unchanged', async () => {
    assert.equal(await initBackend('wasm'), 'wasm');
    const before = tf.memory();
    const x = tf.tensor2d([[1, -2], [3, 0.5]]);
    const y = tf.clone(x);
    // One buffer, two tensors.
    assert.equal(tf.memory().numDataBuffers - before.numDataBuffers, 1);
    assert.equal(tf.memory().numTensors - before.numTensors, 2);
    x.dispose();
    assert.deepEqual(y.arraySync(), [[1, -2], [3, 0.5]]);
    y.dispose();
    assert.equal(tf.memory().numTensors, before.numTensors);
    assert.equal(tf.memory().numDataBuffers, before.numDataBuffers);
    // The tape saves (clones) the inputs of square and sin; d/dx Σ sin(x²) = 2x cos(x²).
    const z = tf.tensor1d([0.3, -1.1]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.sin(tf.square(v))))(z);
    const expected = [0.3, -1.1].map((v) => 2 * v * Math.cos(v * v));
    Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
    tf.dispose([z, g]);
    await initBackend('cpu');
  });
});
