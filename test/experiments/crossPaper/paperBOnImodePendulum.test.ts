import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/backend';
import { ConfigError } from '../../../src/core/errors';
import { createRng } from '../../../src/core/rng';
import { taskWindowBatch } from '../../../src/meta/taskBatch';
import { IMODE_PENDULUM_DT } from '../../../src/data/imodePendulum';
import type { FieldTask } from '../../../src/data/fieldTask';
import { simulatePendulum } from '../../../src/data/pendulumSimulation';
import { adaptAndEvaluate, loadPendulumData, metaTrainPendulum, pendulumWindowBatch, pendulumWindows } from '../../../src/experiments/imodePendulum';
import {
  adaptationFieldTask,
  paperBOnImodeConfig,
  pendulumLengths,
  runMethods,
  runPaperBOnImodePendulum,
  windowsFieldTask,
} from '../../../src/experiments/crossPaper/paperBOnImodePendulum';
import { crossPaperEntries } from '../../../src/experiments/crossPaper/table';
import { withResultsRoot } from '../../helpers/tmpDir';

/** A run small enough for a test: the smoke scale with 2-window, 12-step adaptation and 20-step evaluation windows. */
const TINY = { 'imode.windowsPerTask': 2, 'imode.windowSteps': 12, 'imode.evalSteps': 20, metaIterations: 2, adaptSteps: 2 };

/** The authors' pendulum field θ' = ω, ω' = −(10/L) sin θ (data/imode-pendulum/README.md) at each row of x. */
const trueField = (x: number[][], L: number) => x.map(([theta, omega]) => [omega, -(10 / L) * Math.sin(theta)]);

describe('experiments/crossPaper/paperBOnImodePendulum', () => {
  before(async () => {
    await initBackend();
  });

  it('caps the task batch at the five training lengths and routes imode.* overrides to the iMODE side, failing on unknown fields', () => {
    const cfg = paperBOnImodeConfig('default');
    assert.equal(cfg.imodeScale, 'default');
    assert.equal(cfg.paperB.taskBatch, 5, 'Paper B default taskBatch 10, capped at 5 training lengths');
    assert.deepEqual(cfg.methods, ['SVD', 'RO', 'FW']);
    const small = paperBOnImodeConfig('smoke', { 'imode.windowSteps': 12, adaptSteps: 3 });
    assert.equal(small.imodeScale, 'smoke');
    assert.equal(small.imode.windowSteps, 12);
    assert.equal(small.paperB.adaptSteps, 3);
    assert.throws(() => paperBOnImodeConfig('smoke', { 'imode.nope': 1 }), (e: unknown) => e instanceof ConfigError && /imodePendulum\.nope is not a known field/.test(e.message));
    assert.throws(() => paperBOnImodeConfig('smoke', { nope: 1 }), (e: unknown) => e instanceof ConfigError && /paperB-on-imode-pendulum\.nope is not a known field/.test(e.message));
  });

  it("field tasks: the states are iMODE's adaptation windows row for row, and the stencil's ẋ is the pendulum field to its accuracy", () => {
    const cfg = paperBOnImodeConfig('default');
    const lengths = pendulumLengths(cfg);
    const maxError = (task: FieldTask, L: number) => {
      const x = task.x.arraySync();
      const truth = trueField(x, L);
      return Math.max(...task.xdot.arraySync().flatMap((r, i) => r.map((v, j) => Math.abs(v - truth[i][j]))));
    };
    // a training length, an interpolating and the extrapolating one (L = 1 moves fastest: the largest stencil error)
    for (const index of [0, 5, 9]) {
      const ins = lengths[index];
      const L = ins.params[0];
      const task = adaptationFieldTask(cfg, ins, index);
      const batch = pendulumWindowBatch(cfg.imode, ins, index, 'adapt');
      const [T, rows, d] = batch.targets.shape;
      // row r's window is the r-th block of T states of the task
      const windows = tf.tidy(() => tf.transpose(batch.targets, [1, 0, 2]).reshape([T * rows, d]).arraySync() as number[][]);
      assert.deepEqual(task.x.arraySync(), windows);
      // the same windows of a tight float64 solution: at L = 1 the stencil leaves 3e-6 inside and 6e-6 at the ends on
      // the whole trajectory in float64 (÷ 16 per halving of dt, measured), up to 2e-5 at some window's ends, plus
      // float32 states and targets (≈ 1e-6 at |ẋ| ≈ 10); a first-order difference would miss by ≈ dt |ẍ| / 2 ≈ 0.05
      const tight = simulatePendulum({ L, theta0: Math.PI / 2, omega0: 0, dt: IMODE_PENDULUM_DT, steps: cfg.imode.trajectoryRows - 1, rtol: 1e-12, atol: 1e-12 });
      const tightTask = windowsFieldTask(pendulumWindows(cfg.imode, { ...ins, trajectories: [tight] }, index, 'adapt'), IMODE_PENDULUM_DT);
      const tightErr = maxError(tightTask, L);
      assert.ok(tightErr < 5e-5, `${ins.label}, tight solution: max |ẋ_fd − F(x)| = ${tightErr}`);
      // the authors' files are a loose solution (data/imode-pendulum/README.md): their own derivative departs from the
      // field at their states by up to 0.058 (L = 1, measured on the whole file), ≤ 0.6 % of max |ω̇| = 10 / L
      const dataErr = maxError(task, L);
      assert.ok(dataErr < 0.06 && dataErr > 10 * tightErr, `${ins.label}, authors' data: max |ẋ_fd − F(x)| = ${dataErr}`);
      tf.dispose([task.x, task.xdot, tightTask.x, tightTask.xdot, batch.x0, batch.targets, batch.membership]);
    }
    assert.throws(() => windowsFieldTask({ x0: [Float64Array.of(0, 0)], targets: [[Float64Array.of(0, 0)]] }, IMODE_PENDULUM_DT), /at least 5 samples/);
  });

  it("the windows are iMODE's: its own evaluation's first rollout truth and its adaptation stream's draws", () => {
    const cfg = paperBOnImodeConfig('smoke', { 'imode.outerIterations': 1, 'imode.scratchSteps': 0 });
    const lengths = pendulumLengths(cfg);
    return withResultsRoot('paperB-on-imode-windows-', async () => {
      const data = loadPendulumData(cfg.imode);
      const trained = metaTrainPendulum(cfg.imode, data, 'smoke');
      const imode = adaptAndEvaluate(cfg.imode, data, trained, false);
      tf.dispose([...trained.params, trained.eta0]);
      lengths.forEach((ins, index) => {
        assert.equal(imode[index].label, ins.label);
        const evalBatch = pendulumWindowBatch(cfg.imode, ins, index, 'eval');
        const first = tf.tidy(() => (evalBatch.targets.arraySync() as number[][][]).map((step) => step[0]));
        assert.deepEqual(first, imode[index].rollout.truth, `${ins.label}: evaluation window`);
        // iMODE's adaptation stream (imodePendulum.ts pendulumStream) cut by the authors' sampler
        const adapt = pendulumWindowBatch(cfg.imode, ins, index, 'adapt');
        const rebuilt = taskWindowBatch([ins.trajectories], createRng((cfg.imode.seed + 100003 * (index + 1)) >>> 0), cfg.imode.windowsPerTask, cfg.imode.windowSteps, IMODE_PENDULUM_DT, {
          drawTrajectory: false,
        });
        assert.deepEqual(adapt.targets.arraySync(), rebuilt.targets.arraySync(), `${ins.label}: adaptation windows`);
        tf.dispose([evalBatch, adapt, rebuilt].flatMap((b) => [b.x0, b.targets, b.membership]));
      });
    });
  });

  it('keeps the tensor count flat over training and evaluation, and a smoke run’s metrics.json is read back by the cross-paper table', async () => {
    await withResultsRoot('paperB-on-imode-run-', async (root) => {
      const cfg = paperBOnImodeConfig('smoke', TINY);
      const before = tf.memory().numTensors;
      runMethods(cfg, 'smoke');
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      const { dir, methods } = await runPaperBOnImodePendulum('smoke', TINY);
      assert.ok(fs.existsSync(path.join(dir, 'metrics.md')) && fs.existsSync(path.join(dir, 'provenance.json')));
      const written = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      assert.equal(written.scale, 'smoke');
      assert.equal(written.seed, cfg.paperB.seed);
      for (const m of written.methods) {
        assert.equal(m.perLength.length, 13);
        assert.deepEqual(
          m.perLength.filter((l: { split: string }) => l.split === 'train').map((l: { L: number }) => l.L),
          [1, 3, 5, 7, 9],
        );
        m.perLength.forEach((l: { evalMse: number }) => assert.ok(Number.isFinite(l.evalMse) && l.evalMse >= 0));
      }
      const entries = crossPaperEntries(root, 'smoke').filter((e) => e.system === 'imode-pendulum');
      assert.deepEqual(
        entries.map((e) => e.method),
        ['SVD', 'RO', 'FW'],
      );
      entries.forEach((e, i) => {
        const unseen = methods[i].perLength.filter((l) => l.split !== 'train').map((l) => l.evalMse).sort((a, b) => a - b);
        assert.equal(unseen.length, 8);
        assert.equal(e.evalMse, (unseen[3] + unseen[4]) / 2, 'the median over the 8 unseen lengths');
      });
    });
  });
});
