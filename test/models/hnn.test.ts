import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import { rk4 } from '../../src/integrators/rk4';
import { modulatedValueAndInputGradient } from '../../src/modulation/modulatedInputGradient';
import { conditionModulatedMlp, disposeModulatedMlp } from '../../src/modulation/modulatedMlp';
import { MODULATION_KINDS } from '../../src/modulation/modulation';
import { hamiltonianVectorField, modulatedHamiltonianField } from '../../src/models/hnn';
import { odeint } from '../../src/nn/odeint';
import { type Float64Net, float64TaskNets, float64ValueAndGradient, modulatedFixture } from '../helpers/modulation';
import { randomMatrix } from '../helpers/numeric';

/** The float64 HNN field J∇H of one task's net, n = 1. */
function float64Field(net: Float64Net) {
  return (_t: number, y: Float64Array) => {
    const [dq, dp] = float64ValueAndGradient(net, Array.from(y)).gradient;
    return Float64Array.from([dp, -dq]);
  };
}

describe('models/hnn', () => {
  before(async () => {
    await initBackend();
  });

  it('is q̇ = ∂H/∂p, ṗ = −∂H/∂q (n = 2 degrees of freedom)', () => {
    const { spec, params } = modulatedFixture('svd', 1, { inputs: 4 });
    const codes = randomMatrix(createRng(2), 3, spec.latentDim, 1);
    const x = randomMatrix(createRng(3), 3, 4, 1);
    const [field, grad] = tf.tidy(() => {
      const latents = { codes: tf.tensor2d(codes) };
      const xt = tf.tensor2d(x);
      const g = modulatedValueAndInputGradient(conditionModulatedMlp(spec, params, latents), xt).inputGradient;
      return [modulatedHamiltonianField(spec, params, latents)(0, xt).arraySync() as number[][], g.arraySync() as number[][]];
    });
    grad.forEach(([dq1, dq2, dp1, dp2], r) => assert.deepEqual(field[r], [dp1, dp2, -dq1, -dq2]));
    disposeModulatedMlp(params);
  });

  for (const kind of MODULATION_KINDS) {
    it(`${kind}: dH̃/dt = ∇H̃·J∇H̃ vanishes along the model's own flow (float32 round-off)`, () => {
      const { spec, params } = modulatedFixture(kind, 4, { inputs: 4 });
      const rows = 64;
      const { dot, scale } = tf.tidy(() => {
        const latents = { codes: tf.tensor2d(randomMatrix(createRng(5), rows, spec.latentDim, 1)) };
        const x = tf.tensor2d(randomMatrix(createRng(6), rows, 4, 1));
        const g = modulatedValueAndInputGradient(conditionModulatedMlp(spec, params, latents), x).inputGradient;
        const xdot = modulatedHamiltonianField(spec, params, latents)(0, x);
        return { dot: tf.abs(tf.sum(tf.mul(g, xdot), 1)).arraySync() as number[], scale: tf.sum(tf.square(g), 1).arraySync() as number[] };
      });
      dot.forEach((d, r) => assert.ok(d <= 1e-6 * scale[r], `row ${r}: ∇H·J∇H = ${d} with |∇H|² = ${scale[r]}`));
      console.log(`      ${kind}: max |∇H·J∇H| / |∇H|² = ${Math.max(...dot.map((d, r) => d / scale[r])).toExponential(2)}`);
      disposeModulatedMlp(params);
    });

    it(`${kind}: the energy drift of an RK4 rollout of the model's field shrinks ≈ 16× per halved step (float64 replica)`, () => {
      // float32 leaves no room between RK4's asymptotic regime and round-off (drifts of 1e-4 … 1e-7 over T = 2), so the
      // rollout runs on a float64 replica of the same net, built from the tensors' values and checked against them.
      const { spec, params } = modulatedFixture(kind, 21, { width: 8, hyperScale: 0.25, baseScale: 1.5 });
      const rows = 16;
      const T = 2;
      const codes = randomMatrix(createRng(22), rows, spec.latentDim, 1);
      const x0 = randomMatrix(createRng(23), rows, 2, 1);
      const nets = float64TaskNets(spec, params, codes);
      const coarse = tf.tidy(() => {
        const field = modulatedHamiltonianField(spec, params, { codes: tf.tensor2d(codes) });
        return odeint(field, tf.tensor2d(x0), [0, T], { method: 'rk4', substeps: 32 }).arraySync() as number[][][];
      });
      const drifts = [32, 64, 128].map((steps) => {
        let squares = 0;
        nets.forEach((net, r) => {
          const [, end] = rk4.solve(float64Field(net), Float64Array.from(x0[r]), [0, T], { substeps: steps });
          if (steps === 32) end.forEach((v, j) => assert.ok(Math.abs(v - coarse[1][r][j]) < 1e-4, `row ${r}: float32 rollout ${coarse[1][r][j]} vs float64 ${v}`));
          squares += (float64ValueAndGradient(net, Array.from(end)).value - float64ValueAndGradient(net, x0[r]).value) ** 2;
        });
        return Math.sqrt(squares / rows);
      });
      const orders = [Math.log2(drifts[0] / drifts[1]), Math.log2(drifts[1] / drifts[2])];
      console.log(`      ${kind}: RMS drift ${drifts.map((d) => d.toExponential(2)).join(', ')} for h = 1/16, 1/32, 1/64; ratios ${orders.map((p) => (2 ** p).toFixed(1)).join(', ')}`);
      assert.ok(drifts[2] > 1e-12, `drift ${drifts[2]} should be far above float64 round-off`);
      orders.forEach((p) => assert.ok(Math.abs(p - 4) < 0.25, `observed order ${p.toFixed(2)}, expected 4`));
      disposeModulatedMlp(params);
    });
  }

  it('rejects a state of odd width with a ConfigError', () => {
    assert.throws(() => hamiltonianVectorField(3, (x) => x), (e: unknown) => e instanceof ConfigError && /stateDim must be an even integer ≥ 2.*got 3/.test(e.message));
  });
});
