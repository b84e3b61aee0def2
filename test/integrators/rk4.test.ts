import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { SolveStats, rk4 } from '../../src/integrators/index';
import { grid, maxOscillatorError, oscillator, oscillatorEnergy, oscillatorStart } from './harmonic';

describe('rk4', () => {
  it('follows cos/sin of the harmonic oscillator to 1e-9 with h = 0.01 over 10 s', () => {
    const ts = grid(10, 1000);
    const out = rk4.solve(oscillator, oscillatorStart(), ts);
    assert.equal(out.length, ts.length);
    assert.ok(maxOscillatorError(ts, out) < 1e-9, `${maxOscillatorError(ts, out)}`);
  });

  it('has convergence order 4: halving the step divides the error at t = 10 by 12..20', () => {
    const errorAtEnd = (substeps: number) =>
      maxOscillatorError([10], [rk4.solve(oscillator, oscillatorStart(), [0, 10], { substeps })[1]]);
    for (const n of [50, 100, 200]) {
      const ratio = errorAtEnd(n) / errorAtEnd(2 * n);
      assert.ok(ratio > 12 && ratio < 20, `n=${n}: ratio ${ratio}`);
    }
  });

  it('keeps the oscillator energy within 1e-10 over 10 s', () => {
    const out = rk4.solve(oscillator, oscillatorStart(), grid(10, 1000));
    const drift = Math.max(...out.map((y) => Math.abs(oscillatorEnergy(y) - 0.5)));
    assert.ok(drift < 1e-10, `${drift}`);
  });

  it('maxStep splits each interval into the fewest equal substeps, substeps into exactly that many', () => {
    const stats: SolveStats = { rhsEvaluations: -1, acceptedSteps: -1, rejectedSteps: -1 };
    const byMaxStep = rk4.solve(oscillator, oscillatorStart(), [0, 1, 1.25], { maxStep: 0.1, stats });
    assert.deepEqual(stats, { rhsEvaluations: 4 * 13, acceptedSteps: 10 + 3, rejectedSteps: 0 });
    const bySubsteps = rk4.solve(oscillator, oscillatorStart(), [0, 1], { substeps: 10 });
    assert.deepEqual(Array.from(byMaxStep[1]), Array.from(bySubsteps[1]));
  });

  it('returns a copy of y0 first and does not modify y0', () => {
    const y0 = oscillatorStart();
    const out = rk4.solve(oscillator, y0, [0, 1]);
    assert.notEqual(out[0], y0);
    assert.deepEqual(Array.from(y0), [1, 0]);
    assert.deepEqual(Array.from(out[0]), [1, 0]);
  });

  it('rejects bad step options', () => {
    const solve = (opts: object) => () => rk4.solve(oscillator, oscillatorStart(), [0, 1], opts);
    assert.throws(solve({ substeps: 0 }), (e: Error) => e instanceof ConfigError && /opts\.substeps/.test(e.message));
    assert.throws(solve({ substeps: 2.5 }), ConfigError);
    assert.throws(solve({ maxStep: -1 }), /opts\.maxStep/);
    assert.throws(solve({ substeps: 2, maxStep: 0.1 }), /either opts\.substeps or opts\.maxStep/);
  });
});
