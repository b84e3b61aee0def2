import { strict as assert } from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../src/core/errors';
import { createRng } from '../../src/core/rng';
import type { InstanceResult } from '../../src/meta/imodeEvaluation';
import { analysePendulumLatents } from '../../src/experiments/imode/pendulumSummary';
import { imodePendulumConfig, loadPendulumData, pcaModelConfig } from '../../src/experiments/imodePendulum';
import { gaugeOptionsOf, trainingCheckpointKey } from '../../src/experiments/imode/family';
import { describeLeaveOneOut, gaugeLatents } from '../../src/experiments/imodeLatent';
import { pendulumInstanceResult } from '../helpers/instanceResult';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** A run small enough for a test: 6 outer iterations, short windows, no scratch baseline. */
const TINY = ['outerIterations=6', 'windowsPerTask=2', 'windowSteps=12', 'evalSteps=20', 'scratchSteps=0', 'checkpointEvery=1', 'maxHalvings=1'];

function startRun(resultsRoot: string): ChildProcess {
  const args = ['src/cli/runExperiment.ts', 'imode-pendulum', '--scale', 'smoke', ...TINY.flatMap((s) => ['--set', s])];
  return spawn(TSX, args, { cwd: ROOT, env: { ...process.env, METADYN_RESULTS_ROOT: resultsRoot, METADYN_QUIET: '1' }, stdio: 'ignore' });
}

function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function readMetrics(resultsRoot: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(resultsRoot, 'smoke', 'imode-pendulum', 'metrics.json'), 'utf8'));
}

/** What must not depend on an interruption: everything but timings. */
function numbers(m: Record<string, unknown>) {
  const lengths = (m.lengths as { L: number; eta: number[]; evalMse: number; adaptLosses: number[] }[]).map(({ L, eta, evalMse, adaptLosses }) => ({ L, eta, evalMse, adaptLosses }));
  return { finalTrainingLoss: m.finalTrainingLoss, bestIteration: m.bestIteration, eta0: m.eta0, lengths };
}

describe('experiments/imode-pendulum', () => {
  it('rejects a bad config before any work, naming the field and what is allowed', () => {
    assert.throws(() => imodePendulumConfig('smoke', { outerLr: -0.01 }), (e: Error) => e instanceof ConfigError && /imodePendulum\.outerLr must be > 0/.test(e.message));
    assert.throws(() => imodePendulumConfig('smoke', { innerStep: 5 }), (e: Error) => e instanceof ConfigError && /innerStep is not a known field; allowed: .*innerSteps/.test(e.message));
    assert.throws(() => imodePendulumConfig('smoke', { solver: 'euler' }), /solver must be one of .*dopri5.*rk4/);
    assert.throws(() => imodePendulumConfig('smoke', { dataDir: 'data/no-such-dir' }), /dataDir.*data\/no-such-dir/);
    assert.throws(() => imodePendulumConfig('smoke', { windowsPerTask: 2.5 }), /windowsPerTask must be an integer/);
    assert.throws(() => loadPendulumData(imodePendulumConfig('smoke', { trainLengths: [1, 4.2] })), /trainLengths: no data file for L = 4.2; available: 1, 3, 5/);
    assert.throws(() => imodePendulumConfig('paper', { pcaEtaDim: 4 }), /needs all of pcaEtaDim, pcaOuterLr, pcaOuterLrFinal, pcaInnerMaxStep or none; missing: pcaOuterLr, pcaOuterLrFinal, pcaInnerMaxStep/);
    assert.throws(() => imodePendulumConfig('smoke', { pcaOuterLrFinal: 1 }), /pcaOuterLrFinal must be at most pcaOuterLr/);
    assert.throws(() => imodePendulumConfig('smoke', { pcaEtaDim: 1 }), /pcaEtaDim must be >= 2/);
  });

  it('trains the over-provisioned model on its own η dimension, rates and trust radius, without touching the main model’s checkpoint key', () => {
    const cfg = imodePendulumConfig('default');
    const pca = pcaModelConfig(cfg);
    assert.ok(pca);
    assert.deepEqual([pca.etaDim, pca.outerLr, pca.outerLrFinal, pca.innerMaxStep, pca.scratchSteps], [4, 3e-3, 3e-5, 1, 0]);
    assert.deepEqual([cfg.etaDim, cfg.outerLr, cfg.innerMaxStep], [1, 1e-2, 1e6], 'the main model keeps the authors’ η and rates');
    assert.equal(pcaModelConfig(imodePendulumConfig('paper')), null, "the authors' script has none");
    assert.deepEqual(trainingCheckpointKey(cfg), trainingCheckpointKey(imodePendulumConfig('default', { pcaEtaDim: 6 })), 'the main model is keyed without the pca* fields');
    assert.notDeepEqual(trainingCheckpointKey(pca), trainingCheckpointKey(cfg));
    assert.ok(!Object.keys(pca).some((k) => k.startsWith('pca') && k !== 'pcaThreshold'), 'the second model carries no pca* fields of its own');
  });

  it('gauges each training length left out with a gauge fitted on the other four, from the same stream as the main gauge', () => {
    const cfg = imodePendulumConfig('smoke', { gaugeIterations: 300 });
    // η smooth and monotone in L (as a trained model's are), in a 2-D η with a small second coordinate
    const lengths: InstanceResult[] = [1, 2, 3, 3.5, 4, 5, 5.1, 6, 6.9, 7, 8, 9, 10].map((L) => pendulumInstanceResult(L, { eta: [Math.log(L), 0.01 * Math.sin(3 * L)] }));
    const { points, leaveOneOut } = analysePendulumLatents(cfg, lengths);
    assert.ok(leaveOneOut, 'five training lengths are enough to leave one out');
    assert.deepEqual(leaveOneOut.map((e) => e.label), ['L=1', 'L=3', 'L=5', 'L=7', 'L=9']);
    const middle = leaveOneOut[2];
    const rest = points.filter((p) => p.split === 'train' && p.label !== 'L=5');
    const direct = gaugeLatents([...rest, { ...points.find((p) => p.label === 'L=5')!, split: 'interpolate' }], createRng((cfg.seed + 500009) >>> 0), gaugeOptionsOf(cfg)).gauge[0];
    assert.deepEqual(middle.predicted, direct.predicted, 'the entry of L = 5 is the gauge fitted without it');
    assert.ok(middle.relError < 0.05, `an interior length of a smooth η is gauged within 5 %: ${middle.relError}`);
    assert.match(describeLeaveOneOut(leaveOneOut), /^median \d+\.\d %, worst \d+\.\d %$/);
    assert.equal(describeLeaveOneOut(null), 'not computed');
  });

  it('an interrupted run resumes from its checkpoint and ends with the numbers of an uninterrupted run (same seed, same backend)', async function () {
    this.timeout(300000);
    const straight = fs.mkdtempSync(path.join(os.tmpdir(), 'metadyn-straight-'));
    const killed = fs.mkdtempSync(path.join(os.tmpdir(), 'metadyn-killed-'));
    try {
      assert.equal(await finished(startRun(straight)), 0, 'uninterrupted run failed');

      const child = startRun(killed);
      const checkpointDir = path.join(killed, 'smoke', 'imode-pendulum', 'checkpoints');
      // Kill it hard once it has saved at least two outer iterations, before it finishes.
      const iterationSaved = () => {
        if (!fs.existsSync(checkpointDir)) return 0;
        for (const hash of fs.readdirSync(checkpointDir)) {
          const file = path.join(checkpointDir, hash, 'checkpoint.json');
          if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')).state.iteration as number) ?? 0;
        }
        return 0;
      };
      const exited = finished(child);
      let killedAt = 0;
      while (child.exitCode === null) {
        killedAt = iterationSaved();
        if (killedAt >= 2) {
          child.kill('SIGKILL');
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await exited;
      assert.ok(killedAt >= 2 && killedAt < 6, `the run should be killed mid-training (saved iteration ${killedAt})`);
      assert.ok(!fs.existsSync(path.join(killed, 'smoke', 'imode-pendulum', 'metrics.json')), 'a killed run must not leave metrics');

      assert.equal(await finished(startRun(killed)), 0, 'resumed run failed');
      assert.deepEqual(numbers(readMetrics(killed)), numbers(readMetrics(straight)));
    } finally {
      fs.rmSync(straight, { recursive: true, force: true });
      fs.rmSync(killed, { recursive: true, force: true });
    }
  });
});
