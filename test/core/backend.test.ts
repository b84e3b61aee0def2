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
});
