import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { SolveStats, dopri5 } from '../../src/integrators/index';
import { grid, maxOscillatorError, oscillator, oscillatorEnergy, oscillatorStart } from './harmonic';

const freshStats = (): SolveStats => ({ rhsEvaluations: 0, acceptedSteps: 0, rejectedSteps: 0 });

describe('dopri5', () => {
  it('follows cos/sin of the harmonic oscillator at the default tolerances', () => {
    const ts = grid(10, 100);
    const out = dopri5.solve(oscillator, oscillatorStart(), ts);
    assert.equal(out.length, ts.length);
    assert.ok(maxOscillatorError(ts, out) < 1e-6, `${maxOscillatorError(ts, out)}`);
  });

  it('global error scales with the tolerance (below 10·rtol, ~100× smaller per 100× tighter rtol)', () => {
    const ts = grid(10, 10);
    const errors = [1e-4, 1e-6, 1e-8, 1e-10].map((rtol) => {
      const error = maxOscillatorError(ts, dopri5.solve(oscillator, oscillatorStart(), ts, { rtol, atol: rtol * 1e-2 }));
      assert.ok(error < 10 * rtol, `rtol=${rtol}: error ${error}`);
      return error;
    });
    for (let i = 1; i < errors.length; i++) {
      const ratio = errors[i - 1] / errors[i];
      assert.ok(ratio > 30 && ratio < 300, `ratio ${ratio}`);
    }
  });

  it('dense output at many points between steps agrees with the analytic solution to ~tolerance', () => {
    const stats = freshStats();
    const ts = grid(10, 1000);
    const out = dopri5.solve(oscillator, oscillatorStart(), ts, { rtol: 1e-8, atol: 1e-10, stats });
    // far fewer steps than outputs, so almost every output is interpolated
    assert.ok(stats.acceptedSteps < 200, `${stats.acceptedSteps} steps`);
    assert.ok(maxOscillatorError(ts, out) < 1e-7, `${maxOscillatorError(ts, out)}`);
  });

  it('keeps the oscillator energy within 10·rtol = 1e-9 over 10 s at rtol 1e-10', () => {
    const out = dopri5.solve(oscillator, oscillatorStart(), grid(10, 200), { rtol: 1e-10, atol: 1e-12 });
    const drift = Math.max(...out.map((y) => Math.abs(oscillatorEnergy(y) - 0.5)));
    assert.ok(drift < 1e-9, `${drift}`);
  });

  it('counts its work: 2 start-up evaluations, then 6 per attempted step (FSAL)', () => {
    const stats = freshStats();
    dopri5.solve(oscillator, oscillatorStart(), [0, 10], { rtol: 1e-6, stats });
    assert.ok(stats.acceptedSteps > 5 && stats.rejectedSteps >= 0);
    assert.equal(stats.rhsEvaluations, 2 + 6 * (stats.acceptedSteps + stats.rejectedSteps));
  });

  it('never rejects a step where the error estimate is exactly 0 (y\' = 1, h grows tenfold per step)', () => {
    const stats = freshStats();
    const out = dopri5.solve(() => Float64Array.of(1), Float64Array.of(0), [0, 1, 1000], { stats });
    assert.ok(Math.abs(out[1][0] - 1) < 1e-12 && Math.abs(out[2][0] - 1000) < 1e-9);
    assert.equal(stats.rejectedSteps, 0);
    // from Hairer's fallback first step 1e-6, ten-fold growth reaches t = 1000 in about 10 steps
    assert.ok(stats.acceptedSteps <= 11, `${stats.acceptedSteps} steps`);
  });

  it('throws a clear error when maxSteps is exceeded', () => {
    assert.throws(
      () => dopri5.solve(oscillator, oscillatorStart(), [0, 100], { rtol: 1e-10, maxSteps: 50 }),
      /reached opts\.maxSteps=50 attempted steps at t=.* before ts\[1\]=100/,
    );
  });

  it('rejects bad tolerances naming the option', () => {
    const solve = (opts: object) => () => dopri5.solve(oscillator, oscillatorStart(), [0, 1], opts);
    assert.throws(solve({ rtol: -1 }), (e: Error) => e instanceof ConfigError && /opts\.rtol/.test(e.message));
    assert.throws(solve({ atol: Number.NaN }), /opts\.atol/);
    assert.throws(solve({ rtol: 0, atol: 0 }), /cannot both be 0/);
    assert.throws(solve({ maxSteps: 0 }), /opts\.maxSteps/);
  });
});
