import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { createRng } from '../../src/core/rng';
import { imodePendulumConfig, loadPendulumData, pendulumModel } from '../../src/experiments/imodePendulum';
import { adaptEta, adaptEtaTrimmed, adaptFromStarts } from '../../src/meta/imode';
import { type FieldFactory, disposeTaskBatch, makeTaskBatch, perTaskLoss, windowBatch } from '../../src/meta/taskBatch';
import { potentialMlpSpec } from '../../src/nn/conservativeForce';
import { initMlp, mlpTensors } from '../../src/nn/mlp';

/**
 * Over-provisioned η: ẋ = −(η₁ + 10⁻³ η₂) x, so J's η₂ column is 10⁻³ × its η₁ column, against data decaying as
 * x0 e^{−t}(1 + 0.1 t²), which no rate fits exactly.
 */
function barelySeenEtaProblem(): { field: FieldFactory; batch: ReturnType<typeof makeTaskBatch> } {
  const c = 1e-3;
  const field: FieldFactory = (_ps, etaRows) => (_t, y) =>
    tf.neg(tf.mul(tf.add(tf.slice(etaRows, [0, 0], [-1, 1]), tf.mul(tf.slice(etaRows, [0, 1], [-1, 1]), c)), y)) as tf.Tensor2D;
  const dt = 0.1;
  const x0 = [Float64Array.of(1), Float64Array.of(-0.5)];
  const targets = Array.from({ length: 16 }, (_, t) => x0.map((x) => Float64Array.of(x[0] * Math.exp(-t * dt) * (1 + 0.1 * (t * dt) ** 2))));
  return { field, batch: makeTaskBatch(x0, targets, [0, 0], 1, dt) };
}

describe('meta/imode (bi-level inner loop, batched over tasks)', () => {
  const cfg = imodePendulumConfig('smoke', { windowsPerTask: 3, windowSteps: 15, etaDim: 1 });
  let params: tf.Tensor[];
  before(async () => {
    await initBackend();
    params = mlpTensors(initMlp(potentialMlpSpec(pendulumModel(cfg).spec), createRng(5)));
  });
  after(() => tf.dispose(params));

  it('adapting all tasks in one batched rollout equals adapting each task alone', () => {
    const model = pendulumModel(cfg);
    const data = loadPendulumData(cfg);
    const tasks = data.train.slice(0, 3);
    const batched = windowBatch(tasks, createRng(9), cfg.windowsPerTask, cfg.windowSteps);
    const eta0 = tf.tensor2d([[0.4], [0.4], [0.4]]);
    const inner = { ...model.inner, optimizer: 'sgd' as const, safeguard: 'none' as const };
    const together = adaptEta(model.makeField, params, eta0, batched, model.solver, inner, false);
    const etaTogether = Array.from(together.eta.dataSync());
    // The same windows, one task at a time: the sampler draws task by task from one stream, so replay it.
    const rng = createRng(9);
    tasks.forEach((ins, k) => {
      const single = windowBatch([ins], rng, cfg.windowsPerTask, cfg.windowSteps);
      const alone = adaptEta(model.makeField, params, tf.tensor2d([[0.4]]), single, model.solver, inner, false);
      const eta = alone.eta.dataSync()[0];
      assert.ok(Math.abs(eta - etaTogether[k]) < 1e-4 * Math.max(1, Math.abs(eta)), `task ${k}: alone ${eta}, batched ${etaTogether[k]}`);
      together.losses.forEach((step, s) => assert.ok(Math.abs(step[k] - alone.losses[s][0]) < 1e-4 * Math.max(1e-3, step[k])));
      tf.dispose(alone.eta);
      disposeTaskBatch(single);
    });
    tf.dispose([together.eta, eta0]);
    disposeTaskBatch(batched);
  });

  describe('adaptEtaTrimmed (least trimmed squares over windows)', () => {
    // ẋ = −η x; six windows decay at η* = 1 and two outliers at rate 4, which no shared η fits with the others.
    const decay: FieldFactory = (_ps, etaRows) => (_t, y) => tf.neg(tf.mul(etaRows, y)) as tf.Tensor2D;
    const dt = 0.1;
    const rates = [1, 4, 1, 1, 1, 4, 1, 1];
    const x0 = rates.map((_, r) => Float64Array.of(0.5 + 0.1 * r));
    const batch = () => makeTaskBatch(x0, Array.from({ length: 11 }, (_, t) => x0.map((x, r) => Float64Array.of(x[0] * Math.exp(-rates[r] * t * dt)))), rates.map(() => 0), 1, dt);
    const inner = { steps: 5, optimizer: 'levenberg-marquardt' as const, lr: 1, safeguard: 'none' as const, maxHalvings: 6 };
    const solver = { method: 'rk4' as const, substeps: 2 };

    it('drops the windows no η fits with the rest and recovers η* = 1, where least squares is pulled towards the outliers', () => {
      const b = batch();
      const eta0 = tf.tensor2d([[2]]);
      const before = tf.memory().numTensors;
      const plain = adaptEtaTrimmed(decay, [], eta0, b, solver, inner, 0);
      const trimmed = adaptEtaTrimmed(decay, [], eta0, b, solver, inner, 0.25);
      const [plainEta, trimmedEta] = [plain.eta.dataSync()[0], trimmed.eta.dataSync()[0]];
      assert.ok(plainEta > 1.3, `least squares η ${plainEta} should be pulled towards the rate-4 windows`);
      assert.ok(Math.abs(trimmedEta - 1) < 1e-3, `trimmed η ${trimmedEta}`);
      assert.deepEqual(trimmed.keptRows, [0, 2, 3, 4, 6, 7]);
      assert.deepEqual(plain.keptRows, [0, 1, 2, 3, 4, 5, 6, 7]);
      tf.dispose([plain.eta, trimmed.eta]);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      tf.dispose(eta0);
      disposeTaskBatch(b);
    });

    it('with trim 0 is adaptEta, bit for bit; refuses several tasks and a trim outside [0, 1)', () => {
      const b = batch();
      const eta0 = tf.tensor2d([[2]]);
      const a = adaptEtaTrimmed(decay, [], eta0, b, solver, inner, 0);
      const c = adaptEta(decay, [], eta0, b, solver, inner, false);
      assert.deepEqual(Array.from(a.eta.dataSync()), Array.from(c.eta.dataSync()));
      assert.deepEqual(a.losses, c.losses);
      assert.throws(() => adaptEtaTrimmed(decay, [], eta0, b, solver, inner, 1), /trim must be in \[0, 1\), got 1/);
      const two = makeTaskBatch(x0.slice(0, 2), [x0.slice(0, 2)], [0, 1], 2, dt);
      const twoStarts = tf.tensor2d([[1], [1]]);
      assert.throws(() => adaptEtaTrimmed(decay, [], twoStarts, two, solver, inner, 0.25), /one task at a time, the batch has 2/);
      tf.dispose([a.eta, c.eta, eta0, twoStarts]);
      disposeTaskBatch(b);
      disposeTaskBatch(two);
    });
  });

  it('the backtracking step never lets the loss rise, where a plain step of the same size overshoots', () => {
    // A field with a known loss landscape: ẋ = −η x, data from η* = 1 (x(t) = e^{−t}).
    const decay: FieldFactory = (_ps, etaRows) => (_t, y) => tf.neg(tf.mul(etaRows, y)) as tf.Tensor2D;
    const dt = 0.1;
    const steps = 11;
    const x0 = [Float64Array.of(1), Float64Array.of(0.5)];
    const targets = Array.from({ length: steps }, (_, t) => x0.map((x) => Float64Array.of(x[0] * Math.exp(-t * dt))));
    const batch = makeTaskBatch(x0, targets, [0, 0], 1, dt);
    const eta0 = tf.tensor2d([[3]]);
    const inner = { steps: 4, optimizer: 'sgd' as const, lr: 40, maxHalvings: 10 };
    const solver = { method: 'rk4' as const };
    const safe = adaptEta(decay, [], eta0, batch, solver, { ...inner, safeguard: 'backtracking' }, false);
    const plain = adaptEta(decay, [], eta0, batch, solver, { ...inner, safeguard: 'none' }, false);
    const safeTrace = safe.losses.map((l) => l[0]);
    const plainTrace = plain.losses.map((l) => l[0]);
    safeTrace.forEach((v, i) => assert.ok(i === 0 || v < safeTrace[i - 1], `safeguarded loss rose at step ${i}: ${safeTrace.join(' → ')}`));
    assert.ok(plainTrace.some((v, i) => i > 0 && v > plainTrace[i - 1]), `lr 40 should overshoot without the safeguard: ${plainTrace.join(' → ')}`);
    assert.ok(Math.abs(safe.eta.dataSync()[0] - 1) < Math.abs(3 - 1), 'the safeguarded η moves towards η* = 1');
    tf.dispose([safe.eta, plain.eta, eta0]);
    disposeTaskBatch(batch);
  });

  it('Levenberg–Marquardt steps recover a 2-D η from rollouts in a few steps, for several tasks at once', () => {
    // ẋ = −η₁ x + η₂, exact x(t) = η₂/η₁ + (x0 − η₂/η₁) e^{−η₁ t}; task 0 has η* = (1, 0.5), task 1 η* = (2, −0.3).
    const field: FieldFactory = (_ps, etaRows) => (_t, y) =>
      tf.add(tf.neg(tf.mul(tf.slice(etaRows, [0, 0], [-1, 1]), y)), tf.slice(etaRows, [0, 1], [-1, 1])) as tf.Tensor2D;
    const truth = [[1, 0.5], [2, -0.3]];
    const dt = 0.1;
    const x0 = [Float64Array.of(1), Float64Array.of(-0.5), Float64Array.of(1.5), Float64Array.of(0)];
    const taskOf = [0, 0, 1, 1];
    const exact = (t: number, r: number) => {
      const [a, c] = truth[taskOf[r]];
      return c / a + (x0[r][0] - c / a) * Math.exp(-a * t);
    };
    const targets = Array.from({ length: 16 }, (_, t) => x0.map((_, r) => Float64Array.of(exact(t * dt, r))));
    const batch = makeTaskBatch(x0, targets, taskOf, 2, dt);
    const eta0 = tf.tensor2d([[2.5, 0], [0.7, 0.4]]);
    const inner = { steps: 5, optimizer: 'levenberg-marquardt' as const, lr: 1, safeguard: 'none' as const, maxHalvings: 6 };
    const r = adaptEta(field, [], eta0, batch, { method: 'rk4', substeps: 4 }, inner, false);
    const eta = r.eta.arraySync() as number[][];
    eta.forEach((e, k) => e.forEach((v, j) => assert.ok(Math.abs(v - truth[k][j]) < 2e-2, `task ${k}: η = ${e} vs ${truth[k]}`)));
    r.losses.forEach((step, s) => step.forEach((v, k) => assert.ok(s === 0 || v <= r.losses[s - 1][k], `task ${k} loss rose at step ${s}`)));
    assert.ok(r.losses[4][0] < 1e-3 * r.losses[0][0], `loss should fall by orders of magnitude: ${r.losses.map((l) => l[0]).join(' → ')}`);
    tf.dispose([r.eta, eta0]);
    disposeTaskBatch(batch);
  });

  it('Levenberg–Marquardt keeps a dimension of η the rollout barely sees near its start (floored damping)', () => {
    // Over-provisioned η: ẋ = −(η₁ + 10⁻³ η₂) x, so J's η₂ column is 10⁻³ × its η₁ column. Data decay as x0 e^{−t}(1 + 0.1 t²),
    // which no rate fits exactly. Marquardt's D = diag(JᵀJ) scales the step to each column, so η₂ takes its share of
    // the rate change at 10³ × the size (|Δη₂| in the hundreds); with D₂₂ floored at 10⁻² D₁₁ it moves by ≈ 0.1 × the change.
    const { field, batch } = barelySeenEtaProblem();
    const start = [2.5, 0];
    const eta0 = tf.tensor2d([start]);
    const inner = { steps: 5, optimizer: 'levenberg-marquardt' as const, lr: 1, safeguard: 'none' as const, maxHalvings: 6 };
    const r = adaptEta(field, [], eta0, batch, { method: 'rk4', substeps: 4 }, inner, false);
    const [eta1, eta2] = r.eta.dataSync();
    const trace = r.losses.map((l) => l[0]);
    console.log(`      η = (${eta1.toFixed(4)}, ${eta2.toFixed(4)}) from (${start.join(', ')}); loss ${trace.map((v) => v.toExponential(2)).join(' → ')}`);
    assert.ok(Math.abs(eta2 - start[1]) < 1, `η₂ should stay within 1 of its start ${start[1]}, got ${eta2} (η₁ = ${eta1})`);
    trace.forEach((v, s) => assert.ok(s === 0 || v <= trace[s - 1], `loss rose at step ${s}: ${trace.join(' → ')}`));
    assert.ok(trace[4] < 1e-2 * trace[0], `loss should fall by orders of magnitude: ${trace.join(' → ')}`);
    tf.dispose([r.eta, eta0]);
    disposeTaskBatch(batch);
  });

  it('a proximal term γ|η − η_start|² pins the barely-seen η dimension and still fits; it needs Levenberg–Marquardt', () => {
    const { field, batch } = barelySeenEtaProblem();
    const eta0 = tf.tensor2d([[2.5, 0]]);
    const base = { steps: 5, optimizer: 'levenberg-marquardt' as const, lr: 1, safeguard: 'none' as const, maxHalvings: 6 };
    const solver = { method: 'rk4' as const, substeps: 4 };
    const free = adaptEta(field, [], eta0, batch, solver, base, false);
    const pinned = adaptEta(field, [], eta0, batch, solver, { ...base, proximal: 1e-3 }, false);
    const [, freeEta2] = free.eta.dataSync();
    const [pinnedEta1, pinnedEta2] = pinned.eta.dataSync();
    console.log(`      η₂ without / with the proximal term: ${freeEta2.toExponential(2)} / ${pinnedEta2.toExponential(2)}; η₁ ${pinnedEta1.toFixed(4)}`);
    assert.ok(Math.abs(pinnedEta2) < 0.2 * Math.abs(freeEta2), `η₂ ${pinnedEta2} should stay much nearer its start than without the term (${freeEta2})`);
    const losses = pinned.losses.map((l) => l[0]);
    assert.ok(losses[4] < 1e-2 * losses[0], `the data loss should still fall by orders of magnitude: ${losses.join(' → ')}`);
    assert.throws(() => adaptEta(field, [], eta0, batch, solver, { ...base, optimizer: 'sgd', proximal: 1e-3 }, false), /proximal > 0 needs optimizer 'levenberg-marquardt'/);
    tf.dispose([free.eta, pinned.eta, eta0]);
    disposeTaskBatch(batch);
  });

  it('returns the first-order meta-gradient of the loss at the last inner η (finite differences)', () => {
    const model = pendulumModel(cfg);
    const data = loadPendulumData(cfg);
    const batch = windowBatch(data.train.slice(0, 2), createRng(4), 2, 12);
    const eta0 = tf.tensor2d([[0.3], [0.3]]);
    const inner = { steps: 2, optimizer: 'sgd' as const, lr: 0.1, safeguard: 'none' as const, maxHalvings: 0 };
    const r = adaptEta(model.makeField, params, eta0, batch, model.solver, inner, true);
    // η at the last inner step (before its update) = η0 − lr·g0; the meta-gradient is ∂Σ_i L_i/∂θ there.
    const first = adaptEta(model.makeField, params, eta0, batch, model.solver, { ...inner, steps: 1 }, false);
    const lossWith = (ps: tf.Tensor[]) => tf.tidy(() => tf.sum(perTaskLoss(model.makeField, ps, first.eta, batch, model.solver)).dataSync()[0]);
    const layer = 2; // a hidden weight matrix
    const w = params[layer].arraySync() as number[][];
    const h = 1e-2;
    const shifted = (d: number) => {
      const copy = w.map((row) => row.slice());
      copy[3][5] += d;
      const ps = params.slice();
      ps[layer] = tf.tensor2d(copy);
      const v = lossWith(ps);
      ps[layer].dispose();
      return v;
    };
    const fd = (shifted(h) - shifted(-h)) / (2 * h);
    const analytic = (r.paramGrads as tf.Tensor[])[layer].arraySync() as number[][];
    assert.ok(Math.abs(analytic[3][5] - fd) < 3e-2 * Math.abs(fd) + 1e-4, `meta-gradient ${analytic[3][5]} vs finite difference ${fd}`);
    tf.dispose([...(r.paramGrads as tf.Tensor[]), r.eta, r.etaGrad as tf.Tensor, first.eta, eta0]);
    disposeTaskBatch(batch);
  });
  it('adapts one task from several starts: each fit is adaptEta from that start, and a two-basin loss sends ±starts to ±η*', () => {
    // ẋ = −η² x against data from rate 1: the loss has two equal minima, η = ±1, that no gauge could tell apart.
    const squaredRate: FieldFactory = (_ps, etaRows) => (_t, y) => tf.neg(tf.mul(tf.square(etaRows), y)) as tf.Tensor2D;
    const dt = 0.1;
    const x0 = [Float64Array.of(1), Float64Array.of(0.5)];
    const targets = Array.from({ length: 11 }, (_, t) => x0.map((x) => Float64Array.of(x[0] * Math.exp(-t * dt))));
    const batch = makeTaskBatch(x0, targets, [0, 0], 1, dt);
    const solver = { method: 'rk4' as const };
    const inner = { steps: 6, optimizer: 'levenberg-marquardt' as const, lr: 0.1, safeguard: 'none' as const, maxHalvings: 4 };
    const before = tf.memory().numTensors;
    const fits = adaptFromStarts(squaredRate, [], [[0.6], [-0.6], [3]], batch, solver, inner);
    assert.equal(tf.memory().numTensors, before, 'adaptFromStarts leaves no tensor behind');
    assert.ok(Math.abs(fits[0].eta[0] - 1) < 1e-3 && Math.abs(fits[1].eta[0] + 1) < 1e-3, `±0.6 should end at ±1: ${fits.map((f) => f.eta[0])}`);
    assert.ok(fits[0].loss < 1e-8 && fits[1].loss < 1e-8, `both basins fit: ${fits.map((f) => f.loss)}`);
    const eta0 = tf.tensor2d([[3]]);
    const alone = adaptEta(squaredRate, [], eta0, batch, solver, inner, false);
    assert.equal(fits[2].eta[0], alone.eta.dataSync()[0]);
    assert.equal(fits[2].loss, tf.tidy(() => perTaskLoss(squaredRate, [], alone.eta, batch, solver).dataSync()[0]));
    assert.throws(() => adaptFromStarts(squaredRate, [], [], batch, solver, inner), /at least one start/);
    const two = makeTaskBatch(x0, targets, [0, 1], 2, dt);
    assert.throws(() => adaptFromStarts(squaredRate, [], [[1]], two, solver, inner), /one task at a time, the batch has 2/);
    tf.dispose([eta0, alone.eta]);
    disposeTaskBatch(batch);
    disposeTaskBatch(two);
  });
});
