import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { clipByGlobalNorm, globalNorm } from '../../src/nn/gradientClipping';

describe('nn/gradientClipping (global-norm clipping)', () => {
  before(async () => {
    await initBackend();
  });

  it('takes the norm over all tensors as one vector: ‖(3, 4, 12)‖ = 13', () => {
    const grads = [tf.tensor1d([3, 4]), tf.tensor2d([[12]])];
    assert.ok(Math.abs(globalNorm(grads) - 13) < 1e-5);
    assert.equal(globalNorm([]), 0);
    tf.dispose(grads);
  });

  it('scales a long gradient to the bound, keeping its direction, and reports the norm before clipping', () => {
    const grads = [tf.tensor1d([3, 4]), tf.tensor2d([[12]])];
    const before = tf.memory().numTensors;
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 6.5);
    assert.equal(tf.memory().numTensors, before + 2, 'two new tensors, nothing else kept');
    assert.ok(Math.abs(norm - 13) < 1e-5);
    assert.ok(Math.abs(globalNorm(clipped) - 6.5) < 1e-5);
    const flat = [...clipped[0].dataSync(), ...clipped[1].dataSync()];
    [1.5, 2, 6].forEach((want, i) => assert.ok(Math.abs(flat[i] - want) < 1e-5, `component ${i}: ${flat[i]} ≠ ${want}`));
    tf.dispose([...grads, ...clipped]);
  });

  it('leaves a gradient shorter than the bound unchanged', () => {
    const grads = [tf.tensor1d([3, 4])];
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 20);
    assert.ok(Math.abs(norm - 5) < 1e-6);
    assert.deepEqual(Array.from(clipped[0].dataSync()), [3, 4]);
    tf.dispose([...grads, ...clipped]);
  });

  it('refuses a bound that is not positive', () => {
    const grads = [tf.tensor1d([1])];
    assert.throws(() => clipByGlobalNorm(grads, 0), ConfigError);
    assert.throws(() => clipByGlobalNorm(grads, Number.NaN), ConfigError);
    tf.dispose(grads);
  });
});
