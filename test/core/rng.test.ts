import { strict as assert } from 'assert';
import { createRng, restoreRng } from '../../src/core/rng';

describe('core/rng', () => {
  it('is reproducible per seed and differs between nearby seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.uniform());
    assert.deepEqual(Array.from({ length: 5 }, () => b.uniform()), xs);
    assert.notDeepEqual(Array.from({ length: 5 }, () => c.uniform()), xs);
  });

  it('restoring a saved state continues the same stream (resumed runs draw the same numbers)', () => {
    const r = createRng(7);
    r.normal();
    const saved = r.state;
    const next = [r.uniform(), r.normal(), r.int(0, 10)];
    const resumed = restoreRng(saved);
    assert.deepEqual([resumed.uniform(), resumed.normal(), resumed.int(0, 10)], next);
  });

  it('has the moments of U[0,1) and N(0,1) and keeps ints in range', () => {
    const r = createRng(1);
    const n = 200000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    // 5-sigma bounds on the sample means of n draws
    assert.ok(Math.abs(su / n - 0.5) < 5 * Math.sqrt(1 / 12 / n));
    assert.ok(Math.abs(sn / n) < 5 / Math.sqrt(n));
    assert.ok(Math.abs(sn2 / n - 1) < 5 * Math.sqrt(2 / n));
    for (let i = 0; i < 1000; i++) {
      const k = r.int(-3, 4);
      assert.ok(Number.isInteger(k) && k >= -3 && k < 4);
    }
  });

  it('rejects bad seeds and states', () => {
    assert.throws(() => createRng(-1), RangeError);
    assert.throws(() => createRng(1.5), RangeError);
    assert.throws(() => restoreRng([0, 0, 0, 0]), /all zeros/);
    assert.throws(() => createRng(0).int(3, 3), RangeError);
  });
});
