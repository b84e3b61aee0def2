import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { type FieldFactory, batchRollout, componentErrors, disposeTaskBatch, makeTaskBatch, perRowLossOf, perTaskLoss, perTaskLossOf, selectRows } from '../../src/meta/taskBatch';

/** ẋ = −x in two components, observed as x0 e^{−t} in the first and x0 e^{−2t} in the second. */
function decayBatch() {
  const dt = 0.1;
  const x0 = [Float64Array.of(1, 2), Float64Array.of(-0.5, 1)];
  const targets = Array.from({ length: 11 }, (_, t) => x0.map((x) => Float64Array.of(x[0] * Math.exp(-t * dt), x[1] * Math.exp(-2 * t * dt))));
  return makeTaskBatch(x0, targets, [0, 0], 1, dt);
}
const unitDecay: FieldFactory = () => (_t, y) => tf.neg(y) as tf.Tensor2D;
const standStill: FieldFactory = () => (_t, y) => tf.zerosLike(y) as tf.Tensor2D;

describe('meta/taskBatch componentErrors (held-out residual by state component)', () => {
  before(async () => {
    await initBackend();
  });

  it('averages to the one-task loss, is ≈ 0 on the component the model gets right and equals the motion for a model in which nothing moves', () => {
    const batch = decayBatch();
    const solver = { method: 'rk4' as const, substeps: 4 };
    const eta = tf.zeros([1, 1]) as tf.Tensor2D;
    const pred = batchRollout(unitDecay, [], eta, batch, solver);
    const before = tf.memory().numTensors;
    const { residual, motion } = componentErrors(pred, batch);
    assert.equal(tf.memory().numTensors, before, 'componentErrors frees what it makes');
    const loss = tf.tidy(() => perTaskLoss(unitDecay, [], eta, batch, solver).dataSync()[0]);
    assert.equal(tf.tidy(() => perTaskLossOf(pred, batch).dataSync()[0]), loss, 'the loss of a rollout already made is the loss, to the bit');
    pred.dispose();
    assert.ok(Math.abs((residual[0] + residual[1]) / 2 - loss) < 1e-6 * loss + 1e-9, `${residual} against loss ${loss}`);
    assert.ok(residual[0] < 1e-8, `first component fits e^{−t}: ${residual[0]}`);
    assert.ok(residual[1] > 1e-3, `second does not fit e^{−2t}: ${residual[1]}`);
    const still = batchRollout(standStill, [], eta, batch, solver);
    const stillErrors = componentErrors(still, batch);
    still.dispose();
    stillErrors.residual.forEach((r, j) => assert.ok(Math.abs(r - motion[j]) < 1e-6 * motion[j], `component ${j}: ${r} against motion ${motion[j]}`));
    tf.dispose(eta);
    disposeTaskBatch(batch);
  });

  it('rejects a rollout of another shape', () => {
    const batch = decayBatch();
    const wrong = tf.zeros([3, 2, 2]) as tf.Tensor3D;
    assert.throws(() => componentErrors(wrong, batch), /rollout shape \[3,2,2\] differs from the targets' \[11,2,2\]/);
    wrong.dispose();
    disposeTaskBatch(batch);
  });
});

describe('meta/taskBatch selectRows and perRowLossOf', () => {
  before(async () => {
    await initBackend();
  });

  it('selects rows of start states, targets and membership in the given order, and refuses no rows or a row out of range', () => {
    const batch = makeTaskBatch([Float64Array.of(1), Float64Array.of(2), Float64Array.of(3)], [[Float64Array.of(1), Float64Array.of(2), Float64Array.of(3)], [Float64Array.of(10), Float64Array.of(20), Float64Array.of(30)]], [0, 1, 1], 2, 0.5);
    const picked = selectRows(batch, [2, 0]);
    assert.deepEqual(picked.x0.arraySync(), [[3], [1]]);
    assert.deepEqual(picked.targets.arraySync(), [[[3], [1]], [[30], [10]]]);
    assert.deepEqual(picked.membership.arraySync(), [[0, 1], [1, 0]]);
    assert.deepEqual(picked.ts, [0, 0.5]);
    assert.throws(() => selectRows(batch, []), /no rows selected/);
    assert.throws(() => selectRows(batch, [3]), /row 3 outside \[0, 3\)/);
    disposeTaskBatch(picked);
    disposeTaskBatch(batch);
  });

  it('the per-row MSE is the one-task loss row by row: zero on the component the model gets right, the miss on the other', () => {
    const batch = decayBatch();
    const solver = { method: 'rk4' as const, substeps: 4 };
    const eta = tf.zeros([1, 1]) as tf.Tensor2D;
    const pred = batchRollout(unitDecay, [], eta, batch, solver);
    const perRow = Array.from(perRowLossOf(pred, batch).dataSync());
    // Row r misses x_r,2 (e^{−t} predicted, e^{−2t} observed) in one of its two components.
    const expected = [2, 1].map((a) => Array.from({ length: 11 }, (_, t) => (a * (Math.exp(-t * 0.1) - Math.exp(-2 * t * 0.1))) ** 2).reduce((x, y) => x + y, 0) / 22);
    perRow.forEach((v, r) => assert.ok(Math.abs(v - expected[r]) < 1e-5, `row ${r}: ${v} vs ${expected[r]}`));
    const mean = (perRow[0] + perRow[1]) / 2;
    assert.ok(Math.abs(mean - perTaskLoss(unitDecay, [], eta, batch, solver).dataSync()[0]) < 1e-6);
    tf.dispose([pred, eta]);
    disposeTaskBatch(batch);
  });
});
