import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { denseOutputWeights, odeint, type OdeintOptions, type OdeintStats } from '../../src/nn/odeint';
import { dopri5Tableau } from '../../src/integrators/dopri5';

/** harmonic oscillator ẋ = (v, −ω²x), exact x(t) = x0 cos ωt + v0/ω sin ωt */
const omega = 2;
const oscillator = (_t: number, y: tf.Tensor2D) =>
  tf.concat([tf.slice(y, [0, 1], [-1, 1]), tf.mul(tf.slice(y, [0, 0], [-1, 1]), -omega * omega)], 1) as tf.Tensor2D;

function maxErrorVsExact(opts: OdeintOptions, ts: number[]): number {
  return tf.tidy(() => {
    const y0 = tf.tensor2d([[1, 0], [0.5, 1]]);
    const out = odeint(oscillator, y0, ts, opts).arraySync() as number[][][];
    let worst = 0;
    ts.forEach((t, i) => {
      [[1, 0], [0.5, 1]].forEach(([x0, v0], r) => {
        const x = x0 * Math.cos(omega * t) + (v0 / omega) * Math.sin(omega * t);
        worst = Math.max(worst, Math.abs(out[i][r][0] - x));
      });
    });
    return worst;
  });
}

describe('nn/odeint', () => {
  before(async () => {
    await initBackend();
  });

  it('rk4 converges with order ≈ 4 on the harmonic oscillator', () => {
    const ts = Array.from({ length: 11 }, (_, i) => i * 0.2);
    const e1 = maxErrorVsExact({ method: 'rk4', substeps: 2 }, ts);
    const e2 = maxErrorVsExact({ method: 'rk4', substeps: 4 }, ts);
    const ratio = e1 / e2;
    assert.ok(ratio > 12 && ratio < 20, `error ratio ${ratio} (e1 ${e1}, e2 ${e2})`);
  });

  it('dopri5 dense output follows the exact solution within the tolerance, with few evaluations', () => {
    const ts = Array.from({ length: 101 }, (_, i) => i * 0.01);
    const stats: OdeintStats = { rhsEvaluations: 0, acceptedSteps: 0, rejectedSteps: 0 };
    const err = maxErrorVsExact({ method: 'dopri5', rtol: 1e-5, atol: 1e-5, stats }, ts);
    assert.ok(err < 1e-4, `max error ${err}`);
    assert.ok(stats.rhsEvaluations < 100, `dopri5 used ${stats.rhsEvaluations} evaluations for 100 outputs`);
  });

  it('dense-output weights reproduce the step end point and y0 at θ = 0', () => {
    const w0 = denseOutputWeights(0);
    w0.forEach((w) => assert.ok(Math.abs(w) < 1e-15));
    const w1 = denseOutputWeights(1);
    w1.forEach((w, i) => assert.ok(Math.abs(w - dopri5Tableau.b[i]) < 1e-12, `w_${i}(1) = ${w}, b = ${dopri5Tableau.b[i]}`));
  });

  it('gradient of a rollout loss with respect to a field parameter matches finite differences (both methods)', () => {
    const ts = Array.from({ length: 21 }, (_, i) => i * 0.05);
    for (const opts of [{ method: 'rk4' }, { method: 'dopri5', rtol: 1e-6, atol: 1e-6 }] as OdeintOptions[]) {
      const loss = (k: tf.Tensor) =>
        tf.tidy(() => {
          const field = (_t: number, y: tf.Tensor2D) =>
            tf.concat([tf.slice(y, [0, 1], [-1, 1]), tf.neg(tf.mul(tf.sin(tf.slice(y, [0, 0], [-1, 1])), k))], 1) as tf.Tensor2D;
          return tf.mean(tf.square(odeint(field, tf.tensor2d([[1.2, 0]]), ts, opts)));
        });
      const k = tf.scalar(3);
      const g = tf.tidy(() => tf.grad(loss)(k).dataSync()[0]);
      const h = 1e-2;
      const fd = (loss(tf.scalar(3 + h)).dataSync()[0] - loss(tf.scalar(3 - h)).dataSync()[0]) / (2 * h);
      assert.ok(Math.abs(g - fd) < 2e-2 * Math.abs(fd) + 1e-4, `${opts.method}: grad ${g} vs fd ${fd}`);
      k.dispose();
    }
  });

  it('rejects non-increasing times and unknown methods', () => {
    const y0 = tf.tensor2d([[1, 0]]);
    assert.throws(() => odeint(oscillator, y0, [0, 0.1, 0.1], { method: 'rk4' }), /strictly increasing/);
    assert.throws(() => odeint(oscillator, y0, [0, 0.1], { method: 'euler' as never }), /must be one of rk4, dopri5/);
    y0.dispose();
  });

  it('a blow-up is reported instead of returning NaN', () => {
    const y0 = tf.tensor2d([[1, 0]]);
    const exploding = (_t: number, y: tf.Tensor2D) => tf.mul(tf.square(y), 1e30) as tf.Tensor2D;
    assert.throws(() => tf.tidy(() => odeint(exploding, y0, [0, 1], { method: 'dopri5', maxSteps: 200 })), /non-finite|more than 200 steps/);
    y0.dispose();
  });
});
