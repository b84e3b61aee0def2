import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { configHash } from '../../src/core/config';
import { ConfigError, DataError } from '../../src/core/errors';
import { imodeBistable } from '../../src/experiments/imodeBistable';
import { imodeDoublePendulum } from '../../src/experiments/imodeDoublePendulum';
import { leadingEtaSubspace, subspaceModel } from '../../src/experiments/imode/etaSubspace';
import { type ImodeFamilyConfig, familyTrainingOptions, scaledModel, trainingCheckpointKey } from '../../src/experiments/imode/family';
import { type ScreenedStart, screeningLoss } from '../../src/experiments/imode/gaugeModel';
import { familyAdaptBatch, familyParameters, resolveFamilyConfig, runImodeFamily, screeningTable, simulateFamily, trainingFigures } from '../../src/experiments/imodeFamilyExperiment';
import { imodePendulumConfig, pendulumTrainingOptions } from '../../src/experiments/imodePendulum';
import { imodeSlinky } from '../../src/experiments/imodeSlinky';
import { imodeSummaryTable } from '../../src/experiments/imodeSummary';
import { imodeVanDerPol } from '../../src/experiments/imodeVanDerPol';
import { EXPERIMENTS, experimentById } from '../../src/experiments/registry';
import { disposeTaskBatch } from '../../src/meta/taskBatch';
import type { InstanceResult } from '../../src/meta/imodeEvaluation';
import type { ImodeTrained } from '../../src/meta/imodeTraining';
import { createRng } from '../../src/core/rng';
import { tmpDir, withResultsRoot } from '../helpers/tmpDir';

/** The header fields every metrics.json carries (results.ts readMetrics checks them). */
const metricsHeader = (id: string) => ({ experiment: id, paper: 'iMODE', section: id, scale: 'default', provenance: { scale: 'default' } });

/** The fields the summary table reads, with worst gauge errors 4 % / 30 %, median eval MSE 2 (scratch 20). */
const SUMMARY_FIELDS = {
  physicalDimension: 1,
  etaDim: 4,
  intrinsicDimension: 2,
  spectralGapDimension: 1,
  gauge: [{ split: 'interpolate', relError: 0.02 }, { split: 'interpolate', relError: 0.04 }, { split: 'extrapolate', relError: 0.3 }],
  evalError: [{ value: 1 }, { value: 3 }, { value: 2 }],
  scratchEvalError: [{ value: 10 }, { value: 30 }, { value: 20 }],
  adaptSeconds: [{ value: 0.2 }, { value: 0.5 }],
};

describe('experiments/imodeFamilyExperiment', () => {
  before(async () => {
    await initBackend();
  });

  it('draws a training grid, interpolating draws inside the box and extrapolating ones outside it, the same for the same seed', () => {
    const cfg = resolveFamilyConfig(imodeBistable, 'default', { trainPerAxis: 3, interpolateInstances: 20, extrapolateInstances: 20 });
    const draws = familyParameters(cfg);
    const train = draws.filter((d) => d.split === 'train');
    assert.equal(train.length, 9);
    assert.deepEqual(train[0].params, [0.5, 0.5]);
    assert.deepEqual(train[8].params, [1.5, 1.5]);
    const inside = (p: readonly number[]) => p.every((v, j) => v >= cfg.paramLow[j] && v <= cfg.paramHigh[j]);
    draws.filter((d) => d.split === 'interpolate').forEach((d) => assert.ok(inside(d.params), `interpolating ${d.params} outside the box`));
    draws.filter((d) => d.split === 'extrapolate').forEach((d) => {
      assert.ok(!inside(d.params), `extrapolating ${d.params} inside the box`);
      d.params.forEach((v, j) => {
        const margin = cfg.extrapolateMargin * (cfg.paramHigh[j] - cfg.paramLow[j]);
        assert.ok(v >= cfg.paramLow[j] - margin && v <= cfg.paramHigh[j] + margin, `extrapolating ${d.params} beyond the margin`);
      });
    });
    assert.deepEqual(familyParameters(cfg), draws);
    assert.notDeepEqual(familyParameters({ ...cfg, seed: cfg.seed + 1 } as ImodeFamilyConfig), draws);
  });

  it('draws the gradient-norm figure only when the run recorded a norm for every iteration (not for a resumed older checkpoint)', () => {
    const trained = { lossHistory: [3, 2, 1], gradNormHistory: [5, 4, 3] } as unknown as ImodeTrained;
    assert.deepEqual(Object.keys(trainingFigures(trained)), ['loss-curve', 'gradient-norm']);
    assert.deepEqual(Object.keys(trainingFigures({ ...trained, gradNormHistory: [3] })), ['loss-curve']);
  });

  it('rejects a family config whose box, windows or η do not fit, naming the field', () => {
    assert.throws(() => resolveFamilyConfig(imodeBistable, 'smoke', { paramLow: [0.5] }), (e: Error) => e instanceof ConfigError && /paramLow and paramHigh must have 2 entries \(a, b\)/.test(e.message));
    assert.throws(() => resolveFamilyConfig(imodeBistable, 'smoke', { paramHigh: [0.4, 1.5] }), /paramHigh\[0\] \(a\) must exceed paramLow\[0\] = 0.5/);
    assert.throws(() => resolveFamilyConfig(imodeBistable, 'smoke', { windowSteps: 29 }), /windowSteps must be at most trajectorySteps − 2 = 28/);
    assert.throws(() => resolveFamilyConfig(imodeBistable, 'smoke', { adaptWindowSteps: 29 }), /adaptWindowSteps must be at most trajectorySteps − 2 = 28/);
    assert.throws(() => resolveFamilyConfig(imodeDoublePendulum, 'smoke', { etaDim: 1 }), /etaDim must be at least the number of physical parameters \(2\)/);
    assert.throws(() => resolveFamilyConfig(imodeVanDerPol, 'smoke', { extrapolateMargin: 0.5 }), /extrapolateMargin 0.5 would draw mu ≤ 0/);
    assert.throws(() => resolveFamilyConfig(imodeVanDerPol, 'smoke', { activation: 'relu' }), /activation must be one of .*tanh.*softplus/);
    assert.throws(() => resolveFamilyConfig(imodeVanDerPol, 'smoke', { outerGradClip: 0 }), (e: Error) => e instanceof ConfigError && /outerGradClip/.test(e.message));
    assert.throws(() => resolveFamilyConfig(imodeVanDerPol, 'smoke', { adaptTrimFraction: 0.6 }), (e: Error) => e instanceof ConfigError && /adaptTrimFraction/.test(e.message));
  });

  it('the outer loop reads the same config fields for the pendulum and for every family (a --set reaches both trainers)', () => {
    const changes = { outerIterations: 7, outerLr: 0.02, outerLrFinal: 0.002, learnEta0: false, checkpointEvery: 3, outerGradClip: 2.5 };
    const family = familyTrainingOptions(resolveFamilyConfig(imodeVanDerPol, 'smoke', changes));
    const pendulum = pendulumTrainingOptions(imodePendulumConfig('smoke', changes));
    const expected = { outerIterations: 7, outerLr: 0.02, outerLrFinal: 0.002, learnEta0: false, checkpointEvery: 3, gradClip: 2.5 };
    for (const options of [family, pendulum]) {
      const { inner: _inner, solver: _solver, ...outer } = options;
      assert.deepEqual(outer, expected);
    }
    assert.equal(familyTrainingOptions(resolveFamilyConfig(imodeVanDerPol, 'smoke')).gradClip, undefined);
  });

  it('a scaled model is the physical field in the loss units: dx̃/dt = f(x̃ ⊙ s) ⊘ s', () => {
    const cfg = resolveFamilyConfig(imodeSlinky, 'smoke');
    const scale = imodeSlinky.stateScale(cfg);
    const physical = imodeSlinky.model(cfg);
    const scaled = scaledModel(imodeSlinky, cfg);
    const params = physical.initialParams(createRng(3));
    const rng = createRng(4);
    const x = Array.from({ length: scale.length }, (_, i) => (i % 6 === 1 ? -0.01 * Math.floor(i / 6) : 0) + 1e-3 * rng.normal());
    const eta = tf.tensor2d([[0.1, -0.2, 0.3, 0.05]]);
    const [direct, viaScaled] = tf.tidy(() => [
      Array.from(physical.makeField(params, eta)(0, tf.tensor2d([x])).dataSync()),
      Array.from(scaled.makeField(params, eta)(0, tf.tensor2d([x.map((v, i) => v / scale[i])])).dataSync()),
    ]);
    viaScaled.forEach((v, i) => {
      const expected = direct[i] / scale[i];
      assert.ok(Math.abs(v - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `component ${i}: ${v} vs ${expected}`);
    });
    tf.dispose([...params, eta]);
  });

  it("the gauge model's start: η on the leading principal directions of the training η, and the field at z is the field at η = mean + z·C", () => {
    // Training η on the line (1, 2, 0, 0) + t (3, 0, 4, 0) / 5 with a small orthogonal wobble; the unseen one is ignored.
    const result = (split: InstanceResult['split'], eta: number[]) => ({ split, eta }) as InstanceResult;
    const ts = [-2, -1, 0, 1, 2];
    const results = [
      ...ts.map((t, i) => result('train', [1 + (3 * t) / 5, 2 + 0.01 * (i % 2 ? 1 : -1), (4 * t) / 5, 0])),
      result('interpolate', [50, 50, 50, 50]),
    ];
    const sub = leadingEtaSubspace(results, 1);
    assert.equal(sub.components.length, 1);
    const c = sub.components[0];
    assert.ok(Math.abs(Math.abs(c[0]) - 0.6) < 1e-3 && Math.abs(Math.abs(c[2]) - 0.8) < 1e-3, `direction ${c}`);
    assert.ok(Math.abs(sub.mean[0] - 1) < 1e-12 && Math.abs(sub.mean[1] - 2) < 0.01, `mean ${sub.mean}`);
    assert.throws(() => leadingEtaSubspace(results.slice(0, 2), 3), (e: Error) => e instanceof DataError && /the gauge model needs 3/.test(e.message));

    const cfg = resolveFamilyConfig(imodeVanDerPol, 'smoke');
    const model = scaledModel(imodeVanDerPol, cfg);
    const params = model.initialParams(createRng(5));
    const z = [[0.7], [-1.3]];
    const x = [[0.5, -0.2], [1.1, 0.4]];
    const [viaSubspace, direct] = tf.tidy(() => {
      const etaRows = z.map(([zi]) => sub.mean.map((m, j) => m + zi * c[j]));
      return [
        Array.from(subspaceModel(model, sub).makeField(params, tf.tensor2d(z))(0, tf.tensor2d(x)).dataSync()),
        Array.from(model.makeField(params, tf.tensor2d(etaRows))(0, tf.tensor2d(x)).dataSync()),
      ];
    });
    viaSubspace.forEach((v, i) => assert.ok(Math.abs(v - direct[i]) <= 1e-5 * Math.max(1, Math.abs(direct[i])), `entry ${i}: ${v} vs ${direct[i]}`));
    assert.ok(direct.some((v, i) => Math.abs(v - viaSubspace[i === 0 ? 1 : 0]) > 1e-6), 'the two rows differ, so a row mix-up would show');
    tf.dispose(params);
  });

  it('test-time adaptation sees windows of adaptWindowSteps points, or of windowSteps when it is absent', () => {
    const cfg = resolveFamilyConfig(imodeBistable, 'smoke');
    const [ins] = simulateFamily(imodeBistable, cfg);
    const steps = (c: typeof cfg) => {
      const batch = familyAdaptBatch(imodeBistable, c, ins, 0);
      const [T, rows] = batch.targets.shape;
      disposeTaskBatch(batch);
      return [T, rows];
    };
    assert.deepEqual(steps(cfg), [cfg.windowSteps, cfg.adaptWindows]);
    assert.deepEqual(steps({ ...cfg, adaptWindowSteps: cfg.windowSteps + 7 }), [cfg.windowSteps + 7, cfg.adaptWindows]);
  });

  it("a training checkpoint is keyed by every field but the analysis-only and the gauge model's ones", () => {
    const cfg = resolveFamilyConfig(imodeBistable, 'default', {});
    const key = JSON.stringify(trainingCheckpointKey(cfg));
    const analysisOnly = { adaptWindows: 7, adaptWindowSteps: 9, adaptTrimFraction: 0.1, pcaThreshold: 0.9, gaugeIterations: 7, gaugeWidth: 3, gaugeFlowSteps: 2, gaugeLr: 0.5, gaugeLogParameters: false, scratchSteps: 1, scratchLr: 0.5 };
    const gaugeModel = { gaugeRetrain: false, gaugeRetrainInit: 'scratch', gaugeRetrainIterations: 3, gaugeRetrainLr: 0.5, gaugeRetrainRestarts: 4, gaugeRetrainScreenIterations: 2 };
    assert.equal(JSON.stringify(trainingCheckpointKey({ ...cfg, ...analysisOnly, ...gaugeModel })), key);
    for (const change of [{ outerLr: 0.5 }, { seed: 1 }, { etaDim: 3 }, { width: 7 }, { innerSteps: 2 }, { outerIterations: 7 }, { outerGradClip: 1 }]) {
      assert.notEqual(JSON.stringify(trainingCheckpointKey({ ...cfg, ...change })), key, JSON.stringify(change));
    }
  });

  it('a smoke run writes the results contract: dimensions, explained variance, one gauge entry per unseen instance, eval and scratch errors, adaptation times', async function () {
    this.timeout(120000);
    await withResultsRoot('metadyn-family-', async () => {
      const tensorsBefore = tf.memory().numTensors;
      const { dir } = await runImodeFamily(imodeVanDerPol, 'smoke', {});
      assert.equal(tf.memory().numTensors, tensorsBefore, 'a whole run (meta-training, adaptation, scratch, evaluation) leaves no tensor behind');
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      const registered = experimentById('imode-van-der-pol');
      assert.equal(m.provenance.configHash, configHash(registered.config('smoke', {})), 'the registry resolves the config the run records');
      assert.equal(m.physicalDimension, 1);
      assert.ok(Number.isInteger(m.intrinsicDimension) && m.intrinsicDimension >= 0 && m.intrinsicDimension <= m.etaDim);
      assert.equal(m.explainedVariance.length, Math.min(m.etaDim, 3));
      const unseen = 2;
      assert.equal(m.gauge.length, unseen);
      for (const g of m.gauge) {
        assert.ok(['interpolate', 'extrapolate'].includes(g.split));
        assert.equal(g.params.length, 1);
        assert.equal(g.predicted.length, 1);
        assert.ok(Math.abs(g.relError - Math.abs(g.predicted[0] - g.params[0]) / Math.abs(g.params[0])) < 1e-9);
      }
      assert.equal(m.evalError.length, unseen);
      assert.equal(m.scratchEvalError.length, unseen);
      m.evalError.concat(m.scratchEvalError).forEach((e: { value: number }) => assert.ok(Number.isFinite(e.value) && e.value >= 0));
      assert.equal(m.adaptSeconds.length, 5);
      for (const f of ['phase-portraits', 'eta-pca', 'eta-projection', 'gauge-parity', 'loss-curve', 'gradient-norm']) assert.ok(fs.existsSync(path.join(dir, 'figures', `${f}.json`)), `figure ${f}`);
      assert.ok(fs.readFileSync(path.join(dir, 'readme.md'), 'utf8').includes('intrinsic dimension'));
      // Beside it, a second model with d_η = 1 (gaugeRetrain), adapted and evaluated on every instance, and its gauge.
      assert.ok(m.etaDim > 1);
      assert.equal(m.gaugeModel.etaDim, 1);
      assert.equal(m.gaugeModel.gauge.length, unseen);
      assert.deepEqual(m.gaugeModel.gauge.map((g: { label: string }) => g.label), m.gauge.map((g: { label: string }) => g.label));
      assert.equal(m.gaugeModel.evalError.length, unseen);
      m.gaugeModel.instances.forEach((i: { eta: number[] }) => assert.equal(i.eta.length, 1));
      const parity = JSON.parse(fs.readFileSync(path.join(dir, 'figures', 'gauge-model-parity.json'), 'utf8'));
      assert.deepEqual(parity.data[0].y, m.gaugeModel.gauge.map((g: { predicted: number[] }) => g.predicted[0]), 'the gauge model’s parity plot shows its own gauge');
      assert.ok(fs.readFileSync(path.join(dir, 'readme.md'), 'utf8').includes('fine-tuned on its leading principal directions with d_η = 1'));
      // Refitting only the analysis (gauge, scratch baseline) reuses both meta-training checkpoints: no new key.
      const checkpointKeys = () => fs.readdirSync(path.join(dir, 'checkpoints')).sort();
      const keys = checkpointKeys();
      assert.equal(keys.length, 2, 'one checkpoint for the first model, one for the gauge model');
      const again = await runImodeFamily(imodeVanDerPol, 'smoke', { gaugeIterations: 5, gaugeLogParameters: false, scratchSteps: 1 });
      assert.deepEqual(checkpointKeys(), keys);
      const m2 = JSON.parse(fs.readFileSync(path.join(again.dir, 'metrics.json'), 'utf8'));
      assert.deepEqual(m2.instances.map((i: { eta: number[] }) => i.eta), m.instances.map((i: { eta: number[] }) => i.eta), 'the same trained model adapts to the same η');
      assert.notDeepEqual(m2.gauge, m.gauge, 'the gauge was refitted with the new settings');
      // Adapting on other windows reuses the first model but not the gauge model's fine-tune: that starts from the
      // leading principal directions of the first model's adapted η, which moved.
      const third = await runImodeFamily(imodeVanDerPol, 'smoke', { adaptWindows: 16 });
      const m3 = JSON.parse(fs.readFileSync(path.join(third.dir, 'metrics.json'), 'utf8'));
      assert.equal(m3.provenance.configHash, configHash(registered.config('smoke', { adaptWindows: 16 })));
      assert.notEqual(m3.provenance.configHash, m.provenance.configHash);
      assert.deepEqual(m3.eta0, m.eta0, 'the same first model');
      assert.notDeepEqual(m3.instances.map((i: { eta: number[] }) => i.eta), m.instances.map((i: { eta: number[] }) => i.eta), 'adapted on other windows');
      const added = checkpointKeys().filter((k) => !keys.includes(k));
      assert.equal(added.length, 1, `one new checkpoint, the fine-tune's: ${added.join(', ')}`);
      // Another fine-tune of the gauge model reuses the first model too.
      const before = checkpointKeys();
      const fourth = await runImodeFamily(imodeVanDerPol, 'smoke', { gaugeRetrainIterations: 3 });
      const m4 = JSON.parse(fs.readFileSync(path.join(fourth.dir, 'metrics.json'), 'utf8'));
      assert.deepEqual(m4.instances.map((i: { eta: number[] }) => i.eta), m.instances.map((i: { eta: number[] }) => i.eta), 'the same first model, adapted alike');
      assert.equal(m4.gaugeModel.outerIterations, 3);
      assert.equal(checkpointKeys().filter((k) => !before.includes(k)).length, 1, 'only the fine-tune trained anew');
    });
  });

  it("a gauge model trained from scratch runs gaugeRetrainIterations, not the first model's count, and only it retrains when that changes", async function () {
    this.timeout(120000);
    await withResultsRoot('metadyn-family-scratch-', async () => {
      const { dir } = await runImodeFamily(imodeDoublePendulum, 'smoke', { gaugeRetrainInit: 'scratch', gaugeRetrainRestarts: 1, outerIterations: 2, gaugeRetrainIterations: 3 });
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      assert.equal(m.gaugeModel.init, 'scratch');
      assert.equal(m.gaugeModel.outerIterations, 3);
      assert.equal(m.gaugeModel.etaDim, 2);
      const checkpointKeys = () => fs.readdirSync(path.join(dir, 'checkpoints')).sort();
      const keys = checkpointKeys();
      assert.equal(keys.length, 2);
      const again = await runImodeFamily(imodeDoublePendulum, 'smoke', { gaugeRetrainInit: 'scratch', gaugeRetrainRestarts: 1, outerIterations: 2, gaugeRetrainIterations: 4 });
      const m2 = JSON.parse(fs.readFileSync(path.join(again.dir, 'metrics.json'), 'utf8'));
      assert.equal(m2.gaugeModel.outerIterations, 4);
      assert.deepEqual(m2.instances.map((i: { eta: number[] }) => i.eta), m.instances.map((i: { eta: number[] }) => i.eta), 'the same first model, adapted alike');
      assert.equal(checkpointKeys().filter((k) => !keys.includes(k)).length, 1, 'only the gauge model trained anew');
    });
  });

  it('a screened gauge model trains every start for the screen, goes on with the one of lowest screening loss, and keeps start 0 as the unscreened model', async function () {
    this.timeout(120000);
    await withResultsRoot('metadyn-family-screen-', async () => {
      const base = { gaugeRetrainInit: 'scratch', outerIterations: 2, gaugeRetrainIterations: 4 };
      const { dir } = await runImodeFamily(imodeDoublePendulum, 'smoke', { ...base, gaugeRetrainRestarts: 1 });
      const checkpointKeys = () => fs.readdirSync(path.join(dir, 'checkpoints')).sort();
      const unscreened = checkpointKeys();
      const screenedOverrides = { ...base, gaugeRetrainRestarts: 3, gaugeRetrainScreenIterations: 2 };
      const tensorsBefore = tf.memory().numTensors;
      await runImodeFamily(imodeDoublePendulum, 'smoke', screenedOverrides);
      assert.equal(tf.memory().numTensors, tensorsBefore, 'the screened-out starts leave no tensor behind');
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      const keys = checkpointKeys();
      assert.equal(keys.length, 4, 'the first model and three starts');
      assert.ok(unscreened.every((k) => keys.includes(k)), 'start 0 is the model trained without screening: same checkpoint');
      const screening: ScreenedStart[] = m.gaugeModel.screening;
      assert.deepEqual(screening.map((s) => s.restart), [0, 1, 2]);
      assert.equal(new Set(screening.map((s) => s.screeningLoss)).size, 3, 'three init draws, three screening losses');
      const chosen = screening.filter((s) => s.selected);
      assert.equal(chosen.length, 1);
      assert.equal(chosen[0].screeningLoss, Math.min(...screening.map((s) => s.screeningLoss)));
      assert.equal(m.gaugeModel.outerIterations, 4, 'the chosen start trained to the end of its schedule');
      // the gauge left one out: one entry per training instance (2 × 2 at smoke scale), each gauge's median beside it
      for (const block of [m, m.gaugeModel]) {
        assert.deepEqual(block.gaugeLeaveOneOut.map((e: { split: string }) => e.split), ['train', 'train', 'train', 'train']);
        const errors = block.gaugeLeaveOneOut.map((e: { relError: number }) => e.relError).sort((x: number, y: number) => x - y);
        assert.equal(block.gaugeLeaveOneOutMedian, (errors[1] + errors[2]) / 2);
      }
      const readme = fs.readFileSync(path.join(dir, 'readme.md'), 'utf8');
      assert.match(readme, /each left out of the fit, median relative error: principal components \/ gauge model \| — \| [\d.]+ % \/ [\d.]+ % \|/);
      assert.match(readme, /for the gauge model, the start chosen of 3 screened\)/);
      assert.deepEqual(screeningTable(screening).rows.map((r) => r[2]), screening.map((s) => (s.selected ? 'yes' : '')));
      await runImodeFamily(imodeDoublePendulum, 'smoke', screenedOverrides);
      const m2 = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      assert.deepEqual(checkpointKeys(), keys, 'a rerun trains nothing anew');
      assert.deepEqual(m2.gaugeModel.screening, screening);
      assert.deepEqual(m2.gaugeModel.instances, m.gaugeModel.instances);
    });
  });

  it('screening loss: the median of the last 100 of the screened iterations, refused on too short a history; screening needs a scratch model and a screen shorter than its schedule', () => {
    const history = Array.from({ length: 400 }, (_, i) => (i < 200 ? 10 : i < 300 ? i - 200 : -1));
    assert.equal(screeningLoss(history, 300), 49.5, 'iterations 200–299 only: neither the earlier 10s nor the later −1s');
    assert.equal(screeningLoss([3, 1, 2], 3), 2, 'all of a screen shorter than 100');
    assert.throws(() => screeningLoss([1, 2], 3), /needs 3 iterations/);
    // Refused when the config is resolved, before the first model's meta-training.
    for (const [overrides, message] of [
      [{ gaugeRetrainInit: 'projection', gaugeRetrainRestarts: 2 }, /needs gaugeRetrainInit 'scratch'/],
      [{ gaugeRetrainRestarts: 2, gaugeRetrainScreenIterations: 2, gaugeRetrainIterations: 2 }, /gaugeRetrainRestarts 2 needs gaugeRetrainScreenIterations fewer than gaugeRetrainIterations = 2, got 2/],
    ] as const) {
      assert.throws(() => resolveFamilyConfig(imodeDoublePendulum, 'smoke', overrides), ConfigError);
      assert.throws(() => resolveFamilyConfig(imodeDoublePendulum, 'smoke', overrides), message);
    }
    assert.throws(() => resolveFamilyConfig(imodeBistable, 'smoke', { gaugeRetrainInit: 'scratch', gaugeRetrainRestarts: 2 }), /needs gaugeRetrainScreenIterations .* got \(absent\)/);
    assert.doesNotThrow(() => resolveFamilyConfig(imodeDoublePendulum, 'smoke', { gaugeRetrainInit: 'projection', gaugeRetrainRestarts: 1, gaugeRetrainScreenIterations: 5 }), 'no screen, no constraint on it');
    assert.equal(resolveFamilyConfig(imodeBistable, 'default', {}).gaugeRetrainRestarts, undefined, 'absent where unset, so the other families keep their config hashes');
  });

  it('the summary table has one row per iMODE system with results and names the missing ones', () => {
    const root = tmpDir('metadyn-summary-');
    const dir = path.join(root, 'imode-van-der-pol');
    fs.mkdirSync(dir, { recursive: true });
    const metrics = { ...metricsHeader('imode-van-der-pol'), ...SUMMARY_FIELDS };
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify(metrics));
    const { table, missing } = imodeSummaryTable(root);
    assert.equal(table.rows.length, 1);
    assert.deepEqual(table.rows[0], ['imode-van-der-pol', 1, 4, 2, 1, '—', '—', '4.0 %', '30.0 %', '—', '2', '20', '—', '0.50']);
    const gaugeModel = { medianEvalError: 0.5, gauge: [{ split: 'interpolate', relError: 0.1 }, { split: 'extrapolate', relError: 0.25 }] };
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ ...metrics, gaugeModel }));
    assert.deepEqual(imodeSummaryTable(root).table.rows[0], ['imode-van-der-pol', 1, 4, 2, 1, '—', '—', '4.0 %', '30.0 %', '10.0 % / 25.0 %', '2', '20', '0.5', '0.50']);
    assert.equal(missing.length, 5);
    assert.ok(missing.includes('imode-pendulum'));
  });

  it('reads the pendulum with an over-provisioned model as a family: its columns first, the main d_η = 1 model as the model with η dim. = physical', () => {
    const root = tmpDir('metadyn-summary-');
    const dir = path.join(root, 'imode-pendulum');
    fs.mkdirSync(dir, { recursive: true });
    const main = { ...metricsHeader('imode-pendulum'), ...SUMMARY_FIELDS, etaDim: 1, intrinsicDimension: 3 };
    // η of the over-provisioned model on a line at t = 1, 2, 4, 8, 16: second-to-first neighbour distance ratios
    // 3, 2, 1.5, 1.5, 1.5, so TwoNN d̂ = 4 / (log 3 + log 2 + 3 log 1.5) = 1.33, s.e. d̂ / √5 = 0.59
    const lengths = [1, 2, 4, 8, 16].map((t) => ({ eta: [t, 2 * t, 0, 0] }));
    const pcaModel = { etaDim: 4, medianEvalError: 5, gauge: [{ split: 'interpolate', relError: 0.5 }, { split: 'extrapolate', relError: 0.25 }], lengths };
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ ...main, pcaModel }));
    assert.deepEqual(imodeSummaryTable(root).table.rows[0], ['imode-pendulum', 1, 4, 3, 1, '1.3 ± 0.6 (5)', '—', '50.0 %', '25.0 %', '4.0 % / 30.0 %', '5', '20', '2', '0.50']);
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ ...main, pcaModel: null }));
    assert.deepEqual(imodeSummaryTable(root).table.rows[0], ['imode-pendulum', 1, 1, 3, 1, '—', '—', '4.0 %', '30.0 %', '—', '2', '20', '—', '0.50'], 'without one, the main model fills the first columns');
  });

  it('every iMODE system is registered and has a reference entry', () => {
    const ids = EXPERIMENTS.map((e) => e.info.id);
    for (const id of ['imode-pendulum', 'imode-bistable', 'imode-double-pendulum', 'imode-van-der-pol', 'imode-slinky']) assert.ok(ids.includes(id), id);
  });
});
