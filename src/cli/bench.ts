/**
 * npm run bench [-- --iterations N --warmup W]: times the core workloads through the project's own modules and writes
 * results/bench/<workload>.json (median and min ms over N measured repetitions after W warm-up ones, with backend,
 * tfjs version, machine, git revision, and the live tensor count before and after, which must match).
 *
 * Workloads now: one iMODE pendulum outer iteration at the default config (5 inner steps on η for the 5 training
 * lengths in one batched dopri5 rollout, then the Adam step), and one test-time adaptation (5 inner steps on one
 * length). Benchmarks are measurements, not tests: nothing here passes or fails on time.
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import { parseArgs } from 'util';
import { initBackend } from '../core/backend';
import { writeJsonAtomic } from '../core/atomicWrite';
import { ConfigError } from '../core/errors';
import { median } from '../analysis/metrics';
import { repoRoot } from '../core/paths';
import { startProvenance } from '../core/results';
import { createRng } from '../core/rng';
import { imodePendulumConfig, loadPendulumData, pendulumModel, pendulumProblem, pendulumTrainingOptions, windowBatch } from '../experiments/imodePendulum';
import { adaptEta } from '../meta/imode';
import { disposeTaskBatch } from '../meta/taskBatch';
import { metaTrain } from '../meta/imodeTraining';
import { runCli } from './notebooks';

export interface Timing {
  medianMs: number;
  minMs: number;
  repetitions: number;
}

export function summariseTimings(ms: readonly number[]): Timing {
  if (ms.length === 0) throw new ConfigError('no repetitions were measured');
  return { medianMs: median(ms), minMs: Math.min(...ms), repetitions: ms.length };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { iterations: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' } } });
  const iterations = Number(values.iterations);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(iterations) || iterations < 1 || !Number.isInteger(warmup) || warmup < 0) {
    throw new ConfigError(`--iterations must be a positive integer and --warmup a non-negative one, got ${values.iterations}, ${values.warmup}`);
  }
  await initBackend();
  const cfg = imodePendulumConfig('default', { outerIterations: warmup + iterations });
  const prov = startProvenance({ experiment: 'bench-imode-pendulum', paper: 'iMODE', section: 'performance', scale: 'default', config: cfg, seed: cfg.seed });
  const data = loadPendulumData(cfg);

  const tensorsBefore = tf.memory().numTensors;
  const stamps: number[] = [];
  const rng = createRng(cfg.seed);
  let last = performance.now();
  const trained = metaTrain(pendulumProblem(cfg, data, rng), pendulumTrainingOptions(cfg), rng, {
    progress: {
      update: () => {
        const now = performance.now();
        stamps.push(now - last);
        last = now;
      },
      done: () => undefined,
    },
  });
  const outer = summariseTimings(stamps.slice(warmup));

  const model = pendulumModel(cfg);
  const adaptMs: number[] = [];
  data.instances.forEach((ins, k) => {
    const batch = windowBatch([ins], createRng(k + 1), cfg.windowsPerTask, cfg.windowSteps);
    const t0 = performance.now();
    const r = adaptEta(model.makeField, trained.params, trained.eta0, batch, model.solver, model.inner, false);
    r.eta.dataSync();
    adaptMs.push(performance.now() - t0);
    r.eta.dispose();
    disposeTaskBatch(batch);
  });
  tf.dispose([...trained.params, trained.eta0]);
  const tensorsAfter = tf.memory().numTensors;

  const p = prov.finish();
  const common = { backend: p.backend, tfjsVersion: p.tfjsVersion, machine: p.machine, node: p.node, gitRevision: p.gitRevision, gitDirty: p.gitDirty, measuredAt: p.finishedAt, tensorsBefore, tensorsAfter };
  const outDir = path.join(repoRoot(), 'results', 'bench');
  const records = {
    'imode-pendulum-outer-iteration': { ...common, workload: 'iMODE pendulum outer iteration (default config: 5 tasks × 20 windows × 100 steps, 5 inner steps, dopri5 1e-4, backtracking)', ...outer, config: cfg },
    'imode-pendulum-adaptation': { ...common, workload: 'iMODE pendulum test-time adaptation of one length (5 inner steps, 20 windows × 100 steps)', ...summariseTimings(adaptMs.slice(1)), config: cfg },
  };
  for (const [name, record] of Object.entries(records)) {
    writeJsonAtomic(path.join(outDir, `${name}.json`), record);
    console.log(`${name}: median ${record.medianMs.toFixed(1)} ms, min ${record.minMs.toFixed(1)} ms over ${record.repetitions} (tensors ${tensorsBefore} -> ${tensorsAfter})`);
  }
  return tensorsAfter === tensorsBefore ? 0 : 1;
}

if (require.main === module) runCli(main);
