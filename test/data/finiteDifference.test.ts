import { strict as assert } from 'assert';
import { ConfigError, DataError } from '../../src/core/errors';
import { timeDerivative } from '../../src/data/finiteDifference';

/** Samples t_i = t0 + i dt, i < T, of a scalar function and its derivative as one-component states. */
const sampled = (f: (t: number) => number, T: number, dt: number, t0 = 0.3) => Array.from({ length: T }, (_, i) => Float64Array.of(f(t0 + i * dt)));

const maxError = (got: readonly Float64Array[], exact: (i: number) => readonly number[]) =>
  Math.max(...got.flatMap((g, i) => Array.from(g, (v, j) => Math.abs(v - exact(i)[j]))));

describe('data/finiteDifference timeDerivative', () => {
  it('is exact (to rounding) for every polynomial of degree ≤ 4, at the ends as inside, componentwise', () => {
    const dt = 0.1;
    const t0 = 0.3;
    const T = 9;
    for (let degree = 0; degree <= 4; degree++) {
      const p = (t: number) => (t - 0.5) ** degree + 2 * t;
      const dp = (t: number) => (degree === 0 ? 0 : degree * (t - 0.5) ** (degree - 1)) + 2;
      const states = Array.from({ length: T }, (_, i) => Float64Array.of(p(t0 + i * dt), -3 * p(t0 + i * dt)));
      const err = maxError(timeDerivative(states, dt), (i) => [dp(t0 + i * dt), -3 * dp(t0 + i * dt)]);
      assert.ok(err < 1e-11, `degree ${degree}: error ${err}`);
    }
    // degree 5 is not exact: the stencils' order is 4, not more
    const quintic = timeDerivative(sampled((t) => t ** 5, T, dt), dt);
    assert.ok(maxError(quintic, (i) => [5 * (t0 + i * dt) ** 4]) > 1e-6);
  });

  it('converges at order ≈ 4 on sin and cos as dt halves, inside and at the ends', () => {
    const span = 2;
    const errors = [0.1, 0.05, 0.025].map((dt) => {
      const T = Math.round(span / dt) + 1;
      const states = Array.from({ length: T }, (_, i) => Float64Array.of(Math.sin(i * dt), Math.cos(i * dt)));
      const got = timeDerivative(states, dt);
      return {
        all: maxError(got, (i) => [Math.cos(i * dt), -Math.sin(i * dt)]),
        end: maxError([got[0], got[T - 1]], (k) => (k === 0 ? [1, 0] : [Math.cos((T - 1) * dt), -Math.sin((T - 1) * dt)])),
        inside: maxError([got[Math.floor(T / 2)]], () => [Math.cos(Math.floor(T / 2) * dt), -Math.sin(Math.floor(T / 2) * dt)]),
      };
    });
    for (const key of ['all', 'end', 'inside'] as const) {
      for (let k = 1; k < errors.length; k++) {
        const order = Math.log2(errors[k - 1][key] / errors[k][key]);
        assert.ok(order > 3.7 && order < 4.3, `${key}: measured order ${order.toFixed(2)} (errors ${errors.map((e) => e[key].toExponential(2)).join(', ')})`);
      }
    }
  });

  it('rejects a bad step, a too-short or ragged trajectory and non-finite data, naming what is wrong', () => {
    const ok = sampled(Math.sin, 6, 0.1);
    assert.throws(() => timeDerivative(ok, 0), (e: unknown) => e instanceof ConfigError && /dt must be a positive/.test(e.message));
    assert.throws(() => timeDerivative(ok, -0.1), ConfigError);
    assert.throws(() => timeDerivative(ok, Number.NaN), ConfigError);
    assert.throws(() => timeDerivative(ok.slice(0, 4), 0.1), (e: unknown) => e instanceof DataError && /at least 5 samples, got 4/.test(e.message));
    const gap = ok.map((s) => Float64Array.from(s));
    gap[3][0] = Number.NaN;
    assert.throws(() => timeDerivative(gap, 0.1), (e: unknown) => e instanceof DataError && /sample 3, component 0 is NaN/.test(e.message));
    const ragged = [...ok.slice(0, 5), Float64Array.of(1, 2)];
    assert.throws(() => timeDerivative(ragged, 0.1), (e: unknown) => e instanceof DataError && /sample 5 has 2 components/.test(e.message));
  });
});
