import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { getIntegrator, integrators } from '../../src/integrators/index';
import { oscillator, oscillatorStart } from './harmonic';

describe('integrator registry and shared input checks', () => {
  it('looks integrators up by name and lists the allowed names for an unknown one', () => {
    assert.equal(getIntegrator('rk4').order, 4);
    assert.equal(getIntegrator('dopri5').order, 5);
    assert.deepEqual(Object.keys(integrators).sort(), ['dopri5', 'rk4']);
    assert.throws(
      () => getIntegrator('euler'),
      (e: Error) => e instanceof ConfigError && /'euler'.*allowed: rk4, dopri5/.test(e.message),
    );
    assert.throws(() => getIntegrator('toString'), ConfigError);
  });

  for (const method of ['rk4', 'dopri5']) {
    describe(method, () => {
      const solve = (ts: number[], y0 = oscillatorStart()) => () => getIntegrator(method).solve(oscillator, y0, ts);

      it('rejects an empty, non-increasing or non-finite time grid', () => {
        assert.throws(solve([]), (e: Error) => e instanceof ConfigError && /non-empty/.test(e.message));
        assert.throws(solve([0, 1, 1]), /strictly increasing, but ts\[2\]=1 <= ts\[1\]=1/);
        assert.throws(solve([0, 2, 1]), /ts\[2\]=1 <= ts\[1\]=2/);
        assert.throws(solve([0, Number.NaN]), /ts\[1\] must be a finite number/);
      });

      it('rejects a non-finite initial state and a field of the wrong length', () => {
        assert.throws(solve([0, 1], Float64Array.of(1, Number.POSITIVE_INFINITY)), /y0\[1\] must be finite/);
        assert.throws(
          () => getIntegrator(method).solve(() => Float64Array.of(1), oscillatorStart(), [0, 1]),
          /length 2 \(the state length\), got length 1/,
        );
      });

      it('returns just a copy of y0 for a single time', () => {
        const out = getIntegrator(method).solve(oscillator, oscillatorStart(), [3]);
        assert.equal(out.length, 1);
        assert.deepEqual(Array.from(out[0]), [1, 0]);
      });
    });
  }
});
