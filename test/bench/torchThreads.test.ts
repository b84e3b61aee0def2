import { strict as assert } from 'assert';
import { parseTorchThreads } from '../../src/cli/bench';
import { ConfigError } from '../../src/core/errors';
import { threadLabel } from '../../src/bench/torchReference';

describe('bench --torch-threads', () => {
  it('reads distinct positive thread counts in the order given', () => {
    assert.deepEqual(parseTorchThreads('1'), [1]);
    assert.deepEqual(parseTorchThreads('2, 1'), [2, 1]);
  });

  it('refuses zero, non-integers, empty entries and repeats', () => {
    for (const bad of ['0', '1.5', 'two', '1,,2', '1,1']) assert.throws(() => parseTorchThreads(bad), ConfigError, bad);
  });

  it('labels thread counts', () => {
    assert.equal(threadLabel(1), '1 thread');
    assert.equal(threadLabel(2), '2 threads');
  });
});
