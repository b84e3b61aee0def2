import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { configHash } from '../../src/core/config';
import { ConfigError } from '../../src/core/errors';
import { disposeFieldTasks } from '../../src/data/fieldTask';
import { parseConvergenceArgs } from '../../src/cli/convergence';
import {
  type ConvergencePlan,
  type ConvergencePoint,
  convergenceConfig,
  convergenceStudy,
  readConvergenceRuns,
  runConvergence,
  validateConvergencePlan,
  variantLabel,
} from '../../src/experiments/paperBConvergence';
import { convergenceDir, saturationIteration } from '../../src/experiments/paperB/convergenceReport';
import { trajectoryFieldTask } from '../../src/analysis/paperBEvaluation';
import { resolvePaperBConfig } from '../../src/experiments/paperB/config';
import { disposeTrained, metaTrainMethod, simulatePaperB } from '../../src/experiments/paperBHamiltonian';
import { paperBPendulum } from '../../src/experiments/paperBPendulum';
import { withResultsRoot } from '../helpers/tmpDir';

const SMOKE_PLAN: ConvergencePlan = { methods: ['SVD', 'MAML'], widths: [8], milestones: [1, 3], horizon: 4, scale: 'smoke', overrides: {} };

function point(iterations: number, fieldError: number | null): ConvergencePoint {
  return { method: 'SVD', width: 8, iterations, fieldError: { mean: fieldError, std: 0 }, trajError: { mean: 1, std: 0 }, trainLoss: 1, secondsPerIteration: null };
}

describe('experiments/paperBConvergence (Paper B convergence study)', () => {
  before(async () => {
    await initBackend();
  });

  it('rejects a plan it cannot run, naming what is wrong', () => {
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, methods: ['Scratch'] }), /Scratch has no meta-training/);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, methods: ['SVDD' as never] }), /unknown method 'SVDD'/);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, methods: [] }), ConfigError);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, milestones: [5, 5] }), /strictly ascending/);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, milestones: [0, 5] }), /strictly ascending/);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, widths: [1.5] }), /widths/);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, milestones: [1, 5] }), /horizon: an integer at least the last milestone 5/);
    assert.throws(() => validateConvergencePlan({ ...SMOKE_PLAN, overrides: { width: 16 } }), /'width' is set by the plan/);
    assert.throws(() => parseConvergenceArgs(['spd-pendulum', '--milestones', '200,1e3x']), /--milestones takes comma-separated integers/);
    assert.throws(() => parseConvergenceArgs([]), /exactly one Paper B experiment id/);
    assert.deepEqual(parseConvergenceArgs(['spd-pendulum', '--widths', '32', '--set', 'trainInstances=70']).plan.overrides, { trainInstances: 70 });
  });

  it('the converged scale is the study run that reached the plateau: the default scale with the chosen overrides at width 32 and horizon 2000', () => {
    const plan: ConvergencePlan = {
      methods: ['SVD'],
      widths: [32],
      milestones: [2000],
      horizon: 2000,
      scale: 'default',
      overrides: { trainInstances: 70, latentOuterLr: 3e-3, gradientOuterLr: 3e-3, outerLrFinalFraction: 0.1, latentInnerMaxStep: 1 },
    };
    const converged = resolvePaperBConfig(paperBPendulum, 'converged');
    assert.deepEqual(convergenceConfig(paperBPendulum, plan, 32), converged);
    assert.equal(configHash(convergenceConfig(paperBPendulum, plan, 32)), configHash(converged));
    assert.notDeepEqual(convergenceConfig(paperBPendulum, { ...plan, overrides: { ...plan.overrides, outerLrFinalFraction: 1 } }, 32), converged);
  });

  it('saturation: the first milestone no later one improves on by 10 %; none while the last step still improves', () => {
    assert.equal(saturationIteration([point(200, 1), point(1000, 0.5), point(5000, 0.47), point(20000, 0.46)]), 1000);
    assert.equal(saturationIteration([point(200, 1), point(1000, 0.5), point(5000, 0.3)]), null);
    assert.equal(saturationIteration([point(200, 0.5), point(1000, 0.6), point(5000, 0.4)]), null, 'a later 20 % drop after a rise is still an improvement on 200');
    assert.equal(saturationIteration([point(200, 0.5), point(1000, null)]), 200, 'a diverged point improves on nothing');
    assert.equal(saturationIteration([point(200, 0.5)]), null);
  });

  it('metaTrainMethod stopped at a milestone and continued gives the uninterrupted run, bit for bit, for a latent and a gradient method, with the annealed outer step', async () => {
    await withResultsRoot('metadyn-conv-resume-', async () => {
      for (const method of ['SVD', 'MAML'] as const) {
        const cfg = resolvePaperBConfig(paperBPendulum, 'smoke', { metaIterations: 4, gradientIterations: 4, checkpointEvery: 10, outerLrFinalFraction: 0.1 });
        const instances = simulatePaperB(paperBPendulum, cfg);
        const tasks = instances.filter((i) => i.split === 'train').map((i) => trajectoryFieldTask(paperBPendulum, i.params, i.trajectories));
        const first = metaTrainMethod(paperBPendulum, cfg, 'smoke', method, tasks, 2);
        assert.equal(first.lossHistory.length, 2, 'stopped at 2');
        disposeTrained([first]);
        const resumed = metaTrainMethod(paperBPendulum, cfg, 'smoke', method, tasks);
        assert.equal(resumed.iterationsRun, 2, 'went on from the checkpoint at 2');
        // the same config in another results root: a fresh, uninterrupted run
        const straight = await withResultsRoot('metadyn-conv-straight-', async () => metaTrainMethod(paperBPendulum, cfg, 'smoke', method, tasks));
        assert.equal(straight.iterationsRun, 4);
        assert.deepEqual(resumed.lossHistory, straight.lossHistory, method);
        const [a, b] = [resumed.tensors(), straight.tensors()];
        a.forEach((t, i) => assert.deepEqual(Array.from(t.dataSync()), Array.from(b[i].dataSync()), `${method} tensor ${i}`));
        disposeTrained([resumed, straight]);
        disposeFieldTasks(tasks);
      }
      assert.throws(() => metaTrainMethod(paperBPendulum, resolvePaperBConfig(paperBPendulum, 'smoke'), 'smoke', 'SVD', [], 0), /stopAfter must be a positive integer/);
    });
  });

  it('a smoke study writes a point per milestone, resumes without training what it has (milestones added up to the horizon), keeps variants apart and summarises them all', async function () {
    this.timeout(120000);
    await withResultsRoot('metadyn-conv-', async () => {
      const runs = await runConvergence(paperBPendulum, SMOKE_PLAN);
      assert.deepEqual(runs.map((r) => [r.method, r.width, r.points.map((p) => p.iterations)]), [['SVD', 8, [1, 3]], ['MAML', 8, [1, 3]]]);
      for (const r of runs) {
        for (const p of r.points) assert.ok(Number.isFinite(p.fieldError.mean) && Number.isFinite(p.trajError.mean) && Number.isFinite(p.trainLoss), JSON.stringify(p));
        assert.ok(r.points.every((p) => p.secondsPerIteration !== null && p.secondsPerIteration > 0), 'every segment was timed');
      }
      const tensorsBefore = tf.memory().numTensors;
      const again = await runConvergence(paperBPendulum, { ...SMOKE_PLAN, milestones: [1, 3, 4] });
      assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensor left behind');
      const svd = again.find((r) => r.method === 'SVD')!;
      assert.deepEqual(svd.points.slice(0, 2), runs[0].points, 'the points it had are kept as they were');
      assert.equal(svd.points[2].iterations, 4);
      const variant = await runConvergence(paperBPendulum, { ...SMOKE_PLAN, methods: ['SVD'], milestones: [1], overrides: { trainInstances: 4 } });
      assert.equal(variant[0].variant, variantLabel({ trainInstances: 4 }));
      assert.equal(variant[0].variant, 'trainInstances=4');
      const all = readConvergenceRuns('spd-pendulum', 'smoke');
      assert.deepEqual(all.map((r) => [r.method, r.variant, r.points.length]), [['MAML', '', 3], ['SVD', '', 3], ['SVD', 'trainInstances=4', 1]], 'the variant did not overwrite the base run');
      const dir = await convergenceStudy(paperBPendulum, { ...SMOKE_PLAN, milestones: [1, 3, 4] }, { summaryOnly: true });
      assert.equal(dir, convergenceDir('spd-pendulum', 'smoke'));
      const table = fs.readFileSync(path.join(dir, 'convergence.md'), 'utf8');
      assert.equal(table.split('\n').filter((l) => /^\| (SVD|MAML) \|/.test(l)).length, 7, 'a row per point');
      assert.equal(table.split('\n').filter((l) => /^\| SVD \| 8 \| A \| 1 \|/.test(l)).length, 1, 'the variant by its short key');
      assert.match(fs.readFileSync(path.join(dir, 'readme.md'), 'utf8'), /- A: trainInstances=4, 4 outer iterations planned: `npm run convergence -- spd-pendulum --methods SVD --widths 8 --milestones 1 --horizon 4 --scale smoke --set trainInstances=4`/);
      const figure = JSON.parse(fs.readFileSync(path.join(dir, 'figures', 'convergence-field.json'), 'utf8'));
      assert.deepEqual([figure.layout.xaxis.type, figure.layout.xaxis2.type, figure.layout.yaxis2.type], ['log', 'log', 'log'], 'a log–log panel per method');
      const traces = figure.data as { name: string; xaxis: string; mode: string; showlegend: boolean }[];
      assert.deepEqual([...new Set(traces.map((t) => t.name))], ['default', 'paper v2', 'A'], 'short names, one legend entry each');
      assert.equal(traces.filter((t) => t.name === 'paper v2').length, 2, 'the paper value beside ours in each panel');
      assert.ok(traces.filter((t) => t.name !== 'paper v2').every((t) => t.mode === 'lines+markers'));
      const metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      assert.equal(metrics.runs.length, 3);
      assert.ok(metrics.runs.every((r: { backend: string; gitRevision: unknown }) => r.backend && 'gitRevision' in r));
    });
  });
});
