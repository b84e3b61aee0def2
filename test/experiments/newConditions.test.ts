import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/core/rng';
import type { ImodeInstance } from '../../src/data/imodeInstances';
import { type ImodeDataSource, type ImodeModelFactory, adaptAndEvaluateInstances } from '../../src/meta/imodeEvaluation';
import type { ImodeTrained } from '../../src/meta/imodeTraining';
import { type FieldFactory, disposeTaskBatch } from '../../src/meta/taskBatch';
import {
  amplitudeRegion,
  newConditionsErrorFigure,
  newConditionsPortraitFigure,
  newConditionsRecord,
  newConditionsTable,
  releasedAtRestBatch,
} from '../../src/experiments/imode/newConditions';
import { imodePendulumConfig } from '../../src/experiments/imodePendulum';
import { pendulumInstanceResult } from '../helpers/instanceResult';

const G = 10;

/** The complete elliptic integral of the first kind by the arithmetic–geometric mean: K(k) = π / (2 AGM(1, √(1−k²))). */
function ellipticK(k: number): number {
  let a = 1;
  let b = Math.sqrt(1 - k * k);
  for (let i = 0; i < 30; i++) [a, b] = [(a + b) / 2, Math.sqrt(a * b)];
  return Math.PI / (2 * a);
}

/** θ'' = −κ sin θ with κ = g/L = exp(η) for the whole batch (η of one task): a model that is exact at the right η. */
const pendulumFactory: FieldFactory = (_params, etaRows) => (_t, y) =>
  tf.tidy(() => {
    const [theta, omega] = tf.split(y, 2, 1);
    return tf.concat([omega, tf.neg(tf.mul(tf.exp(etaRows), tf.sin(theta)))], 1) as tf.Tensor2D;
  });

/** θ'' = 50 e^η θ³: fine near θ = 0 for a second, blows up within a tenth of one from θ = 3. */
const cubicFactory: FieldFactory = (_params, etaRows) => (_t, y) =>
  tf.tidy(() => {
    const [theta, omega] = tf.split(y, 2, 1);
    return tf.concat([omega, tf.mul(tf.mul(tf.exp(etaRows), 50), tf.pow(theta, 3))], 1) as tf.Tensor2D;
  });

function run(factory: FieldFactory, eta0: number, solver: Parameters<typeof adaptAndEvaluateInstances>[4]['solver']) {
  const instance: ImodeInstance = { label: 'L=1', params: [1], split: 'interpolate', trajectories: [] };
  const windows = () => releasedAtRestBatch({ L: 1, amplitudes: [0.01, 0.02], steps: 10, dt: 0.01 });
  const source: ImodeDataSource<ImodeInstance> = {
    scale: [1, 1],
    adaptBatch: windows,
    evalBatch: windows,
    scratchStream: () => createRng(1),
    scratchOnTraining: true,
    newConditionsBatch: () => releasedAtRestBatch({ L: 1, amplitudes: [0.01, 3.0], steps: 100, dt: 0.01 }),
  };
  const model: ImodeModelFactory = { makeField: factory, initialParams: () => [] };
  const trained: ImodeTrained = { params: [], eta0: tf.tensor2d([[eta0]]), lossHistory: [], gradNormHistory: [], bestIteration: 0, seconds: 0, iterationsRun: 0 };
  const before = tf.memory().numTensors;
  const [result] = adaptAndEvaluateInstances([instance], source, model, trained, {
    solver,
    inner: { steps: 1, optimizer: 'sgd', lr: 1e-9, safeguard: 'none', maxHalvings: 0 },
    trimFraction: 0,
    etaDim: 1,
    scratchSteps: 0,
    scratchLr: 0,
  });
  const leaked = tf.memory().numTensors - before;
  trained.eta0.dispose();
  return { result, leaked };
}

describe('experiments/imode/newConditions: the pendulum released at rest from new amplitudes', () => {
  it('builds the tight reference: starts at rest at each amplitude and reaches −θ₀ at half the exact period 2√(L/g) K(sin(θ₀/2))', () => {
    const L = 2;
    const amplitudes = [0.5, 3.0];
    const dt = 1e-3;
    const halfPeriods = amplitudes.map((a) => 2 * Math.sqrt(L / G) * ellipticK(Math.sin(a / 2)));
    const steps = Math.ceil(Math.max(...halfPeriods) / dt) + 5;
    const batch = releasedAtRestBatch({ L, amplitudes, steps, dt });
    assert.deepEqual(batch.targets.shape, [steps + 1, 2, 2]);
    assert.deepEqual(batch.membership.shape, [2, 1]);
    const x0 = batch.x0.arraySync();
    amplitudes.forEach((a, r) => assert.deepEqual(x0[r], [Math.fround(a), 0]));
    const targets = batch.targets.arraySync();
    amplitudes.forEach((a, r) => {
      const i = Math.round(halfPeriods[r] / dt);
      // the nearest sample is at most dt/2 from the turning point, where θ' = 0: |θ + a| ≤ ½ (g/L) sin a (dt/2)², plus float32
      assert.ok(Math.abs(targets[i][r][0] + a) < 0.5 * (G / L) * Math.sin(a) * (dt / 2) ** 2 + 1e-6, `θ₀ = ${a}: θ(T/2) = ${targets[i][r][0]}`);
      const energy = (s: number[]) => 0.5 * s[1] * s[1] - (G / L) * Math.cos(s[0]);
      const drift = Math.max(...targets.map((step) => Math.abs(energy(step[r]) - energy(targets[0][r]))));
      assert.ok(drift < 1e-5, `energy drift ${drift} at θ₀ = ${a}`);
    });
    disposeTaskBatch(batch);
  });

  it('scores an exact model at round-off on every new condition, per row, and leaks no tensor', () => {
    const { result, leaked } = run(pendulumFactory, Math.log(G / 1), { method: 'rk4', substeps: 4 });
    const nc = result.newConditions;
    assert.ok(nc);
    assert.equal(nc.errors.length, 2);
    for (const e of nc.errors) assert.ok(e !== null && e < 1e-9, `MSE ${e}`);
    assert.equal(nc.scratchErrors, null, 'no scratch baseline was trained');
    assert.equal(nc.truth[1].length, 101);
    assert.equal(nc.truth[1][0][0], Math.fround(3.0));
    assert.equal(leaked, 0);
  });

  it('records a row the adaptive solver gives up on as diverged (null) and keeps the other rows', () => {
    const { result, leaked } = run(cubicFactory, 0, { method: 'dopri5', rtol: 1e-4, atol: 1e-4, maxSteps: 300 });
    const nc = result.newConditions;
    assert.ok(nc);
    assert.ok(nc.errors[0] !== null && Number.isFinite(nc.errors[0]) && nc.errors[0] > 0, `the small swing is scored: ${nc.errors[0]}`);
    assert.equal(nc.errors[1], null, 'θ₀ = 3 diverges');
    assert.deepEqual(nc.predicted[1], []);
    assert.equal(nc.predicted[0].length, 101);
    assert.equal(leaked, 0);
  });

  it('summarises per amplitude over lengths, counting diverged rollouts and lengths within the target', () => {
    const amplitudes = [0.8, Math.PI / 2, 2.4];
    const row = (L: number, errors: (number | null)[], scratchErrors: (number | null)[]) =>
      pendulumInstanceResult(L, {
        newConditions: {
          errors,
          scratchErrors,
          truth: amplitudes.map(() => [[0, 0]]),
          predicted: errors.map((e) => (e === null ? [] : [[0, 0]])),
          scratch: scratchErrors.map((e) => (e === null ? [] : [[0, 0]])),
        },
      });
    const lengths = [row(3, [1e-4, 2e-4, 5e-2], [1e-2, 3e-2, null]), row(1, [3e-4, 4e-4, null], [2e-3, 1e-3, 9e-1])];
    const table = newConditionsTable(amplitudes, lengths, 1e-3);
    assert.deepEqual(table.rows.map((r) => r[1]), ['inside', 'at', 'outside']);
    assert.deepEqual(table.rows[0].slice(2, 9), [(1e-4 + 3e-4) / 2, 3e-4, '2 / 2', (1e-2 + 2e-3) / 2, 1e-2, '0 / 2', '0 / 0']);
    assert.deepEqual(table.rows[1][7], '1 / 2');
    assert.deepEqual(table.rows[2].slice(2, 9), [5e-2, 5e-2, '0 / 2', 9e-1, 9e-1, '0 / 2', '1 / 1']);
    const record = newConditionsRecord(amplitudes, 60, lengths);
    assert.deepEqual(record.lengths.map((l) => l.L), [1, 3], 'sorted by L');
    assert.deepEqual(record.lengths[0].mse, [3e-4, 4e-4, null]);
    const fig = newConditionsErrorFigure(amplitudes, 60, lengths);
    assert.equal(fig.data.length, 4, 'iMODE and scratch per length');
    assert.deepEqual((fig.data[0] as { x: number[] }).x, [0.8, Math.PI / 2], 'the diverged point leaves a gap');
    const portraits = newConditionsPortraitFigure(amplitudes, lengths, 1);
    assert.equal(portraits.data.length, 9, 'reference, iMODE and scratch in each of 3 panels');
    assert.throws(() => newConditionsPortraitFigure(amplitudes, lengths, 7), /no new-conditions result for L = 7/);
    assert.equal(amplitudeRegion(Math.PI / 2), 'at');
  });

  it('is configured at every scale, analysis-only, and rejects amplitudes at or beyond the separatrix', () => {
    for (const scale of ['smoke', 'default', 'paper'] as const) {
      const cfg = imodePendulumConfig(scale);
      assert.ok(cfg.newConditionAmplitudes.some((a) => a < Math.PI / 2) && cfg.newConditionAmplitudes.some((a) => a > Math.PI / 2), scale);
    }
    assert.equal(imodePendulumConfig('default').newConditionSteps, imodePendulumConfig('default').evalSteps);
    assert.throws(() => imodePendulumConfig('smoke', { newConditionAmplitudes: [1, 3.2] }), /newConditionAmplitudes\[1\]/);
    assert.throws(() => imodePendulumConfig('smoke', { newConditionAmplitudes: [0] }), /newConditionAmplitudes\[0\]/);
  });
});
